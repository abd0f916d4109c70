package io.transitwatch.daemon.sim;

import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Thread-safe. Collects a streaming {@code GetFlows} call; with {@code manualFlowControl} it asks
 * for one message and then nothing until {@link #requestAll()}, like a stalled consumer.
 */
final class FlowCollector implements ClientResponseObserver<GetFlowsRequest, GetFlowsResponse> {
    private final boolean manualFlowControl;
    private final List<GetFlowsResponse> received = new ArrayList<>();
    private volatile ClientCallStreamObserver<GetFlowsRequest> call;
    private volatile Status status;

    FlowCollector(boolean manualFlowControl) {
        this.manualFlowControl = manualFlowControl;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> requestStream) {
        call = requestStream;
        if (manualFlowControl) {
            requestStream.disableAutoRequestWithInitial(1);
        }
    }

    @Override
    public synchronized void onNext(GetFlowsResponse response) {
        received.add(response);
    }

    @Override
    public void onError(Throwable t) {
        status = Status.fromThrowable(t);
    }

    @Override
    public void onCompleted() {
        status = Status.OK;
    }

    void requestAll() {
        call.request(Integer.MAX_VALUE);
    }

    void cancel() {
        call.cancel("test done", null);
    }

    synchronized List<GetFlowsResponse> received() {
        return List.copyOf(received);
    }

    synchronized long count(Predicate<GetFlowsResponse> filter) {
        return received.stream().filter(filter).count();
    }

    /** Null while the call is open. */
    Status status() {
        return status;
    }
}
