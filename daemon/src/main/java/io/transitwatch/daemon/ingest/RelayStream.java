package io.transitwatch.daemon.ingest;

import io.grpc.ManagedChannel;
import io.transitwatch.daemon.decode.FlowDecoder;
import io.transitwatch.daemon.ingest.RelayNodes.RelayNode;
import io.transitwatch.proto.relay.NodeState;

/**
 * Thread-confined like {@link ReconnectingStream}; node health is shared with the
 * {@link RelayNodePoller} through {@link RelayNodes}.
 *
 * <p>Relay mode: one {@code GetFlows} stream to Hubble Relay carrying every node's events,
 * demultiplexed by {@code node_name}. Each node keeps its own timeline (uuid de-duplication, gap
 * detection after a reconnect) and health: {@code node_status} NODE_CONNECTED marks nodes up,
 * NODE_UNAVAILABLE / NODE_ERROR / NODE_GONE down; a node marked down is up again with its first event
 * after the straggler window (see {@link RelayNodes}). When the relay stream itself fails, every node
 * is down until it is back.
 */
final class RelayStream extends ReconnectingStream implements RelayNodes.HealthListener {
    private static final System.Logger LOG = System.getLogger(RelayStream.class.getName());
    private final RelayNodes nodes;
    private volatile boolean live;
    private boolean resuming; // this call asked Relay to resume from the oldest node's last event
    private final long stragglerWindowNanos;

    RelayStream(IngestContext context) {
        super(context, IngestState.RELAY);
        this.nodes = new RelayNodes(context.dictionary(), context.state(), context.config().dedupWindow(), this,
                context.clock(), name -> {
                    context.addresses().nodeSeen(name);
                    context.addressesChanged();
                });
        this.stragglerWindowNanos = context.config().relayStragglerWindow().toNanos();
    }

    RelayNodes nodes() {
        return nodes;
    }

    /** True while the relay stream delivers: only then can "connected" from GetNodes mean flows reach us. */
    boolean live() {
        return live;
    }

    @Override
    ManagedChannel openChannel() {
        return context.channels().open(context.config().target(), context.config().tlsServerName(), false);
    }

    @Override
    String address() {
        return context.config().target();
    }

    @Override
    String serverName() {
        return context.config().tlsServerName();
    }

    @Override
    long resumeSinceNanos() {
        long[] oldest = {Long.MAX_VALUE};
        nodes.forEach(node -> {
            long last = node.timeline.lastSeenNanos();
            if (last != 0 && last < oldest[0]) {
                oldest[0] = last;
            }
        });
        return oldest[0] == Long.MAX_VALUE ? 0 : Math.max(1, oldest[0] - context.config().overlap().toNanos());
    }

    /**
     * The backfill overlap before now: Relay re-queries a node that recovers with this first request,
     * and only a {@code since} makes it re-read that node's outage rather than resume at "now" (a gap;
     * hubble-api.md §5.1).
     */
    @Override
    long firstSinceNanos() {
        return Math.max(1, context.clock().epochNanos() - context.config().overlap().toNanos());
    }

    @Override
    void onConnecting(boolean reconnect) {
        // Every node is down now (onStreamDown) and re-synchronises on its first event below.
        resuming = resumeSinceNanos() != 0;
        if (resuming) {
            nodes.forEach(node -> node.timeline.expectResend()); // Relay re-sends from the oldest node's since
        }
    }

    @Override
    public boolean onMessage(byte[] bytes, int length) {
        int result = decoder.decode(bytes, 0, length, scratch);
        if (result == FlowDecoder.MALFORMED) {
            state.malformed.incrementAndGet();
            return false;
        }
        if (!live) {
            live = true;
            state.connected(true);
            stateLog.delivering(resuming);
            learnServerVersion(); // Relay's own; each node's comes with GetNodes (RelayNodePoller)
        }
        if (result == FlowDecoder.NODE_STATUS) {
            applyNodeStatus();
            return false;
        }
        if ((result != FlowDecoder.FLOW && result != FlowDecoder.LOST_EVENTS) || scratch.node == 0) {
            return false; // a flow that names no node cannot be attributed; newer response types
        }
        RelayNode node = nodes.get(scratch.node);
        long downAt = node.downAtNanos;
        if (downAt != 0 && !node.announced && node.resendCheckedForDownAt != downAt) {
            // Relay re-queries a recovered node with our original request, whose since re-sends its ring:
            // those re-sends can come before the straggler window ends, so check them from the outage on.
            node.resendCheckedForDownAt = downAt;
            node.timeline.expectResendAfterOutage();
        }
        boolean back = !node.announced && node.pastStragglers(context.clock().epochNanos(), stragglerWindowNanos);
        if (back && node.downAtNanos != 0) {
            node.timeline.reconnected(); // back after an outage: this event shows whether Relay covered it
        }
        if (result == FlowDecoder.LOST_EVENTS) {
            if (back) {
                nodes.announceUp(node, false);
            }
            node.state.lostEvents.addAndGet(scratch.lostCount);
            context.state().overload().lostEvents(scratch.lostSource, scratch.lostCount);
            publishScratch();
            return true;
        }
        int verdict = node.timeline.accept(scratch.uuidHi, scratch.uuidLo, scratch.timeNanos);
        if (verdict == NodeTimeline.NEW_AFTER_GAP) {
            // Before NODE_UP, for the reason given in NodeStream.onMessage.
            node.state.gaps.incrementAndGet();
            publishControl(ControlEvent.gap(node.id, node.timeline.gapStartNanos(), scratch.timeNanos));
        }
        if (back) {
            // Announced as not backfilled: Relay resumes a node with our original request, whose since
            // (the first stream's) re-sends whatever the node's ring still holds, what we saw dropped
            // as duplicates (NodeTimeline); nothing says the ring still held the whole outage, so it
            // ends where this event shows the node's stream again.
            nodes.announceUp(node, false);
        }
        if (verdict == NodeTimeline.DUPLICATE) {
            node.state.duplicates.incrementAndGet();
            return false;
        }
        if (!node.delivered) {
            node.delivered = true;
        }
        node.state.flows.incrementAndGet();
        publishScratch();
        return true;
    }

    private void applyNodeStatus() {
        int stateChange = decoder.nodeStatusState();
        boolean up = stateChange == NodeState.NODE_CONNECTED_VALUE;
        boolean down = stateChange == NodeState.NODE_UNAVAILABLE_VALUE || stateChange == NodeState.NODE_ERROR_VALUE
                || stateChange == NodeState.NODE_GONE_VALUE;
        if (!up && !down) {
            return;
        }
        String message = context.dictionary().get(decoder.nodeStatusMessage());
        for (int i = 0; i < decoder.nodeStatusNodeCount(); i++) {
            RelayNode node = nodes.get(decoder.nodeStatusNode(i));
            String reason = up ? "" : context.dictionary().get(node.id) + " via relay " + address() + ": "
                    + NodeState.forNumber(stateChange) + (message == null || message.isEmpty() ? "" : ": " + message);
            if (up) {
                // NODE_CONNECTED starts a relay stream: with our since, Relay re-reads what a node that
                // delivered before missed (de-duplicated; a GAP for what its ring lost).
                nodes.announceUp(node, resuming && node.delivered);
            } else {
                nodes.setDown(node, reason);
            }
        }
    }

    @Override
    public void onDown(RelayNode node, String reason) {
        if (live) { // when the relay stream itself is down, its own line says so for every node
            LOG.log(System.Logger.Level.WARNING, "{0}: down behind relay: {1}", context.dictionary().get(node.id),
                    reason);
        }
        publishControl(ControlEvent.down(node.id, node.downAtNanos, context.dictionary().intern(reason)));
    }

    @Override
    public void onUp(RelayNode node, boolean backfilled) {
        long now = context.clock().epochNanos();
        if (live && node.downAtNanos != 0) {
            LOG.log(System.Logger.Level.INFO, "{0}: up again behind relay after {1} s; {2}",
                    context.dictionary().get(node.id),
                    String.format(java.util.Locale.ROOT, "%.1f", (now - node.downAtNanos) / 1e9),
                    backfilled ? "Relay re-reads the outage from our since" : "the outage's events are not re-read");
        }
        publishControl(ControlEvent.up(node.id, now, backfilled, 0));
    }

    @Override
    void onStreamDown(String reason) {
        allDown("relay stream down: " + reason);
    }

    @Override
    void onStopped(String reason) {
        allDown(reason);
    }

    private void allDown(String reason) {
        live = false;
        state.connected(false);
        nodes.forEach(node -> nodes.setDown(node, reason));
    }
}
