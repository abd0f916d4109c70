package io.transitwatch.daemon.sim.hubble;

import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.transitwatch.proto.peer.ChangeNotification;
import io.transitwatch.proto.peer.NotifyRequest;
import io.transitwatch.proto.peer.PeerGrpc;
import java.util.List;
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

    public PeerService(Supplier<List<ChangeNotification>> peers) {
        this.peers = peers;
    }

    @Override
    public void notify(NotifyRequest request, StreamObserver<ChangeNotification> responses) {
        ServerCallStreamObserver<ChangeNotification> stream = (ServerCallStreamObserver<ChangeNotification>) responses;
        stream.setOnCancelHandler(() -> {});
        for (ChangeNotification peer : peers.get()) {
            stream.onNext(peer);
        }
    }
}
