package io.transitwatch.daemon.join;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>How far from its departure's frame time an arrival may lie, learnt from the matched departures
 * (DESIGN §3.3: offsets against peers). The frame times of two nodes can still disagree after
 * {@link NodeClocks} put them on the daemon's time line: a source whose events reach us late but
 * with their own time, and, where no receive delay is known ({@code transitwatch replay}: events
 * count as received at their own time), every node's own clock skew. The earliest transit of a
 * pair's matched departures is what its clocks disagree by (the path itself takes microseconds):
 *
 * <ul>
 *   <li><b>before</b>, per source node: the earliest transit of its departures to any node, when
 *       negative — how far before a departure's frame time the destination's view must be complete;
 *       and per pair, the same read with the two nodes' offsets as known now (below);
 *   <li><b>after</b>, per destination node: the latest of its pairs' earliest transits (of pairs
 *       with {@link #SKEW_SAMPLES} matches or more), up to the window — how much longer a departure
 *       to it waits for its arrival. A destination whose clock runs 4 s ahead of a source's reports
 *       the arrival of that source's SYN 4 s later on the time line: judged on the window alone, a
 *       retransmission 1 s later would be LOST at 5 s. One wait per destination, not per pair,
 *       keeps a destination's lane in deadline order.
 * </ul>
 *
 * <p>A pair's earliest is kept as the two nodes' own clocks saw it ({@code arrival's node time -
 * departure's node time}) and put on the time line with their offsets when it is read. A transit on
 * the time line is true only for the offsets of its moment, and offsets move: in the first seconds
 * a lagging receiver makes them seconds too large, one node's falls as its receiver catches up while
 * a node whose stream went down keeps its own. Its departures then lie later against that
 * destination than any transit measured before showed, and one re-read by a backfill could be taken
 * for one whose arrival was still remembered (LOST where it was BEHIND; seen in ScaledEquivalenceIT's
 * loss-free mix under CPU starvation: the pair's transits had shown -1.4 s, the offsets of the moment
 * put the arrival 1.8 s before its departure).
 */
final class TransitBounds {
    /**
     * Matches a pair needs over the two spans before its earliest transit is taken for skew: as NTP's
     * clock filter, which picks the least-delay sample of the last eight. One match is no evidence
     * (its arrival may have been a retransmission's).
     */
    static final int SKEW_SAMPLES = 8;

    private final RecentExtreme earliestBySource;
    private final RecentExtreme earliestByPair;
    private final RecentExtreme latestByDestination;
    private final long maxWaitNanos;

    TransitBounds(int maxNodes, int maxPairs, long spanNanos, long maxWaitNanos) {
        earliestBySource = RecentExtreme.least(maxNodes, spanNanos);
        earliestByPair = RecentExtreme.least(maxPairs, spanNanos);
        latestByDestination = RecentExtreme.greatest(maxNodes, spanNanos);
        this.maxWaitNanos = maxWaitNanos;
    }

    /**
     * A departure of {@code source} matched its arrival at {@code destination}, {@code transitNanos}
     * after it on the time line and {@code clockDifferenceNanos} after it by the two nodes' clocks;
     * {@code offsetGapNanos}: the destination's offset less the source's, as known now; {@code pair} is
     * the pair's slot, or -1 when the pair table is full.
     */
    void matched(int source, int destination, int pair, long transitNanos, long clockDifferenceNanos,
            long offsetGapNanos, long nowNanos) {
        earliestBySource.observe(source, transitNanos, nowNanos);
        if (pair >= 0) {
            earliestByPair.observe(pair, clockDifferenceNanos, nowNanos);
            long pairSkew = earliestByPair.samples(pair) < SKEW_SAMPLES ? 0
                    : Math.max(0, Math.min(maxWaitNanos, earliestByPair.value(pair) + offsetGapNanos));
            latestByDestination.observe(destination, pairSkew, nowNanos);
        }
    }

    /** How far before a departure of {@code source} its arrival may lie: 0 or negative. */
    long earliestArrival(int source) {
        long earliest = earliestBySource.value(source);
        return earliest == earliestBySource.none() ? 0 : Math.min(0, earliest);
    }

    /**
     * {@link #earliestArrival(int)}, or the pair's earliest put on the time line with {@code
     * offsetGapNanos} (the destination's offset less the source's, as known now) when that lies earlier;
     * {@code pair} is the pair's slot, or -1. A pair that matched nothing for two spans has no say: its
     * slot may have gone to another pair since.
     */
    long earliestArrival(int source, int pair, long offsetGapNanos, long nowNanos) {
        long bySource = earliestArrival(source);
        if (pair < 0) {
            return bySource;
        }
        long clockDifference = earliestByPair.recentValue(pair, nowNanos);
        return clockDifference == earliestByPair.none() ? bySource : Math.min(bySource, clockDifference + offsetGapNanos);
    }

    /** How much longer than the window a departure to {@code destination} waits: 0 up to the window. */
    long extraWait(int destination) {
        long latest = latestByDestination.value(destination);
        return latest == latestByDestination.none() ? 0 : latest;
    }
}
