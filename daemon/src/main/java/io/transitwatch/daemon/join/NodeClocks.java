package io.transitwatch.daemon.join;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Puts every node's event times on the daemon's time line, and says up to when each node's
 * stream is complete (its watermark).
 *
 * <p><b>Offset.</b> {@code Flow.time} is the node's clock when its agent read the event; the daemon
 * receives it some time later. {@code received - eventTime} is therefore clock offset plus delivery
 * delay. Its minimum over a recent span (the NTP-style minimum-delay filter) estimates offset plus
 * the smallest delay, and adding it to an event time gives that event's <i>frame time</i> on the
 * daemon's time line. Two nodes with ±2 s of skew land on the same time line, so skew does not
 * shift windows. The minimum is kept over two alternating spans of {@code spanNanos}, so it follows a
 * clock that steps while never trusting a single sample.
 *
 * <p><b>Lateness.</b> How much later than that minimum events of the node arrive (Relay's sort buffer,
 * perf-ring batching, transport): the largest delay over the same spans less the offset as known now,
 * leaving out what a stream that came back re-reads from before it came up (as late as the outage
 * was long, which says nothing of the delay to expect from the stream now). Kept as the raw delay,
 * not as {@code received - frameTime} at the time: while the offset still falls (a first stream's
 * events read late, a receiver that lags as it starts), each event sets a new minimum and would
 * measure itself 0 late, and the idle advance would then pass events still on their way by as much
 * as the offset has fallen since.
 *
 * <p><b>Against its peers.</b> A node whose events reach us late but with their own time (a backlog
 * between its perf reader and its ring, a lagging stream) looks, to the minimum-delay filter, like a
 * node whose clock is behind: its frame times come out late by the lag. The matched departures tell
 * it ({@link TransitBounds}).
 *
 * <p><b>Watermark.</b> Frame time up to which the node's events are all here: the newest frame time
 * seen, and, while the stream is up and the join has drained the hand-off ring (nothing of this node
 * is waiting on our side), also {@code now - lateness - slack}. That idle advance is what lets a
 * blackholed, silent pair be decided at all. The lateness it takes is the largest of any node over
 * the same spans, not the node's own: a stream that looks idle may be one whose events wait where
 * its peers' waited (a receiver starved of CPU, a collector's reader, Hubble's own queue on a busy
 * node), and a node that had little to send has not shown that lag yet. Seen in the scaled
 * pipeline's start-up on two cores: a silent-looking destination whose own lateness was 2.8 s got its
 * arrival 9.4 s late, as its peers' events had come. A peer's share is capped at {@code max-behind -
 * W}, so that one node lagging without end does not turn every silent destination's departures BEHIND.
 */
final class NodeClocks {
    private static final long UNSET = Long.MIN_VALUE;

    private final long spanNanos;
    private final long slackNanos;
    private final long[] spanStart;
    private final long[] currentMinDelay;
    private final long[] previousMinDelay;
    private final long[] currentMaxDelay;
    private final long[] previousMaxDelay;
    private final long[] newestFrameTime;
    /** The largest lateness of any node, over the current span and the one before (see "Watermark"). */
    private final RecentExtreme widestLateness;
    private final long peerLatenessCapNanos;

    /**
     * @param peerLatenessCapNanos at most this much of a peer's lateness holds a node's idle advance
     *     back: a departure waits {@code join.max-behind} past its deadline before it is UNVERIFIED
     *     (BEHIND), so a node lagging longer than {@code max-behind - W} would otherwise make every
     *     silent destination's departures BEHIND, a blackhole anywhere among them unseen
     */
    NodeClocks(int maxNodes, long spanNanos, long slackNanos, long peerLatenessCapNanos) {
        this.spanNanos = spanNanos;
        this.peerLatenessCapNanos = Math.max(0, peerLatenessCapNanos);
        this.slackNanos = slackNanos;
        spanStart = filled(maxNodes, UNSET);
        currentMinDelay = filled(maxNodes, Long.MAX_VALUE);
        previousMinDelay = filled(maxNodes, Long.MAX_VALUE);
        currentMaxDelay = filled(maxNodes, UNSET);
        previousMaxDelay = filled(maxNodes, UNSET);
        newestFrameTime = filled(maxNodes, UNSET);
        widestLateness = RecentExtreme.greatest(1, spanNanos);
    }

    /**
     * Learns from one event of {@code node}: node-local {@code eventNanos}, daemon {@code receivedNanos}.
     *
     * @param live false for an event re-read after the stream came back (a backfill, until an event
     *     at or past the moment it came up arrives, however long that takes): it is as late as
     *     the outage was long, which says nothing about the stream's delay from now on. It is not learnt
     *     as lateness, and it starts no span of the minimum-delay filter: a re-read longer than a span,
     *     or a second outage before the stream delivered live again, would otherwise leave only re-read
     *     delays in both spans, and the node's frame times would come out late by seconds, its arrivals
     *     seemingly before its departures (a departure then placed past an outage or past the arrival
     *     memory that its real time lies in: LOST). It still lowers the current span's minimum, and
     *     seeds a node not seen before.
     */
    void observe(int node, long eventNanos, long receivedNanos, boolean live) {
        long delay = receivedNanos - eventNanos;
        boolean extremeMoved = true;
        if (spanStart[node] == UNSET || (live && receivedNanos - spanStart[node] >= spanNanos)) {
            previousMinDelay[node] = currentMinDelay[node];
            previousMaxDelay[node] = currentMaxDelay[node];
            currentMinDelay[node] = delay;
            currentMaxDelay[node] = UNSET;
            spanStart[node] = receivedNanos;
        } else if (delay < currentMinDelay[node]) {
            currentMinDelay[node] = delay;
        } else {
            extremeMoved = false;
        }
        if (live && delay > currentMaxDelay[node]) {
            currentMaxDelay[node] = delay;
            extremeMoved = true;
        }
        if (extremeMoved) {
            // the node's lateness changes only here; a node that delivers comes here at least once a span
            widestLateness.observe(0, lateness(node), receivedNanos);
        }
        long frame = eventNanos + offset(node);
        if (frame > newestFrameTime[node]) {
            newestFrameTime[node] = frame;
        }
    }

    /** Node clock to daemon time line: add this to a node-local time. 0 until the node was seen. */
    long offset(int node) {
        long offset = Math.min(currentMinDelay[node], previousMinDelay[node]);
        return offset == Long.MAX_VALUE ? 0 : offset;
    }

    long frameTime(int node, long nodeNanos) {
        return nodeNanos + offset(node);
    }

    long lateness(int node) {
        long maxDelay = Math.max(currentMaxDelay[node], previousMaxDelay[node]);
        return maxDelay == UNSET ? 0 : Math.max(0, maxDelay - offset(node));
    }

    /**
     * @param idleAdvance the stream is up and nothing of it waits on our side, so time alone may
     *     move the watermark
     */
    long watermark(int node, long nowNanos, boolean idleAdvance) {
        long newest = newestFrameTime[node];
        if (!idleAdvance) {
            return newest;
        }
        long widest = widestLateness.value(0);
        long peers = widest == widestLateness.none() ? 0 : Math.min(widest, peerLatenessCapNanos);
        long lateness = Math.max(lateness(node), peers);
        return Math.max(newest, nowNanos - lateness - slackNanos);
    }

    private static long[] filled(int length, long value) {
        long[] array = new long[length];
        java.util.Arrays.fill(array, value);
        return array;
    }
}
