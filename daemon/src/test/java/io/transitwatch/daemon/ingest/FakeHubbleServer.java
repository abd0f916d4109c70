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
import io.grpc.Contexts;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
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
    /** With mTLS: the client certificate each GetFlows call came with, in call order. */
    final List<X509Certificate> flowsClientCertificates = new CopyOnWriteArrayList<>();

    private static final Context.Key<X509Certificate> CLIENT_CERTIFICATE = Context.key("client-certificate");

    private FakeHubbleServer(int port, SimCertificates.Files tls, List<GetFlowsResponse> ring,
            Predicate<X509Certificate> refused) throws IOException {
        this.ring = ring;
        ServerCredentials credentials = tls == null ? InsecureServerCredentials.create()
                : TlsServerCredentials.newBuilder().keyManager(tls.serverCert().toFile(), tls.serverKey().toFile())
                        .trustManager(new RefusingTrustManager(tls, refused))
                        .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE).build();
        this.server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", port), credentials)
                .withOption(ChannelOption.SO_REUSEADDR, true)
                .addService(ServerInterceptors.intercept(new Observer(), new ClientCertificateInterceptor()))
                .addService(new Peer()).build().start();
    }

    /** A server on a free port; {@code tls} null for plaintext, else mTLS requiring a client certificate. */
    static FakeHubbleServer start(SimCertificates.Files tls) throws IOException {
        return new FakeHubbleServer(0, tls, new ArrayList<>(), certificate -> false);
    }

    /**
     * An mTLS server that fails the handshake of a client whose certificate {@code refused} matches
     * (as a server does with a certificate that expired), and accepts every other one its CA signed.
     */
    static FakeHubbleServer startRefusing(SimCertificates.Files tls, Predicate<X509Certificate> refused)
            throws IOException {
        return new FakeHubbleServer(0, tls, new ArrayList<>(), refused);
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
        FakeHubbleServer restarted = new FakeHubbleServer(port, tls, kept, certificate -> false);
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
            X509Certificate presented = CLIENT_CERTIFICATE.get();
            if (presented != null) {
                flowsClientCertificates.add(presented);
            }
            if (rejectFieldMask && request.hasFieldMask()) {
                requests.add(request);
                responses.onError(Status.INVALID_ARGUMENT.withDescription("invalid fieldmask").asRuntimeException());
                return;
            }
            Subscriber subscriber = new Subscriber((ServerCallStreamObserver<GetFlowsResponse>) responses, request);
            subscribers.add(subscriber);
            subscriber.observer.setOnCancelHandler(() -> subscribers.remove(subscriber));
            subscriber.observer.setOnReadyHandler(subscriber::drain);
            // Only now: a test that waits for the request and then emits must find the subscriber and its
            // cursor in place. Recorded before them, an event emitted in between was behind the cursor of
            // a follow without since, never sent (TailCommandIT missed its first flow once in CI).
            requests.add(request);
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

    /** Puts the TLS client certificate of the call's connection into the call's context. */
    private static final class ClientCertificateInterceptor implements ServerInterceptor {
        @Override
        public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
                ServerCallHandler<Q, R> next) {
            SSLSession session = call.getAttributes().get(io.grpc.Grpc.TRANSPORT_ATTR_SSL_SESSION);
            if (session == null) {
                return next.startCall(call, headers);
            }
            try {
                X509Certificate presented = (X509Certificate) session.getPeerCertificates()[0];
                return Contexts.interceptCall(Context.current().withValue(CLIENT_CERTIFICATE, presented), call, headers,
                        next);
            } catch (SSLPeerUnverifiedException e) {
                return next.startCall(call, headers);
            }
        }
    }

    /** The CA's trust, and a refusal of the client certificates {@code refused} matches. */
    private static final class RefusingTrustManager extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager ca;
        private final Predicate<X509Certificate> refused;

        RefusingTrustManager(SimCertificates.Files tls, Predicate<X509Certificate> refused) throws IOException {
            this.refused = refused;
            try (InputStream in = java.nio.file.Files.newInputStream(tls.caCert())) {
                KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                store.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
                TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                factory.init(store);
                this.ca = (X509ExtendedTrustManager) factory.getTrustManagers()[0];
            } catch (GeneralSecurityException e) {
                throw new IOException(e);
            }
        }

        private void refuse(X509Certificate[] chain) throws CertificateException {
            if (refused.test(chain[0])) {
                throw new CertificateException("client certificate " + chain[0].getSerialNumber() + " is refused");
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            ca.checkClientTrusted(chain, authType, socket);
            refuse(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            ca.checkClientTrusted(chain, authType, engine);
            refuse(chain);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            ca.checkClientTrusted(chain, authType);
            refuse(chain);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            ca.checkServerTrusted(chain, authType, socket);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            ca.checkServerTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            ca.checkServerTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return ca.getAcceptedIssuers();
        }
    }

    static long timeOf(GetFlowsResponse response) {
        return response.getTime().getSeconds() * 1_000_000_000L + response.getTime().getNanos();
    }
}
