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
 * perf-ring batching, transport): the maximum of {@code received - frameTime} over the same spans,
 * leaving out what a stream that came back re-reads from before it came up (as late as the outage
 * was long, which says nothing of the delay to expect from the stream now).
 *
 * <p><b>Against its peers.</b> A node whose events reach us late but with their own time (a backlog
 * between its perf reader and its ring, a lagging stream) looks, to the minimum-delay filter, like a
 * node whose clock is behind: its frame times come out late by the lag. The matched departures tell
 * it ({@link TransitBounds}).
 *
 * <p><b>Watermark.</b> Frame time up to which the node's events are all here: the newest frame time
 * seen, and, while the stream is up and the join has drained the hand-off ring (nothing of this node
 * is waiting on our side), also {@code now - lateness - slack}. That idle advance is what lets a
 * blackholed, silent pair be decided at all.
 */
final class NodeClocks {
    private static final long UNSET = Long.MIN_VALUE;

    private final long spanNanos;
    private final long slackNanos;
    private final long[] spanStart;
    private final long[] currentMinDelay;
    private final long[] previousMinDelay;
    private final long[] currentMaxLateness;
    private final long[] previousMaxLateness;
    private final long[] newestFrameTime;

    NodeClocks(int maxNodes, long spanNanos, long slackNanos) {
        this.spanNanos = spanNanos;
        this.slackNanos = slackNanos;
        spanStart = filled(maxNodes, UNSET);
        currentMinDelay = filled(maxNodes, Long.MAX_VALUE);
        previousMinDelay = filled(maxNodes, Long.MAX_VALUE);
        currentMaxLateness = new long[maxNodes];
        previousMaxLateness = new long[maxNodes];
        newestFrameTime = filled(maxNodes, UNSET);
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
        if (spanStart[node] == UNSET || (live && receivedNanos - spanStart[node] >= spanNanos)) {
            previousMinDelay[node] = currentMinDelay[node];
            previousMaxLateness[node] = currentMaxLateness[node];
            currentMinDelay[node] = delay;
            currentMaxLateness[node] = 0;
            spanStart[node] = receivedNanos;
        } else if (delay < currentMinDelay[node]) {
            currentMinDelay[node] = delay;
        }
        long frame = eventNanos + offset(node);
        long lateness = receivedNanos - frame;
        if (live && lateness > currentMaxLateness[node]) {
            currentMaxLateness[node] = lateness;
        }
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
        return Math.max(currentMaxLateness[node], previousMaxLateness[node]);
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
        return Math.max(newest, nowNanos - lateness(node) - slackNanos);
    }

    private static long[] filled(int length, long value) {
        long[] array = new long[length];
        java.util.Arrays.fill(array, value);
        return array;
    }
}
