package io.transitwatch.daemon.sim.hubble;

import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.lang.System.Logger.Level;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe: {@link #signal()} from any thread; the drain itself runs on the stream executor, never
 * on two threads at once (a work-in-progress counter serializes it). Moves responses from a
 * {@link Source} into one server stream while gRPC says the client can take them
 * ({@code isReady}); when it cannot, the pump stops and {@code onReady} wakes it again. So a slow
 * client leaves its backlog in the node rings (bounded), not in this process's heap; a client that
 * falls further behind than a ring holds gets a HUBBLE_RING_BUFFER LostEvent from the source.
 */
public final class FlowStreamPump implements Runnable {
    /** Where a stream's responses come from. Called only from the (serialized) drain. */
    public interface Source {
        /** The next response, or {@code null} when there is none now. */
        GetFlowsResponse poll();

        /** No response will ever come any more: the stream completes. */
        boolean finished();
    }

    /** Responses sent per turn before yielding the executor thread to other streams. */
    private static final int BATCH = 512;
    private static final System.Logger LOG = System.getLogger(FlowStreamPump.class.getName());

    private final ServerCallStreamObserver<GetFlowsResponse> out;
    private final Source source;
    private final String owner;
    private final Executor executor;
    private final ActiveStreams streams;
    private final AtomicInteger workInProgress = new AtomicInteger();
    private volatile boolean done;
    private volatile Status abortStatus;

    private FlowStreamPump(ServerCallStreamObserver<GetFlowsResponse> out, Source source, String owner,
            Executor executor, ActiveStreams streams) {
        this.out = out;
        this.source = source;
        this.owner = owner;
        this.executor = executor;
        this.streams = streams;
    }

    /**
     * Wires the pump to the call; must run inside the service method, before it returns.
     *
     * @param owner the server the call belongs to (a node name, or "relay"), see {@link ActiveStreams#abort}
     */
    public static FlowStreamPump start(ServerCallStreamObserver<GetFlowsResponse> out, Source source, String owner,
            Executor executor, ActiveStreams streams) {
        FlowStreamPump pump = new FlowStreamPump(out, source, owner, executor, streams);
        out.setOnCancelHandler(pump::stop);
        out.setOnReadyHandler(pump::signal);
        streams.add(pump);
        pump.signal();
        return pump;
    }

    /** Something may be ready to send (new events, a ready transport, time passing). */
    public void signal() {
        if (!done && workInProgress.getAndIncrement() == 0) {
            schedule();
        }
    }

    String owner() {
        return owner;
    }

    /** Ends the call with {@code status} (from the drain, so never concurrently with a send). */
    void abort(Status status) {
        abortStatus = status;
        signal();
    }

    @Override
    public void run() {
        int missed = workInProgress.get();
        while (true) {
            if (drainOneTurn()) {
                schedule(); // more to send: yield, keep the work-in-progress count
                return;
            }
            missed = workInProgress.addAndGet(-missed);
            if (missed == 0) {
                return;
            }
        }
    }

    /** Returns true when the batch ran out while more could be sent. */
    private boolean drainOneTurn() {
        int sent = 0;
        try {
            Status abort = abortStatus;
            if (abort != null && !done) {
                stop();
                out.onError(abort.asRuntimeException());
                return false;
            }
            while (!done && out.isReady()) {
                GetFlowsResponse next = source.poll();
                if (next == null) {
                    if (source.finished()) {
                        stop();
                        out.onCompleted();
                    }
                    return false;
                }
                out.onNext(next);
                if (++sent == BATCH) {
                    return true;
                }
            }
        } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "flow stream failed", e);
            stop();
            try {
                out.onError(Status.INTERNAL.withDescription(e.toString()).asRuntimeException());
            } catch (RuntimeException alreadyClosed) {
                LOG.log(Level.DEBUG, "flow stream already closed", alreadyClosed);
            }
        }
        return false;
    }

    private void schedule() {
        try {
            executor.execute(this);
        } catch (RejectedExecutionException e) {
            stop(); // the simulator is shutting down
        }
    }

    private void stop() {
        done = true;
        streams.remove(this);
    }
}
