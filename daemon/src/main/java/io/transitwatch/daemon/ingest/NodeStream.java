package io.transitwatch.daemon.ingest;

import io.grpc.ManagedChannel;
import io.grpc.stub.StreamObserver;
import io.transitwatch.daemon.decode.FlowDecoder;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.proto.observer.ServerStatusResponse;

/**
 * Thread-confined like {@link ReconnectingStream}: messages on the ingest's transport thread, lifecycle on
 * the ingest scheduler.
 *
 * <p>Direct mode: the {@code GetFlows} stream of one node's Hubble server, over its own channel
 * (mTLS, with the node's TLS server name). It de-duplicates backfilled events by uuid, reports a
 * GAP when the backfill could not cover the disconnection, NODE_UP when events flow and NODE_DOWN
 * with the reason when the stream fails. Nothing here affects any other node.
 */
final class NodeStream extends ReconnectingStream {
    private final int node;
    private final String address;
    private final String serverName;
    private final boolean plaintext;
    private final NodeTimeline timeline;
    private volatile boolean up;
    private boolean downReported;
    private boolean backfilling; // this connection resumed from the last event seen
    private long resumedFromNanos; // the node-clock since it resumed from, when backfilling

    /**
     * @param serverName TLS name of the node's certificate, null for the host of {@code address}
     * @param plaintext true for a node that announced no TLS
     */
    NodeStream(IngestContext context, String name, String address, String serverName, boolean plaintext) {
        super(context, name);
        this.node = context.dictionary().pin(name);
        this.address = address;
        this.serverName = serverName;
        this.plaintext = plaintext;
        this.timeline = new NodeTimeline(context.config().dedupWindow());
    }

    /**
     * For a node with a BPF events rate limit: asks its Hubble how many events it has seen, for
     * {@link EventRateWatch}; a failed answer leaves the time until {@code nextPollNanos} from now
     * unknown. Only while the stream is up. Scheduler thread. Returns whether it asked.
     */
    boolean countEvents(long nextPollNanos) {
        EventRateWatch watch = context.rateWatch();
        if (!up || !watch.limited(node)) {
            return false;
        }
        long asked = context.clock().epochNanos();
        return askServerStatus(new StreamObserver<>() {
            @Override
            public void onNext(ServerStatusResponse response) {
                watch.counted(node, response.getSeenFlows(), response.getUptimeNs(), asked);
            }

            @Override
            public void onError(Throwable error) {
                watch.unknown(node, nextPollNanos);
            }

            @Override
            public void onCompleted() {
                // a unary call: onNext carried the answer
            }
        }, nextPollNanos);
    }

    int node() {
        return node;
    }

    String nodeAddress() {
        return address;
    }

    @Override
    ManagedChannel openChannel() {
        return context.channels().open(address, serverName, plaintext);
    }

    @Override
    String address() {
        return address;
    }

    @Override
    String serverName() {
        return serverName;
    }

    @Override
    long resumeSinceNanos() {
        return timeline.resumeSinceNanos(context.config().overlap().toNanos());
    }

    /**
     * None: a first stream reads no history (hubble-api.md §5.2 and §6.3: "omit on first connect"). A burst of
     * seconds-old events would make the node's clock offset look that much larger until live ones come,
     * so its departures would be placed later than they left, past the moment a peer's view began
     * (a peer whose clock runs behind reads less of its ring with the same {@code since}): false LOST.
     * Nothing is missed by it: a node's view starts at its first event (ObserverHealth).
     */
    @Override
    long firstSinceNanos() {
        return 0;
    }

    @Override
    void onConnecting(boolean reconnect) {
        backfilling = (reconnect || timeline.resumesPredecessor()) && timeline.reconnected();
        resumedFromNanos = backfilling ? resumeSinceNanos() : 0;
    }

    /** Resume where a predecessor process's writes end ({@link NodeTimeline#resumeAfter}); before {@link #start}. */
    void resumeAfter(long nanos) {
        timeline.resumeAfter(nanos);
    }

    @Override
    public boolean onMessage(byte[] bytes, int length) {
        int result = decoder.decode(bytes, 0, length, scratch);
        if (result == FlowDecoder.MALFORMED) {
            state.malformed.incrementAndGet();
            return false;
        }
        if (result != FlowDecoder.FLOW && result != FlowDecoder.LOST_EVENTS) {
            return false; // node_status or newer response types: nothing a node server should send
        }
        scratch.node = node; // the stream says which node this is, whatever a masked flow carries
        if (result == FlowDecoder.LOST_EVENTS) {
            if (!up) {
                markUp();
            }
            state.lostEvents.addAndGet(scratch.lostCount);
            context.state().overload().lostEvents(scratch.lostSource, scratch.lostCount);
            publishScratch();
            return true;
        }
        int verdict = timeline.accept(scratch.uuidHi, scratch.uuidLo, scratch.timeNanos);
        if (verdict == NodeTimeline.NEW_AFTER_GAP) {
            // Before NODE_UP: a backfilled NODE_UP lets the join drop the outage, which it may then
            // decide on at once; it must already know what the backfill did not cover.
            state.gaps.incrementAndGet();
            publishControl(ControlEvent.gap(node, timeline.gapStartNanos(), scratch.timeNanos));
        }
        if (!up) {
            markUp();
        }
        if (verdict == NodeTimeline.DUPLICATE) {
            state.duplicates.incrementAndGet();
            return false;
        }
        state.flows.incrementAndGet();
        publishScratch();
        return true;
    }

    private void markUp() {
        up = true;
        downReported = false;
        state.connected(true);
        stateLog.delivering(backfilling);
        publishControl(ControlEvent.up(node, context.clock().epochNanos(), backfilling, resumedFromNanos));
        learnServerVersion(); // the node may have been upgraded while we were away
    }

    @Override
    void onStreamDown(String reason) {
        reportDown(reason, !downReported); // a node that stays down is reported once, not once per retry
    }

    @Override
    void onStopped(String reason) {
        reportDown(reason, false);
    }

    private void reportDown(String reason, boolean evenIfNotUp) {
        if (up || evenIfNotUp) {
            up = false;
            downReported = true;
            state.connected(false);
            publishControl(ControlEvent.down(node, context.clock().epochNanos(), context.dictionary().intern(reason)));
        }
    }
}
