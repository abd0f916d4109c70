package io.transitwatch.daemon.join;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>What the join knows about each node's observer (its Hubble stream): up, down or never seen,
 * and the spans of the daemon's time line for which that node's events are incomplete — before its
 * stream first delivered, while its stream was down, a gap that backfill could not cover, or a run
 * of Hubble's own lost events. A departure whose window overlaps such a span cannot be declared
 * lost: its arrival may be the event that went missing. Spans are kept per node in a small ring,
 * merged when they touch, so a flood of lost-event reports costs one span, not one each.
 */
final class ObserverHealth {
    static final byte NEVER_SEEN = 0;
    static final byte UP = 1;
    static final byte DOWN = 2;

    private static final long OPEN = Long.MAX_VALUE;

    private final int spansPerNode;
    private final byte[] state;
    private final long[] downSince;
    private final long[] spanStart;
    private final long[] spanEnd;
    private final byte[] spanReason;
    private final int[] spanCount;
    private final int[] spanNext;

    ObserverHealth(int maxNodes, int spansPerNode) {
        this.spansPerNode = spansPerNode;
        state = new byte[maxNodes];
        downSince = new long[maxNodes];
        spanStart = new long[maxNodes * spansPerNode];
        spanEnd = new long[maxNodes * spansPerNode];
        spanReason = new byte[maxNodes * spansPerNode];
        spanCount = new int[maxNodes];
        spanNext = new int[maxNodes];
    }

    byte state(int node) {
        return state[node];
    }

    boolean isUp(int node) {
        return state[node] == UP;
    }

    /**
     * The stream delivers again. Without backfill the open "down" span closes at {@code frameNanos};
     * with backfill the outage was re-read from Hubble's ring, so the span is dropped (whatever the
     * ring no longer held arrives separately as a GAP span).
     */
    void markUp(int node, long frameNanos, boolean backfilled) {
        if (state[node] == NEVER_SEEN) {
            // Nothing the node reported before its stream first delivered reached us.
            addSpan(node, Long.MIN_VALUE, frameNanos, UnverifiedReason.NO_OBSERVER);
        } else if (state[node] == DOWN) {
            closeOpenSpan(node, backfilled ? Long.MIN_VALUE : frameNanos);
        }
        state[node] = UP;
    }

    /** The stream failed: everything after {@code sinceFrameNanos} is unknown until it is back. */
    void markDown(int node, long sinceFrameNanos) {
        if (state[node] != DOWN) {
            addSpan(node, sinceFrameNanos, OPEN, UnverifiedReason.OBSERVER_DOWN);
            downSince[node] = sinceFrameNanos;
        }
        state[node] = DOWN;
    }

    /** Whether an event at {@code frameNanos} shows the node delivering again (it is newer than the outage). */
    boolean resumes(int node, long frameNanos) {
        return state[node] != DOWN || frameNanos > downSince[node];
    }

    void addSpan(int node, long fromFrameNanos, long toFrameNanos, UnverifiedReason reason) {
        int base = node * spansPerNode;
        byte code = (byte) reason.ordinal();
        int count = spanCount[node];
        if (count > 0) {
            int last = base + ((spanNext[node] - 1 + spansPerNode) % spansPerNode);
            if (spanReason[last] == code && spanEnd[last] != OPEN && fromFrameNanos <= spanEnd[last]) {
                spanStart[last] = Math.min(spanStart[last], fromFrameNanos);
                spanEnd[last] = Math.max(spanEnd[last], toFrameNanos);
                return;
            }
        }
        int slot = base + spanNext[node];
        spanStart[slot] = fromFrameNanos;
        spanEnd[slot] = toFrameNanos;
        spanReason[slot] = code;
        spanNext[node] = (spanNext[node] + 1) % spansPerNode;
        if (count < spansPerNode) {
            spanCount[node] = count + 1;
        }
    }

    /** The reason of a span of {@code node} overlapping [from, to], or null when the node's view was complete. */
    UnverifiedReason incompleteDuring(int node, long fromFrameNanos, long toFrameNanos) {
        int base = node * spansPerNode;
        for (int i = 0, count = spanCount[node]; i < count; i++) {
            int slot = base + i;
            if (spanStart[slot] <= toFrameNanos && spanEnd[slot] >= fromFrameNanos) {
                return UnverifiedReason.VALUES[spanReason[slot]];
            }
        }
        return null;
    }

    /** Closes the open span at {@code endFrameNanos}; {@code Long.MIN_VALUE} empties it (it then overlaps nothing). */
    private void closeOpenSpan(int node, long endFrameNanos) {
        int base = node * spansPerNode;
        for (int i = 0, count = spanCount[node]; i < count; i++) {
            if (spanEnd[base + i] == OPEN) {
                if (endFrameNanos == Long.MIN_VALUE) {
                    spanStart[base + i] = Long.MAX_VALUE;
                    spanEnd[base + i] = Long.MIN_VALUE;
                } else {
                    spanEnd[base + i] = Math.max(endFrameNanos, spanStart[base + i]);
                }
            }
        }
    }
}
