package io.transitwatch.daemon.ingest;

import com.google.common.util.concurrent.MoreExecutors;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe where it must be: gRPC delivers {@code onNext}/{@code onError}/{@code onCompleted}
 * serially on the transport thread (an ended call's last callback may come from the thread that
 * ended it); {@link #topUp} may also run on the hand-off consumer thread (through the stream's demand
 * listener); {@link #cancel} on any thread.
 *
 * <p>One {@code GetFlows} call with manual flow control: auto-request is off
 * ({@code disableAutoRequestWithInitial(0)}) and the call asks the server for a message only
 * while holding a hand-off permit for it, keeping at most {@code window} requested and not yet
 * received. Each message is copied into the stream's {@link MessageBuffer} and handed to the
 * {@link Handler}; a message that does not end up in a FLOW/LOST_EVENTS slot gives its permit
 * back. When the call ends, permits for messages never received are returned.
 *
 * <p>The call's callbacks run on the transport thread itself (gRPC's direct executor): the handler
 * only decodes into a batch and publishes without blocking, so a hand-off to a callback pool — a
 * queue insert and a park/unpark per message — buys nothing (ADR 0015). The transport thread reads
 * what the socket has, delivering each message as it is deframed; a task queued behind those reads
 * ({@link HubbleChannels#afterReads}) tells the handler that no further message is at hand
 * ({@link Handler#onDrained}): the moment a stream that batches its hand-offs must flush.
 */
final class FlowsCall implements ClientResponseObserver<GetFlowsRequest, InputStream> {
    static final int MAX_MESSAGE_BYTES = GrpcTransport.MAX_MESSAGE_BYTES;

    /** What the stream does with what the call delivers; called on the transport thread. */
    interface Handler {
        /** @return true if the message was published into a FLOW or LOST_EVENTS slot (its permit went with it) */
        boolean onMessage(byte[] bytes, int length);

        /** A message could not be read from the transport or exceeded {@link #MAX_MESSAGE_BYTES}. */
        void onUnreadable();

        /** The call ended; {@code messages} says how many were received before. */
        void onClosed(Status status, long messages);

        /**
         * The transport thread has handled what it had read: no further message is at hand (not
         * called once the call has ended).
         */
        void onDrained();
    }

    private final Credit credit;
    private final MessageBuffer buffer;
    private final Handler handler;
    private final int window;
    private final HubbleChannels transport;
    private final Runnable drained = this::drained; // made once: queued on the transport thread per burst of reads
    private boolean drainQueued; // transport thread only
    private final AtomicInteger outstanding = new AtomicInteger();
    private final Object permitLock = new Object(); // orders top-ups against close: no permit leaks
    private ClientCallStreamObserver<GetFlowsRequest> requests;
    private boolean closed;
    private long messages;

    /** @param transport the channels whose transport thread delivers the call's messages */
    FlowsCall(Credit credit, MessageBuffer buffer, int window, Handler handler, HubbleChannels transport) {
        this.credit = credit;
        this.buffer = buffer;
        this.window = window;
        this.handler = handler;
        this.transport = transport;
    }

    void start(Channel channel, GetFlowsRequest request) {
        CallOptions onTransportThread = CallOptions.DEFAULT.withExecutor(MoreExecutors.directExecutor());
        ClientCalls.asyncServerStreamingCall(channel.newCall(RawFlowsMethod.GET_FLOWS, onTransportThread), request,
                this);
        topUp();
    }

    /** True if the calling thread is the one that delivers this call's messages. */
    boolean deliversOnCurrentThread() {
        return transport.onTransportThread();
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
        if (window - outstanding.get() < (window + 1) / 2) {
            return; // most messages: no lock taken (the check is repeated under it)
        }
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
        if (!drainQueued) { // runs once the transport thread has handled what it read with this message
            drainQueued = true;
            transport.afterReads(drained);
        }
        topUp();
    }

    private void drained() {
        drainQueued = false;
        if (!closedOnThisThread()) {
            handler.onDrained();
        }
    }

    @Override
    public void onError(Throwable error) {
        close(Status.fromThrowable(error));
    }

    @Override
    public void onCompleted() {
        close(Status.OK);
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
