package io.transitwatch.daemon.ingest;

import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.transitwatch.daemon.decode.FlowDecoder;
import io.transitwatch.daemon.handoff.Credit;
import io.transitwatch.daemon.handoff.DemandListener;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.proto.observer.ObserverGrpc;
import io.transitwatch.proto.observer.ServerStatusRequest;
import io.transitwatch.proto.observer.ServerStatusResponse;
import java.lang.System.Logger.Level;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Thread-confined by hand-over: {@link #start}, {@link #stop} and reconnects run on the ingest
 * scheduler; message callbacks on the ingest's transport thread, one call at a time (a call's last callback
 * happens-before the reconnect it schedules); the demand listener on the hand-off consumer thread
 * touches only the current call's permits.
 *
 * <p>A {@code GetFlows} subscription that survives its server: it keeps one {@link FlowsCall}
 * open, and when the call ends it reconnects after an exponential backoff with jitter, asking the
 * server to resume from {@link #resumeSinceNanos()} (a first call from {@link #firstSinceNanos()}).
 * A server that rejects the request at stream start (INVALID_ARGUMENT or UNIMPLEMENTED before any
 * message) is asked again at once with the next simpler {@link RequestProfile}, logged once.
 * Subclasses say what a message means ({@link #onMessage}) and what "down" means
 * ({@link #onStreamDown}): one node for a direct stream, every node behind it for Relay.
 */
abstract class ReconnectingStream implements FlowsCall.Handler, DemandListener {
    private static final System.Logger LOG = System.getLogger(ReconnectingStream.class.getName());
    final IngestContext context;
    final String name;
    final NodeIngestState state;
    final FlowDecoder decoder;
    /** Batches of at most this many decoded events are handed over at once. */
    static final int BATCH = 32;
    private final FlowBatch batch;
    /** Where the next message is decoded: the batch's next free event. */
    NodeEvent scratch;
    private final Credit credit;
    private final MessageBuffer buffer = new MessageBuffer();
    private final Backoff backoff;
    private final int window;

    private volatile ManagedChannel channel; // opened on the scheduler, closed by stop()
    private volatile FlowsCall call;
    private volatile boolean stopped;
    private final Object reconnectLock = new Object(); // stop() vs. a reconnect being scheduled
    private ScheduledFuture<?> pendingReconnect;
    private boolean everConnected;
    final StreamStateLog stateLog;
    private final ServerVersionQuery versionQuery;
    private final Runnable askVersion = this::askServerVersion; // built once: no allocation on the message thread

    ReconnectingStream(IngestContext context, String name) {
        this.context = context;
        this.name = name;
        this.state = context.state().register(name);
        this.decoder = new FlowDecoder(context.dictionary());
        this.stateLog = new StreamStateLog(LOG, name, context.clock());
        this.credit = context.ring().newCredit(this);
        this.backoff = new Backoff(context.config().backoffMin(), context.config().backoffMax(),
                new SplittableRandom());
        // A quarter of the permits at most, so that one busy stream cannot starve the others.
        this.window = Math.max(1, Math.min(context.config().requestWindow(), context.ring().flowPermitCapacity() / 4));
        this.batch = new FlowBatch(context.ring(), Math.min(BATCH, window));
        this.scratch = batch.next();
        this.versionQuery = new ServerVersionQuery(context.state(), name);
    }

    /** Opens this stream's channel; called once, lazily, on the scheduler. The stream owns it. */
    abstract ManagedChannel openChannel();

    /** {@code host:port} for messages. */
    abstract String address();

    /** Node-clock time to resume from, 0 when there is nothing to resume (no event seen yet). */
    abstract long resumeSinceNanos();

    /** The {@code since} of a call made before any event was seen, 0 for none (the server's newest event on). */
    abstract long firstSinceNanos();

    /** The call's {@code since}: where a reconnect resumes, or, before any event was seen, {@link #firstSinceNanos()}. */
    private long sinceNanos() {
        long resume = resumeSinceNanos();
        return resume != 0 ? resume : firstSinceNanos();
    }

    /** A call is about to start; {@code reconnect} is false only for the very first one. */
    abstract void onConnecting(boolean reconnect);

    /** The stream failed or stopped with {@code reason}: publish what is now unknown. */
    abstract void onStreamDown(String reason);

    /** The stream was stopped for {@code reason}: publish what is now unknown. */
    abstract void onStopped(String reason);

    /** Schedules the first connection. */
    void start() {
        context.scheduler().execute(this::connect);
    }

    /**
     * Ends the stream for good and closes its channel; called on the scheduler or by the lifecycle
     * at shutdown.
     */
    void stop(String reason) {
        stopped = true;
        synchronized (reconnectLock) {
            if (pendingReconnect != null) {
                pendingReconnect.cancel(false);
            }
        }
        FlowsCall current = call;
        if (current != null) {
            current.cancel(reason);
        }
        credit.close();
        onStopped(reason);
        ManagedChannel toClose = channel;
        if (toClose != null) {
            HubbleChannels.shutdown(toClose);
        }
    }

    private Channel channel() {
        if (channel == null) {
            channel = openChannel();
        }
        return channel;
    }

    boolean stopped() {
        return stopped;
    }

    /**
     * Asks the server for its version on the scheduler, beside the stream; subclasses call it once
     * per connection, when the stream first delivers.
     */
    void learnServerVersion() {
        try {
            context.scheduler().execute(askVersion);
        } catch (RejectedExecutionException e) {
            // the ingest is shutting down: no version to learn any more
        }
    }

    /**
     * Asks the server for its {@code ServerStatus} beside the stream, on the scheduler; the answer comes on
     * the channel executor. False (nothing asked) while no channel is open.
     */
    boolean askServerStatus(StreamObserver<ServerStatusResponse> answer, long deadlineNanos) {
        ManagedChannel open = channel;
        if (open == null || stopped) {
            return false;
        }
        ObserverGrpc.newStub(open).withDeadlineAfter(deadlineNanos, TimeUnit.NANOSECONDS)
                .serverStatus(ServerStatusRequest.getDefaultInstance(), answer);
        return true;
    }

    private void askServerVersion() {
        askServerStatus(versionQuery, ServerVersionQuery.DEADLINE_NANOS);
    }

    private void connect() {
        if (stopped) {
            return;
        }
        onConnecting(everConnected);
        if (everConnected) {
            state.reconnects.incrementAndGet();
            ManagedChannel open = channel;
            if (open != null) {
                // Our backoff decides when to try again. Without this, a call on a channel in
                // TRANSIENT_FAILURE fails at once until gRPC's own reconnect backoff (1.6x up to
                // 120 s) lets it dial: a node back after 20 s was reached only some 10 s later.
                open.resetConnectBackoff();
            }
        }
        everConnected = true;
        FlowsCall next = new FlowsCall(credit, buffer, window, this, context.channels());
        call = next;
        try {
            next.start(channel(), FlowsRequests.build(state.requestProfile(), sinceNanos()));
        } catch (RuntimeException e) { // e.g. a channel that cannot be built for a bad address
            onClosed(Status.INTERNAL.withDescription(e.getMessage()).withCause(e), 0);
        }
    }

    @Override
    public void onCreditAvailable() {
        FlowsCall current = call;
        if (current != null) {
            current.topUp();
        }
    }

    @Override
    public void onUnreadable() {
        state.malformed.incrementAndGet();
    }

    @Override
    public void onDrained() {
        if (stopped) {
            dropBatch();
        } else {
            flushBatch();
        }
    }

    @Override
    public void onClosed(Status status, long messages) {
        if (stopped) {
            dropBatch(); // NODE_DOWN is out already: these events would come after it
            return;
        }
        flushBatch();
        if (messages == 0 && rejectsRequest(status) && fallBack(status)) {
            context.scheduler().execute(this::connect);
            return;
        }
        String reason = StreamFailures.describe(name, address(), status, context.config().tls(), serverName());
        state.lastError(reason);
        onStreamDown(reason);
        if (messages > 0) {
            backoff.reset();
        }
        long delay = backoff.nextDelayNanos();
        stateLog.failed(reason, delay);
        scheduleReconnect(delay);
    }

    /** The TLS server name used for this stream, null for the target host. */
    abstract String serverName();

    private static boolean rejectsRequest(Status status) {
        return status.getCode() == Status.Code.INVALID_ARGUMENT || status.getCode() == Status.Code.UNIMPLEMENTED;
    }

    private boolean fallBack(Status status) {
        RequestProfile current = state.requestProfile();
        RequestProfile next = current.fallback();
        if (next == null || !state.downgrade(current, next)) {
            return false;
        }
        LOG.log(Level.WARNING, "{0} ({1}) rejected the GetFlows request ({2}: {3}); retrying with {4}",
                name, address(), status.getCode(), status.getDescription(), next);
        return true;
    }

    private void scheduleReconnect(long delayNanos) {
        synchronized (reconnectLock) {
            if (!stopped) {
                pendingReconnect = context.scheduler().schedule(this::connect, delayNanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    /**
     * Publishes a control event, giving up quietly only when the ingest is shutting down. On the
     * thread delivering the stream's messages, the events decoded before it go first.
     */
    void publishControl(ControlEvent event) {
        FlowsCall current = call;
        if (current != null && current.deliversOnCurrentThread()) {
            flushBatch();
        }
        if (!event.publishTo(context.ring()) && !stopped) {
            LOG.log(Level.WARNING, "{0}: interrupted while publishing {1}", name, event);
        }
    }

    /**
     * Hands {@link #scratch} over as a FLOW or LOST_EVENTS slot, with the permit of its message: kept
     * in the batch, published with it (at the latest when the transport thread has handled what it read).
     */
    void publishScratch() {
        batch.commit();
        scratch = batch.next();
    }

    private void flushBatch() {
        batch.flush();
        scratch = batch.next();
    }

    private void dropBatch() {
        credit.release(batch.discard());
        scratch = batch.next();
    }
}
