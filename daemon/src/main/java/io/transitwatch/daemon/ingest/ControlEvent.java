package io.transitwatch.daemon.ingest;

import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.NodeEvent;

/**
 * Immutable. A stream-health event (NODE_UP, NODE_DOWN, GAP, or the LOST_EVENTS and EVENTS_COUNTED of
 * a node's events rate limit) on its way into the hand-off ring.
 * These are rare (one per node state change, or two a second per rate-limited node), so they are plain
 * objects; flows are not.
 *
 * <p>{@code timeNanos} of NODE_UP and NODE_DOWN is the daemon's clock (a node that is down has
 * no clock to report); a GAP's times are the node's clock, like the events around it. A LOST_EVENTS
 * of the events rate limit ({@link EventRateWatch}) carries its span in the gap fields, on the
 * daemon's clock.
 */
record ControlEvent(byte kind, int node, long timeNanos, int reason, long gapStartNanos, long gapEndNanos,
        boolean backfilled, long resumedFromNanos) {
    // Every NODE_DOWN of the live ingest is followed by a NODE_UP when the stream is back (upAnnounced).

    /**
     * @param backfilled the stream resumed from the last event seen ({@code since} + uuid de-duplication),
     *     so the outage is covered except for a GAP that may follow
     * @param resumedFromNanos with {@code backfilled}: the node-clock {@code since} it resumed from (0 unknown)
     */
    static ControlEvent up(int node, long nowNanos, boolean backfilled, long resumedFromNanos) {
        return new ControlEvent(NodeEvent.NODE_UP, node, nowNanos, 0, 0, 0, backfilled,
                backfilled ? resumedFromNanos : 0);
    }

    static ControlEvent down(int node, long nowNanos, int reason) {
        return new ControlEvent(NodeEvent.NODE_DOWN, node, nowNanos, reason, 0, 0, false, 0);
    }

    static ControlEvent gap(int node, long startNanos, long endNanos) {
        return new ControlEvent(NodeEvent.GAP, node, endNanos, 0, startNanos, endNanos, false, 0);
    }

    /** The node may have dropped events unreported between the two daemon-clock times (its events rate limit). */
    static ControlEvent rateLimited(int node, long fromNanos, long toNanos) {
        return new ControlEvent(NodeEvent.LOST_EVENTS, node, toNanos, 0, fromNanos, toNanos, false, 0);
    }

    /**
     * The node's events rate limit has been judged up to {@code throughNanos} (daemon clock; {@link
     * Long#MIN_VALUE}: not yet, {@link Long#MAX_VALUE}: the node is no longer watched).
     */
    static ControlEvent counted(int node, long throughNanos) {
        return new ControlEvent(NodeEvent.EVENTS_COUNTED, node, throughNanos, 0, 0, 0, false, 0);
    }

    /** Publishes into the control headroom; false only if the thread was interrupted meanwhile. */
    boolean publishTo(HandoffRing ring) {
        return ring.publishControl(ControlEvent::write, this);
    }

    private static void write(NodeEvent slot, ControlEvent event) {
        slot.kind = event.kind;
        slot.node = event.node;
        slot.timeNanos = event.timeNanos;
        slot.reason = event.reason;
        if (event.kind == NodeEvent.LOST_EVENTS) {
            slot.lostSource = NodeEvent.LOST_SOURCE_EVENTS_RATE_LIMIT;
            slot.lostCpu = NodeEvent.CPU_UNKNOWN;
            slot.lostFirstNanos = event.gapStartNanos;
            slot.lostLastNanos = event.gapEndNanos;
        } else {
            slot.gapStartNanos = event.gapStartNanos;
            slot.gapEndNanos = event.gapEndNanos;
        }
        slot.backfilled = event.backfilled;
        slot.resumedFromNanos = event.resumedFromNanos;
        slot.upAnnounced = event.kind == NodeEvent.NODE_DOWN;
    }
}
