package io.transitwatch.daemon.ingest;

/**
 * Single thread at a time: used by the thread delivering the node's messages while a stream is
 * open, and by the thread that opens the next stream after it closed (the executor hand-over
 * orders the two).
 *
 * <p>What the ingest remembers of one node's event history across reconnects: the newest event
 * time seen, the recent uuids, and whether the first event after a reconnect is still awaited.
 *
 * <p>Gap rule: a reconnect asks for {@code since = lastSeen - overlap}. A server whose ring still
 * holds the last event seen sends it again (a duplicate), so the first <em>new</em> event after a
 * reconnect that is newer than {@code lastSeen}, with no duplicate before it, means the events in
 * between are gone: a GAP {@code (lastSeen, firstNew)}. Events without a uuid are never
 * considered duplicates.
 */
final class NodeTimeline {
    static final int NEW = 0;
    static final int DUPLICATE = 1;
    /** New, and a gap precedes it: see {@link #gapStartNanos()}. */
    static final int NEW_AFTER_GAP = 2;

    private final UuidWindow seen;
    private long lastSeenNanos;
    private boolean awaitingFirstAfterReconnect;
    private long gapStartNanos;

    NodeTimeline(int dedupWindow) {
        this.seen = new UuidWindow(dedupWindow);
    }

    /** Node-clock time to resume from after a reconnect, 0 when no event was ever seen. */
    long resumeSinceNanos(long overlapNanos) {
        return lastSeenNanos == 0 ? 0 : Math.max(1, lastSeenNanos - overlapNanos);
    }

    /**
     * A new stream for this node is about to deliver (or, behind Relay, the node recovered); only a
     * node that delivered an event before can have a gap.
     *
     * @return true if the next events are checked for a gap: the outage counts as backfilled
     */
    boolean reconnected() {
        awaitingFirstAfterReconnect = lastSeenNanos != 0;
        return awaitingFirstAfterReconnect;
    }

    /** Classifies one flow; {@link #DUPLICATE}s are to be dropped. */
    int accept(long uuidHi, long uuidLo, long timeNanos) {
        boolean hasUuid = uuidHi != 0 || uuidLo != 0;
        if (hasUuid && !seen.add(uuidHi, uuidLo, timeNanos)) {
            awaitingFirstAfterReconnect = false; // the server still covered what we had seen
            return DUPLICATE;
        }
        int result = NEW;
        if (awaitingFirstAfterReconnect) {
            awaitingFirstAfterReconnect = false;
            if (timeNanos > lastSeenNanos) {
                gapStartNanos = lastSeenNanos;
                result = NEW_AFTER_GAP;
            }
        }
        if (timeNanos > lastSeenNanos) {
            lastSeenNanos = timeNanos;
        }
        return result;
    }

    /** Start of the gap reported by the last {@link #NEW_AFTER_GAP}: the last event seen before it. */
    long gapStartNanos() {
        return gapStartNanos;
    }

    long lastSeenNanos() {
        return lastSeenNanos;
    }
}
