package io.transitwatch.daemon.ingest;

/**
 * Single thread at a time: used by the thread delivering the node's messages while a stream is
 * open, and by the thread that opens the next stream after it closed (the executor hand-over
 * orders the two).
 *
 * <p>What the ingest remembers of one node's event history across reconnects: the newest event
 * time seen, the recent uuids, and whether the first event after a reconnect is still awaited.
 *
 * <p>Duplicates: a server sends an event again only when asked to resume from before it, so only
 * events no newer than the newest one seen when the resumed stream started can be duplicates. Every
 * event's uuid goes into a cheap log ({@link RecentUuids}); {@link #expectResend()} (called by
 * {@link #reconnected()}, and by a relay stream that resumes) turns the log into a set and remembers
 * that newest time, and only events up to it are looked up. Everything newer, which is all of normal
 * operation, costs a comparison and two stores.
 *
 * <p>Gap rule: a reconnect asks for {@code since = lastSeen - overlap}. A server whose ring still
 * holds the last event seen sends it again (a duplicate), so the first <em>new</em> event after a
 * reconnect that is newer than {@code lastSeen}, with no duplicate before it, means the events in
 * between are gone: a GAP {@code (lastSeen, firstNew)}. Events without a uuid are never
 * considered duplicates.
 *
 * <p>A resend can reach back further than the uuids remembered: Relay re-queries a recovered node
 * with the original request, whose {@code since} may be hours old, and the node replays its whole
 * ring. An event no newer than the newest one seen and older than everything the uuid log holds was
 * delivered before (the stream is in order) or reported missing then (GAP, lost events): it is a
 * duplicate too, never a new departure or arrival from long ago.
 */
final class NodeTimeline {
    static final int NEW = 0;
    static final int DUPLICATE = 1;
    /** New, and a gap precedes it: see {@link #gapStartNanos()}. */
    static final int NEW_AFTER_GAP = 2;

    private final RecentUuids recent;
    private UuidWindow resendable; // uuids a resumed stream may send again; null before any resume
    private long resendUpToNanos = Long.MIN_VALUE;
    private long resendHeldSinceNanos = Long.MIN_VALUE; // the uuid set vouches for every event from here on
    private long lastSeenNanos;
    private boolean trackingOutage; // behind Relay, between NODE_DOWN and the node's return
    private boolean awaitingFirstAfterReconnect;
    private long gapStartNanos;
    private boolean resumedFromPredecessor;

    NodeTimeline(int dedupWindow) {
        this.recent = new RecentUuids(dedupWindow);
    }

    /**
     * A new process takes over where its predecessor's writes end (a collector restarted: DESIGN §8):
     * the first stream resumes from {@code nanos} and reports a gap if it cannot reach back that far.
     * Nothing was delivered here, so nothing it sends is a re-send to drop: the predecessor's
     * consumers drop what it had written. No-op once an event was seen.
     */
    void resumeAfter(long nanos) {
        if (lastSeenNanos == 0 && nanos > 0) {
            lastSeenNanos = nanos;
            resumedFromPredecessor = true;
        }
    }

    /** Whether the next stream resumes a predecessor's node ({@link #resumeAfter}) rather than starting fresh. */
    boolean resumesPredecessor() {
        return resumedFromPredecessor;
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
        trackingOutage = false;
        if (resumedFromPredecessor) {
            // Kept until the first event: a first call that fails before it is retried the same way.
            awaitingFirstAfterReconnect = true;
            return true;
        }
        expectResend();
        awaitingFirstAfterReconnect = lastSeenNanos != 0;
        return awaitingFirstAfterReconnect;
    }

    /** A stream that resumes from before the newest event seen is about to deliver: check what it sends again. */
    void expectResend() {
        if (lastSeenNanos != 0) {
            resendable = recent.toSet();
            resendUpToNanos = lastSeenNanos;
            resendHeldSinceNanos = recent.heldSinceNanos();
        }
    }

    /**
     * Behind Relay, the node was reported down: Relay re-queries it with the original request when it
     * recovers, and the re-sent ring can arrive while the stragglers of the old stream still do. Every
     * event from here on is checked against what was delivered, stragglers included, until
     * {@link #reconnected()}.
     */
    void expectResendAfterOutage() {
        expectResend();
        trackingOutage = resendable != null;
    }

    /** Classifies one flow; {@link #DUPLICATE}s are to be dropped. */
    int accept(long uuidHi, long uuidLo, long timeNanos) {
        if (uuidHi != 0 || uuidLo != 0) {
            if (timeNanos <= resendUpToNanos
                    && (timeNanos < resendHeldSinceNanos || !resendable.add(uuidHi, uuidLo))) {
                awaitingFirstAfterReconnect = false; // the server still covered what we had seen
                resumedFromPredecessor = false;
                return DUPLICATE;
            }
            if (trackingOutage && timeNanos > resendUpToNanos) {
                resendable.add(uuidHi, uuidLo); // a straggler: Relay's re-query will send it again
                resendUpToNanos = timeNanos;
            }
            recent.add(uuidHi, uuidLo, timeNanos);
        }
        int result = NEW;
        if (awaitingFirstAfterReconnect) {
            awaitingFirstAfterReconnect = false;
            resumedFromPredecessor = false;
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
