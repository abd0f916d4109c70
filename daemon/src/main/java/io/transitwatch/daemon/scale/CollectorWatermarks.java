package io.transitwatch.daemon.scale;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Single-threaded: owned by the {@link PartitionJoin} of one partition, on its correlator thread.
 *
 * <p>The collectors writing to one partition, as their heartbeats tell them: each one's watermark and
 * heartbeat sequence, whether it restarted (the sequence starts again), whether it is gone (its
 * watermark fell more than the collector timeout behind the newest one here) and when it is back. The
 * partition's time is the lowest watermark of the live ones. {@link PartitionJoin}'s comment says why
 * each rule is what it is; this class keeps the bookkeeping and tells its {@link Listener} what
 * changed for a collector's nodes.
 *
 * <p>A heartbeat whose collector's records were held undelivered since some time (a broker outage)
 * excuses every other collector whose watermark was no more than the timeout before that time: such
 * a collector counts as silent only from that heartbeat's watermark on.
 */
final class CollectorWatermarks {
    static final int MAX_SHARDS = 4096;

    /** What a change of a collector means for its nodes in the partition. */
    interface Listener {
        /** The nodes of {@code shard} go down ({@link NodeEvent#NODE_DOWN}) or come back ({@link NodeEvent#NODE_UP}) at {@code atNanos}. */
        void announce(int shard, byte kind, long atNanos);

        /** The collector of {@code shard} started again: what its new process re-reads may already be here. */
        void restarted(int shard);
    }

    private final long timeoutNanos;
    private final IntFunction<String> names;
    private final long[] watermark = new long[MAX_SHARDS];
    private final boolean[] known = new boolean[MAX_SHARDS];
    private final boolean[] gone = new boolean[MAX_SHARDS];
    private final long[] sequence = new long[MAX_SHARDS];
    /** Per shard: up to which watermark a broker outage explains its silence (see the class comment); 0 none. */
    private final long[] excusedUntil = new long[MAX_SHARDS];
    /** Per shard: dictionary id of its collector's member name, from its last heartbeat (0 none). */
    private final int[] member = new int[MAX_SHARDS];
    private int shardsSeen;
    /** The highest heartbeat watermark read in this partition, of any collector. */
    private long newestWatermark = Long.MIN_VALUE;
    private long gones;
    private long restarts;
    /** The collector declared gone last, as the correlator's warning names it; null none yet. */
    private String lastGone;

    /**
     * @param timeoutNanos how far a collector's watermark may fall behind the newest one before it counts as gone
     * @param names the string of a dictionary id (member names)
     */
    CollectorWatermarks(long timeoutNanos, IntFunction<String> names) {
        this.timeoutNanos = timeoutNanos;
        this.names = names;
    }

    /** A heartbeat of collector {@code shard}; shards past {@link #MAX_SHARDS} are ignored. */
    void onHeartbeat(int shard, long heartbeatSequence, long watermarkNanos, long undeliveredSinceNanos, int memberId,
            Listener listener) {
        if (shard >= MAX_SHARDS) {
            return;
        }
        boolean restarted = known[shard] && heartbeatSequence <= sequence[shard];
        sequence[shard] = heartbeatSequence;
        member[shard] = memberId;
        if (restarted) {
            restarts++;
            if (!gone[shard]) {
                listener.announce(shard, NodeEvent.NODE_DOWN, watermark[shard]);
            }
            listener.restarted(shard);
            gone[shard] = false; // its nodes come back with their new streams' NODE_UP
        } else if (gone[shard] && newestWatermark - watermarkNanos <= timeoutNanos) {
            gone[shard] = false; // caught up again (a heartbeat still far behind would only flap)
            listener.announce(shard, NodeEvent.NODE_UP, watermarkNanos);
        }
        if (undeliveredSinceNanos != 0) {
            excuseSilences(shard, undeliveredSinceNanos, watermarkNanos);
        }
        // A restarted collector's first watermark may be lower than its last: time never goes back.
        watermark[shard] = Math.max(watermark[shard], watermarkNanos);
        newestWatermark = Math.max(newestWatermark, watermark[shard]);
        known[shard] = true;
        shardsSeen = Math.max(shardsSeen, shard + 1);
    }

    /**
     * Retires the collectors silent for longer than the timeout (their nodes go down at their last
     * watermark), then answers the lowest watermark of the live ones.
     *
     * @return that watermark, or {@code Long.MAX_VALUE} when no collector is live
     */
    long lowestLive(Listener listener) {
        long lowest = Long.MAX_VALUE;
        for (int shard = 0; shard < shardsSeen; shard++) {
            if (!known[shard] || gone[shard]) {
                continue;
            }
            if (newestWatermark - Math.max(watermark[shard], excusedUntil[shard]) > timeoutNanos) {
                gone[shard] = true;
                gones++;
                lastGone = describe(shard, newestWatermark - watermark[shard]);
                listener.announce(shard, NodeEvent.NODE_DOWN, watermark[shard]);
                continue;
            }
            lowest = Math.min(lowest, watermark[shard]);
        }
        return lowest;
    }

    /**
     * Collector {@code writer}'s heartbeat at {@code untilNanos} says its records here were held since
     * {@code sinceNanos}. Every other live collector whose watermark was then no more than the timeout
     * before that is excused up to {@code untilNanos}. A held-since that keeps moving (a broker slow
     * for good, not down) excuses a collector that really stopped for only about the timeout.
     */
    private void excuseSilences(int writer, long sinceNanos, long untilNanos) {
        for (int shard = 0; shard < shardsSeen; shard++) {
            if (shard != writer && known[shard] && !gone[shard] && sinceNanos <= watermark[shard] + timeoutNanos) {
                excusedUntil[shard] = Math.max(excusedUntil[shard], untilNanos);
            }
        }
    }

    private String describe(int shard, long behindNanos) {
        String name = member[shard] == 0 ? null : names.apply(member[shard]);
        return "shard " + shard + (name == null ? "" : " (" + name + ")") + ", "
                + String.format(Locale.ROOT, "%.1f", behindNanos / 1e9) + " s behind";
    }

    /** Collectors declared gone since the start. */
    long gones() {
        return gones;
    }

    /** Collectors seen to start again (heartbeat sequence reset) since the start. */
    long restarts() {
        return restarts;
    }

    /** See {@link PartitionJoin#lastGoneCollector()}. */
    String lastGone() {
        return lastGone;
    }
}
