package io.transitwatch.daemon.ingest;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.ChannelOption;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.transitwatch.daemon.sim.SimCertificates;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.observer.GetNodesRequest;
import io.transitwatch.proto.observer.GetNodesResponse;
import io.transitwatch.proto.observer.ObserverGrpc;
import io.transitwatch.proto.peer.ChangeNotification;
import io.transitwatch.proto.peer.NotifyRequest;
import io.transitwatch.proto.peer.PeerGrpc;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongFunction;

/**
 * A minimal Hubble server for tests, over real TCP on 127.0.0.1: Observer.GetFlows (follow, since,
 * HTTP/2 flow control honoured through isReady), Observer.GetNodes, and Peer.Notify. Events are kept
 * in an in-memory "ring" (a list) that a restart may keep or drop; or generated on demand without
 * being stored, for load tests.
 */
final class FakeHubbleServer implements AutoCloseable {
    private final Server server;
    private final List<GetFlowsResponse> ring;
    private final List<Subscriber> subscribers = new CopyOnWriteArrayList<>();
    private final List<StreamObserver<ChangeNotification>> peerWatchers = new CopyOnWriteArrayList<>();
    final List<ChangeNotification> peers = new CopyOnWriteArrayList<>();
    final List<GetFlowsRequest> requests = new CopyOnWriteArrayList<>();
    volatile boolean rejectFieldMask;
    volatile GetNodesResponse nodes = GetNodesResponse.getDefaultInstance();
    /** When set, every subscriber gets {@code generator.apply(i)} for i = 0 .. generateCount-1, as fast as it reads. */
    volatile LongFunction<GetFlowsResponse> generator;
    volatile long generateCount;
    final AtomicLong generated = new AtomicLong();
    final AtomicBoolean sawNotReady = new AtomicBoolean();

    private FakeHubbleServer(int port, SimCertificates.Files tls, List<GetFlowsResponse> ring) throws IOException {
        this.ring = ring;
        ServerCredentials credentials = tls == null ? InsecureServerCredentials.create()
                : TlsServerCredentials.newBuilder().keyManager(tls.serverCert().toFile(), tls.serverKey().toFile())
                        .trustManager(tls.caCert().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build();
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), credentials)
                .withOption(ChannelOption.SO_REUSEADDR, true)
                .addService(new Observer()).addService(new Peer()).build().start();
    }

    /** A server on a free port; {@code tls} null for plaintext, else mTLS requiring a client certificate. */
    static FakeHubbleServer start(SimCertificates.Files tls) throws IOException {
        return new FakeHubbleServer(0, tls, new ArrayList<>());
    }

    /** A new server process on the same port: with the old ring (its events still covered) or empty. */
    FakeHubbleServer restart(SimCertificates.Files tls, boolean keepRing) throws IOException {
        int port = port();
        close();
        List<GetFlowsResponse> kept = new ArrayList<>();
        if (keepRing) {
            synchronized (ring) {
                kept.addAll(ring);
            }
        }
        FakeHubbleServer restarted = new FakeHubbleServer(port, tls, kept);
        restarted.rejectFieldMask = rejectFieldMask;
        return restarted;
    }

    int port() {
        return server.getPort();
    }

    String address() {
        return "127.0.0.1:" + port();
    }

    void emit(GetFlowsResponse response) {
        synchronized (ring) {
            ring.add(response);
        }
        subscribers.forEach(Subscriber::drain);
    }

    void announce(ChangeNotification change) {
        peers.add(change);
        peerWatchers.forEach(watcher -> watcher.onNext(change));
    }

    @Override
    public void close() {
        server.shutdownNow();
        try {
            server.awaitTermination(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private final class Observer extends ObserverGrpc.ObserverImplBase {
        @Override
        public void getFlows(GetFlowsRequest request, StreamObserver<GetFlowsResponse> responses) {
            requests.add(request);
            if (rejectFieldMask && request.hasFieldMask()) {
                responses.onError(Status.INVALID_ARGUMENT.withDescription("invalid fieldmask").asRuntimeException());
                return;
            }
            Subscriber subscriber = new Subscriber((ServerCallStreamObserver<GetFlowsResponse>) responses, request);
            subscribers.add(subscriber);
            subscriber.observer.setOnCancelHandler(() -> subscribers.remove(subscriber));
            subscriber.observer.setOnReadyHandler(subscriber::drain);
            subscriber.drain();
        }

        @Override
        public void getNodes(GetNodesRequest request, StreamObserver<GetNodesResponse> responses) {
            responses.onNext(nodes);
            responses.onCompleted();
        }
    }

    private final class Peer extends PeerGrpc.PeerImplBase {
        @Override
        public void notify(NotifyRequest request, StreamObserver<ChangeNotification> responses) {
            peers.forEach(responses::onNext);
            peerWatchers.add(responses);
        }
    }

    /** One GetFlows call: a cursor into the ring (or the generator), advanced while the client reads. */
    private final class Subscriber {
        final ServerCallStreamObserver<GetFlowsResponse> observer;
        int cursor;
        long nextGenerated;

        Subscriber(ServerCallStreamObserver<GetFlowsResponse> observer, GetFlowsRequest request) {
            this.observer = observer;
            synchronized (ring) {
                cursor = ring.size(); // follow without since: only new events
                if (request.hasSince()) {
                    long since = request.getSince().getSeconds() * 1_000_000_000L + request.getSince().getNanos();
                    cursor = 0;
                    while (cursor < ring.size() && timeOf(ring.get(cursor)) < since) {
                        cursor++;
                    }
                }
            }
        }

        synchronized void drain() {
            while (!observer.isCancelled()) {
                if (!observer.isReady()) {
                    sawNotReady.set(true);
                    return;
                }
                GetFlowsResponse next = next();
                if (next == null) {
                    return;
                }
                observer.onNext(next);
            }
        }

        private GetFlowsResponse next() {
            LongFunction<GetFlowsResponse> source = generator;
            if (source != null) {
                if (nextGenerated >= generateCount) {
                    return null;
                }
                generated.incrementAndGet();
                return source.apply(nextGenerated++);
            }
            synchronized (ring) {
                return cursor < ring.size() ? ring.get(cursor++) : null;
            }
        }
    }

    static long timeOf(GetFlowsResponse response) {
        return response.getTime().getSeconds() * 1_000_000_000L + response.getTime().getNanos();
    }
}
