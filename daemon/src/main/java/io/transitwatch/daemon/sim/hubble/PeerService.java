package io.transitwatch.daemon.sim.hubble;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.transitwatch.proto.peer.ChangeNotification;
import io.transitwatch.proto.peer.NotifyRequest;
import io.transitwatch.proto.peer.PeerGrpc;
import io.grpc.Status;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Thread-safe (called on gRPC threads). {@code peer.Peer/Notify} as every Hubble node server and
 * the {@code hubble-peer} Service serve it: first PEER_ADDED for every node (name, {@code ip:port},
 * TLS server name when TLS is on), then changes. The simulated cluster's membership never changes
 * (a node whose Hubble is down is still a member), so the stream stays open with nothing more to say
 * until the client cancels it or the server shuts down.
 */
public final class PeerService extends PeerGrpc.PeerImplBase {
    private final Supplier<List<ChangeNotification>> peers;
    private final Set<ServerCallStreamObserver<ChangeNotification>> open = ConcurrentHashMap.newKeySet();

    public PeerService(Supplier<List<ChangeNotification>> peers) {
        this.peers = peers;
    }

    @Override
    public void notify(NotifyRequest request, StreamObserver<ChangeNotification> responses) {
        ServerCallStreamObserver<ChangeNotification> stream = (ServerCallStreamObserver<ChangeNotification>) responses;
        stream.setOnCancelHandler(() -> open.remove(stream));
        for (ChangeNotification peer : peers.get()) {
            stream.onNext(peer);
        }
        open.add(stream);
    }

    /** Ends every open Notify call with {@code status} (nothing else writes to them after the initial burst). */
    public void abortAll(Status status) {
        for (ServerCallStreamObserver<ChangeNotification> stream : open) {
            open.remove(stream);
            stream.onError(status.asRuntimeException());
        }
    }
}
