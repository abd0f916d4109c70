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
 *
 * <p><b>Catching up.</b> A stream that delivers again has not yet delivered what it was asked to
 * re-read: a reconnect's {@code since} backfill, Relay's replay of a recovered node, or simply the
 * events already in flight when a stream starts. Until the node has delivered an event at or past
 * the moment it came up (or a bounded wait passed), it is <i>catching up</i>: its watermark moves
 * only with the events it delivers, never with time, and an outage its backfill is re-reading stays
 * open, so nothing that waits on the node is decided from a view the backfill is still completing.
 * Only then is the outage dropped (the backfill covered it); a wait that runs out closes the outage
 * at that moment instead, since what the backfill would have said never came.
 *
 * <p><b>Before the first stream.</b> A node's view starts with the first event its first stream
 * delivers: Hubble streams its ring in order from there on (a direct first request starts at the
 * node's newest event; Relay's asks for a little history, {@code since}, hubble-api.md §5.2), so
 * everything the node saw from that event on reaches us, whenever the stream itself came up. That
 * event's node-clock time is kept and put on the daemon's time line with the node's offset as known
 * when a window is checked, as a departure is (its first events, backfilled or held in Relay's sort
 * buffer, make the offset look far larger than it is). Departures to the node whose windows begin
 * before that event stay UNVERIFIED(NO_OBSERVER).
 */
final class ObserverHealth {
    static final byte NEVER_SEEN = 0;
    static final byte UP = 1;
    static final byte DOWN = 2;

    private static final long OPEN = Long.MAX_VALUE;

    private final int spansPerNode;
    private final byte[] state;
    private final long[] downReportedAt;
    private final boolean[] upAnnounced;
    private final long[] spanStart;
    private final long[] spanEnd;
    private final byte[] spanReason;
    private final int[] spanCount;
    private final int[] spanNext;
    private final boolean[] catchingUp;
    private final boolean[] awaitingFirst;
    private final long[] catchUpTarget;
    private final long[] catchUpDeadline;
    /** The span before the node's first stream delivered (slot index), or -1; see "Before the first stream". */
    private final int[] firstSpanSlot;
    /** Node-clock time of the node's first event ever, or {@code Long.MIN_VALUE} before it. */
    private final long[] firstEventNodeNanos;

    ObserverHealth(int maxNodes, int spansPerNode) {
        this.spansPerNode = spansPerNode;
        state = new byte[maxNodes];
        downReportedAt = new long[maxNodes];
        upAnnounced = new boolean[maxNodes];
        spanStart = new long[maxNodes * spansPerNode];
        spanEnd = new long[maxNodes * spansPerNode];
        spanReason = new byte[maxNodes * spansPerNode];
        spanCount = new int[maxNodes];
        spanNext = new int[maxNodes];
        catchingUp = new boolean[maxNodes];
        awaitingFirst = new boolean[maxNodes];
        catchUpTarget = new long[maxNodes];
        catchUpDeadline = new long[maxNodes];
        firstSpanSlot = new int[maxNodes];
        java.util.Arrays.fill(firstSpanSlot, -1);
        firstEventNodeNanos = new long[maxNodes];
        java.util.Arrays.fill(firstEventNodeNanos, Long.MIN_VALUE);
    }

    byte state(int node) {
        return state[node];
    }

    boolean isUp(int node) {
        return state[node] == UP;
    }

    /**
     * The stream delivers again, at {@code frameNanos} on the daemon's time line; it is catching up
     * until it delivers an event at or past that time, or until {@code catchUpDeadlineNanos}.
     * Without backfill the open "down" span ends where the stream really starts again: at its first
     * event, or at {@code frameNanos} if that is later (Relay's NODE_CONNECTED, or its GetNodes
     * answer, comes before Relay has re-queried the node). With backfill the outage is being re-read
     * from Hubble's ring, so the span stays open until the catch-up ends (whatever the ring no
     * longer held arrives separately as a GAP span).
     */
    void markUp(int node, long frameNanos, boolean backfilled, long catchUpDeadlineNanos) {
        if (state[node] == NEVER_SEEN) {
            // Nothing the node reported before its stream first delivered reached us.
            firstSpanSlot[node] = addSpan(node, Long.MIN_VALUE, OPEN, UnverifiedReason.NO_OBSERVER);
            awaitingFirst[node] = true;
        } else if (state[node] == DOWN && !backfilled) {
            awaitingFirst[node] = true;
        }
        state[node] = UP;
        catchingUp[node] = true;
        catchUpTarget[node] = frameNanos;
        catchUpDeadline[node] = catchUpDeadlineNanos;
    }

    /** The time on the daemon's time line at which the stream last came up (what a catch-up waits to reach). */
    long catchUpTarget(int node) {
        return catchUpTarget[node];
    }

    /** Whether the node's stream is up but has not yet delivered what it was asked to re-read. */
    boolean isCatchingUp(int node) {
        return catchingUp[node];
    }

    /**
     * The node delivered an event of node-clock time {@code nodeNanos}, at {@code frameNanos} on the
     * daemon's time line; nothing to do unless it is catching up. Its first ever ends the span before
     * its first stream at that event (see "Before the first stream"). The first after an outage that
     * was not backfilled ends it at that event or at the time the stream came up, whichever is later
     * (the event may have been on its way before the outage). One at or past the time the stream came
     * up shows that everything before it was delivered (Hubble streams its ring in time order), so the
     * outage the backfill re-read is dropped.
     */
    void delivered(int node, long frameNanos, long nodeNanos) {
        if (!catchingUp[node]) {
            return;
        }
        if (awaitingFirst[node]) {
            awaitingFirst[node] = false;
            boolean firstEver = firstSpanSlot[node] >= 0 && spanEnd[firstSpanSlot[node]] == OPEN;
            if (firstEver) {
                firstEventNodeNanos[node] = nodeNanos;
            }
            closeOpenSpan(node, firstEver ? frameNanos : Math.max(frameNanos, catchUpTarget[node]));
        }
        if (frameNanos >= catchUpTarget[node]) {
            catchingUp[node] = false;
            closeOpenSpan(node, Long.MIN_VALUE);
        }
    }

    /**
     * Ends a catch-up whose bounded wait has passed by {@code nowNanos}: an outage still open is
     * closed now rather than dropped, since nothing showed that the backfill covered it.
     */
    void endOverdueCatchUp(int node, long nowNanos) {
        if (catchingUp[node] && nowNanos >= catchUpDeadline[node]) {
            catchingUp[node] = false;
            awaitingFirst[node] = false;
            closeOpenSpan(node, nowNanos);
        }
    }

    /** Start of the node's open "down" span (an outage not yet over or not yet re-read), or {@code Long.MAX_VALUE}. */
    long openSince(int node) {
        int base = node * spansPerNode;
        long since = Long.MAX_VALUE;
        for (int i = 0, count = spanCount[node]; i < count; i++) {
            if (spanEnd[base + i] == OPEN) {
                since = Math.min(since, spanStart[base + i]);
            }
        }
        return since;
    }

    /**
     * The stream failed, as reported at {@code reportedAtNanos}: everything after {@code
     * sinceFrameNanos} is unknown until it is back, which a NODE_UP will say if {@code upAnnounced}.
     */
    void markDown(int node, long sinceFrameNanos, long reportedAtNanos, boolean upAnnounced) {
        if (state[node] != DOWN) {
            addSpan(node, sinceFrameNanos, OPEN, UnverifiedReason.OBSERVER_DOWN);
            downReportedAt[node] = reportedAtNanos;
            this.upAnnounced[node] = upAnnounced;
        }
        state[node] = DOWN;
        catchingUp[node] = false;
        awaitingFirst[node] = false;
    }

    /**
     * Whether an event at {@code frameNanos} shows the node delivering again without a NODE_UP: a
     * node never seen before, or one whose outage the source does not announce the end of (a replayed
     * capture, whose event times are its only clock) when the event is newer than the report of the
     * outage. A live stream's stragglers cannot be told by their times (their frame times carry the
     * smallest delay the node's events ever had, which Relay's sort buffer makes up to a second), so
     * there the ingest's NODE_UP decides.
     */
    boolean resumes(int node, long frameNanos) {
        return state[node] == NEVER_SEEN || (state[node] == DOWN && !upAnnounced[node]
                && frameNanos > downReportedAt[node]);
    }

    /** Adds a span; returns its slot, or -1 when it was merged into the last one. */
    int addSpan(int node, long fromFrameNanos, long toFrameNanos, UnverifiedReason reason) {
        int base = node * spansPerNode;
        byte code = (byte) reason.ordinal();
        int count = spanCount[node];
        if (count > 0) {
            int last = base + ((spanNext[node] - 1 + spansPerNode) % spansPerNode);
            // An open span is never merged into a closed one: its start bounds the watermark (openSince),
            // and moving it back to the closed span's start would hold back decisions the closed part
            // had already allowed (two outages of one node in a row).
            if (spanReason[last] == code && spanEnd[last] != OPEN && toFrameNanos != OPEN
                    && fromFrameNanos <= spanEnd[last]) {
                spanStart[last] = Math.min(spanStart[last], fromFrameNanos);
                spanEnd[last] = Math.max(spanEnd[last], toFrameNanos);
                return -1;
            }
        }
        int slot = base + spanNext[node];
        if (slot == firstSpanSlot[node]) {
            firstSpanSlot[node] = -1; // the ring of spans has come round: that span is forgotten
        }
        spanStart[slot] = fromFrameNanos;
        spanEnd[slot] = toFrameNanos;
        spanReason[slot] = code;
        spanNext[node] = (spanNext[node] + 1) % spansPerNode;
        if (count < spansPerNode) {
            spanCount[node] = count + 1;
        }
        return slot;
    }

    /**
     * The reason of a span of {@code node} overlapping [from, to], or null when the node's view was
     * complete; {@code offsetNanos} puts the node's first event on the time line (node clock to frame).
     */
    UnverifiedReason incompleteDuring(int node, long fromFrameNanos, long toFrameNanos, long offsetNanos) {
        int base = node * spansPerNode;
        for (int i = 0, count = spanCount[node]; i < count; i++) {
            int slot = base + i;
            long end = spanEnd[slot];
            if (slot == firstSpanSlot[node] && end != OPEN && firstEventNodeNanos[node] != Long.MIN_VALUE) {
                end = firstEventNodeNanos[node] + offsetNanos;
            }
            if (spanStart[slot] <= toFrameNanos && end >= fromFrameNanos) {
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
