package io.transitwatch.daemon.ingest;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.transitwatch.daemon.handoff.Credit;
import io.transitwatch.proto.observer.GetFlowsRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe where it must be: gRPC delivers {@code onNext}/{@code onError}/{@code onCompleted}
 * serially on the channel executor; {@link #topUp} may also run on the hand-off consumer thread
 * (through the stream's demand listener); {@link #cancel} on any thread.
 *
 * <p>One {@code GetFlows} call with manual flow control: auto-request is off
 * ({@code disableAutoRequestWithInitial(0)}) and the call asks the server for a message only
 * while holding a hand-off permit for it, keeping at most {@code window} requested and not yet
 * received. Each message is copied into the stream's {@link MessageBuffer} and handed to the
 * {@link Handler}; a message that does not end up in a FLOW/LOST_EVENTS slot gives its permit
 * back. When the call ends, permits for messages never received are returned.
 *
 * <p>The call's callbacks run on the ingest's callback executor through a wrapper that tells the
 * handler when gRPC has run every callback it had queued for the call ({@link Handler#onDrained}):
 * the moment a stream that batches its hand-offs must flush, because no further message is at hand.
 * gRPC hands the same serializing runner to the executor each time, so the wrapper is made once.
 */
final class FlowsCall implements ClientResponseObserver<GetFlowsRequest, InputStream> {
    /** Larger messages are a protocol violation, not a flow: a flow is a few kilobytes. */
    static final int MAX_MESSAGE_BYTES = 4 << 20;

    /** What the stream does with what the call delivers; called on the channel executor. */
    interface Handler {
        /** @return true if the message was published into a FLOW or LOST_EVENTS slot (its permit went with it) */
        boolean onMessage(byte[] bytes, int length);

        /** A message could not be read from the transport or exceeded {@link #MAX_MESSAGE_BYTES}. */
        void onUnreadable();

        /** The call ended; {@code messages} says how many were received before. */
        void onClosed(Status status, long messages);

        /** The callbacks queued for the call have run (not called once the call has ended). */
        void onDrained();
    }

    private final Credit credit;
    private final MessageBuffer buffer;
    private final Handler handler;
    private final int window;
    private final DrainExecutor drains;
    private volatile Thread delivering; // the thread running this call's callbacks now, else null
    private final Object drainLock = new Object(); // one run of the call's callbacks (and its onDrained) at a time
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Object permitLock = new Object(); // orders top-ups against close: no permit leaks
    private ClientCallStreamObserver<GetFlowsRequest> requests;
    private boolean closed;
    private long messages;

    /** @param callbacks where the call's callbacks run (the ingest's callback executor) */
    FlowsCall(Credit credit, MessageBuffer buffer, int window, Handler handler, Executor callbacks) {
        this.credit = credit;
        this.buffer = buffer;
        this.window = window;
        this.handler = handler;
        this.drains = new DrainExecutor(callbacks);
    }

    void start(Channel channel, GetFlowsRequest request) {
        ClientCalls.asyncServerStreamingCall(
                channel.newCall(RawFlowsMethod.GET_FLOWS, CallOptions.DEFAULT.withExecutor(drains)), request, this);
        topUp();
    }

    /** True if {@code thread} is running this call's callbacks right now. */
    boolean deliversOn(Thread thread) {
        return delivering == thread;
    }

    @Override
    public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> requestStream) {
        requestStream.disableAutoRequestWithInitial(0);
        synchronized (permitLock) {
            requests = requestStream;
        }
    }

    /** Asks for more messages if fewer than half the window are outstanding and permits allow. */
    void topUp() {
        ClientCallStreamObserver<GetFlowsRequest> stream;
        int granted;
        synchronized (permitLock) {
            int wanted = window - outstanding.get();
            if (closed || requests == null || wanted < (window + 1) / 2) {
                return;
            }
            granted = credit.tryAcquire(wanted);
            outstanding.addAndGet(granted);
            stream = requests;
        }
        if (granted > 0) {
            stream.request(granted);
        }
    }

    void cancel(String why) {
        ClientCallStreamObserver<GetFlowsRequest> stream;
        synchronized (permitLock) {
            stream = requests;
        }
        if (stream != null) {
            stream.cancel(why, null);
        }
    }

    @Override
    public void onNext(InputStream message) {
        outstanding.decrementAndGet();
        messages++;
        boolean published = false;
        try {
            if (buffer.readFully(message, MAX_MESSAGE_BYTES)) {
                published = handler.onMessage(buffer.bytes(), buffer.length());
            } else {
                handler.onUnreadable();
            }
        } catch (IOException e) {
            handler.onUnreadable();
        } finally {
            if (!published) {
                credit.release(1);
            }
        }
        topUp();
    }

    @Override
    public void onError(Throwable error) {
        close(Status.fromThrowable(error));
    }

    @Override
    public void onCompleted() {
        close(Status.OK);
    }

    /** Runs the call's callback tasks on the ingest's executor and reports when each run ends. */
    private final class DrainExecutor implements Executor {
        private final Executor delegate;
        private volatile DrainTask last;

        DrainExecutor(Executor delegate) {
            this.delegate = delegate;
        }

        @Override
        public void execute(Runnable task) {
            DrainTask wrapped = last;
            if (wrapped == null || wrapped.task != task) { // gRPC's serializing runner comes back each time
                wrapped = new DrainTask(task);
                last = wrapped;
            }
            delegate.execute(wrapped);
        }
    }

    private final class DrainTask implements Runnable {
        final Runnable task;

        DrainTask(Runnable task) {
            this.task = task;
        }

        @Override
        public void run() {
            // gRPC serialises its own runs, but the next may start on the other thread as soon as its
            // runner returns, before onDrained() has: the lock keeps the two apart.
            synchronized (drainLock) {
                delivering = Thread.currentThread();
                try {
                    task.run();
                    if (!closedOnThisThread()) {
                        handler.onDrained();
                    }
                } finally {
                    delivering = null;
                }
            }
        }
    }

    private boolean closedOnThisThread() {
        synchronized (permitLock) {
            return closed;
        }
    }

    private void close(Status status) {
        int unused;
        synchronized (permitLock) {
            closed = true;
            unused = outstanding.getAndSet(0);
        }
        credit.release(unused);
        handler.onClosed(status, messages);
    }
}
