package io.transitwatch.daemon.sim.hubble;

import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.transitwatch.daemon.sim.FieldMaskSupport;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.observer.GetNodesRequest;
import io.transitwatch.proto.observer.GetNodesResponse;
import io.transitwatch.proto.observer.ObserverGrpc;
import io.transitwatch.proto.observer.ServerStatusRequest;
import io.transitwatch.proto.observer.ServerStatusResponse;
import java.util.concurrent.Executor;
import java.util.function.Supplier;

/**
 * Thread-safe (called on gRPC threads). {@code observer.Observer} of one node's Hubble server (the
 * {@code :4244} listener): {@code GetFlows} from the node's ring, {@code ServerStatus} of the node,
 * {@code GetNodes} listing the node itself.
 */
public final class NodeObserverService extends ObserverGrpc.ObserverImplBase {
    private final NodeHubble hubble;
    private final FieldMaskSupport fieldMasks;
    private final Executor streamExecutor;
    private final ActiveStreams streams;
    private final Supplier<String> address;
    private final boolean tls;

    public NodeObserverService(NodeHubble hubble, FieldMaskSupport fieldMasks, Executor streamExecutor,
            ActiveStreams streams, Supplier<String> address, boolean tls) {
        this.hubble = hubble;
        this.fieldMasks = fieldMasks;
        this.streamExecutor = streamExecutor;
        this.streams = streams;
        this.address = address;
        this.tls = tls;
    }

    @Override
    public void getFlows(GetFlowsRequest request, StreamObserver<GetFlowsResponse> responses) {
        FlowQuery query;
        try {
            query = FlowQuery.parse(request, fieldMasks);
        } catch (StatusException e) {
            responses.onError(e);
            return;
        }
        RingCursor cursor = new RingCursor(hubble, query);
        FlowStreamPump.start((ServerCallStreamObserver<GetFlowsResponse>) responses, new FlowStreamPump.Source() {
            @Override
            public GetFlowsResponse poll() {
                return cursor.poll();
            }

            @Override
            public boolean finished() {
                return cursor.finished();
            }
        }, hubble.name(), streamExecutor, streams);
    }

    @Override
    public void serverStatus(ServerStatusRequest request, StreamObserver<ServerStatusResponse> response) {
        response.onNext(hubble.serverStatus());
        response.onCompleted();
    }

    @Override
    public void getNodes(GetNodesRequest request, StreamObserver<GetNodesResponse> response) {
        response.onNext(GetNodesResponse.newBuilder().addNodes(hubble.describe(address.get(), tls)).build());
        response.onCompleted();
    }
}
