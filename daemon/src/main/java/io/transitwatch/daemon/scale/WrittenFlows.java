package io.transitwatch.daemon.scale;

import io.transitwatch.daemon.handoff.NodeEvent;

/**
 * Single-threaded: owned by the correlator thread of one partition ({@link PartitionJoin}).
 *
 * <p>Which flows a collector process had written into this partition shortly before it stopped, so
 * that what its successor re-reads from Hubble is skipped exactly, flow by flow, instead of by time
 * alone. A node's flows reach the partition in Hubble's order, which is time order up to
 * {@link PartitionJoin#REORDER_MARGIN_NANOS}: everything of a node older than its newest flow here
 * minus that margin was written, and within the margin only the flows remembered here were.
 *
 * <p>Every flow read leaves a print (node, time, a hash of what identifies it) in a ring that grows
 * whenever it would overwrite a print still inside its node's margin, so the ring always holds each
 * node's last margin of flows; in steady state a flow costs three array stores. When a collector
 * restarts, the prints of its nodes' last margins move into a set that the successor's re-read flows
 * are looked up in ({@link #isRewritten}).
 */
final class WrittenFlows {
    private static final int INITIAL_RING = 4096;
    private static final long EMPTY = 0;

    private final long marginNanos;
    private int[] ringNode = new int[INITIAL_RING];
    private long[] ringTime = new long[INITIAL_RING];
    private long[] ringPrint = new long[INITIAL_RING];
    private int ringNext;
    /** Open-addressing set of prints of a restarted collector's last margin; {@link #EMPTY} is a free slot. */
    private long[] rewritten = new long[0];
    private int rewrittenCount;

    WrittenFlows(long marginNanos) {
        this.marginNanos = marginNanos;
    }

    /** Remembers one flow written here; {@code newestOfNode} gives each node's newest flow time so far. */
    void remember(NodeEvent flow, long[] newestOfNode) {
        int at = ringNext;
        int oldNode = ringNode[at];
        if (oldNode != 0 && oldNode < newestOfNode.length
                && ringTime[at] >= newestOfNode[oldNode] - marginNanos) {
            grow();
            at = ringNext;
        }
        ringNode[at] = flow.node;
        ringTime[at] = flow.timeNanos;
        ringPrint[at] = print(flow);
        ringNext = (at + 1) & (ringNode.length - 1);
    }

    /**
     * Collector {@code shard} restarted: from now on a flow of one of its nodes within the margin
     * before the node's newest flow here counts as already written if its print was read here.
     * Replaces the prints of an earlier restart.
     */
    void collectorRestarted(int shard, int[] shardOfNode, long[] newestOfNode) {
        int count = 0;
        for (int at = 0; at < ringNode.length; at++) {
            if (isRecentOf(at, shard, shardOfNode, newestOfNode)) {
                count++;
            }
        }
        rewritten = new long[Integer.highestOneBit(Math.max(8, count * 3)) << 1];
        rewrittenCount = 0;
        for (int at = 0; at < ringNode.length; at++) {
            if (isRecentOf(at, shard, shardOfNode, newestOfNode)) {
                add(ringPrint[at]);
            }
        }
    }

    /**
     * Whether a flow of a restarted collector's node, no newer than the node's newest flow here before
     * the restart ({@code newestBefore}), was already written by the previous process.
     */
    boolean isRewritten(NodeEvent flow, long newestBefore) {
        if (flow.timeNanos < newestBefore - marginNanos) {
            return true;
        }
        return contains(print(flow));
    }

    /** Prints held for the last restart (tests and diagnostics). */
    int rewrittenCount() {
        return rewrittenCount;
    }

    private boolean isRecentOf(int at, int shard, int[] shardOfNode, long[] newestOfNode) {
        int node = ringNode[at];
        return node != 0 && node < shardOfNode.length && shardOfNode[node] == shard + 1
                && ringTime[at] >= newestOfNode[node] - marginNanos;
    }

    private void grow() {
        int length = ringNode.length;
        // Unroll the ring so that the oldest print is first and the free half follows the newest.
        ringNode = unrolled(ringNode, ringNext);
        ringTime = unrolled(ringTime, ringNext);
        ringPrint = unrolled(ringPrint, ringNext);
        ringNext = length;
    }

    private static int[] unrolled(int[] ring, int oldest) {
        int[] grown = new int[ring.length * 2];
        System.arraycopy(ring, oldest, grown, 0, ring.length - oldest);
        System.arraycopy(ring, 0, grown, ring.length - oldest, oldest);
        return grown;
    }

    private static long[] unrolled(long[] ring, int oldest) {
        long[] grown = new long[ring.length * 2];
        System.arraycopy(ring, oldest, grown, 0, ring.length - oldest);
        System.arraycopy(ring, 0, grown, ring.length - oldest, oldest);
        return grown;
    }

    private void add(long print) {
        int mask = rewritten.length - 1;
        for (int at = spread(print) & mask; ; at = (at + 1) & mask) {
            if (rewritten[at] == print) {
                return;
            }
            if (rewritten[at] == EMPTY) {
                rewritten[at] = print;
                rewrittenCount++;
                return;
            }
        }
    }

    private boolean contains(long print) {
        if (rewrittenCount == 0) {
            return false;
        }
        int mask = rewritten.length - 1;
        for (int at = spread(print) & mask; ; at = (at + 1) & mask) {
            if (rewritten[at] == print) {
                return true;
            }
            if (rewritten[at] == EMPTY) {
                return false;
            }
        }
    }

    private static int spread(long print) {
        return (int) (print ^ (print >>> 32));
    }

    /**
     * What tells one flow of a node from another at the same instant: the node, its time, its
     * addresses, ports, protocol, TCP flags, observation point and verdict (the fields the join reads).
     * Never {@link #EMPTY}.
     */
    static long print(NodeEvent flow) {
        long hash = mix(flow.node * 0x9E3779B97F4A7C15L ^ flow.timeNanos);
        hash = mix(hash ^ flow.srcHi) ^ flow.srcLo;
        hash = mix(hash ^ flow.dstHi) ^ flow.dstLo;
        hash = mix(hash ^ ((long) flow.srcPort << 32 | flow.dstPort));
        hash = mix(hash ^ ((long) flow.protocol << 48 | (long) (flow.tcpFlags & 0xFFFF) << 32
                | (long) (flow.observationPoint & 0xFFFF) << 16 | (flow.verdict & 0xFF) << 8 | flow.flowType & 0xFF));
        hash = mix(hash ^ ((long) flow.icmpType << 32 | flow.icmpCode & 0xFFFFFFFFL));
        return hash == EMPTY ? 1 : hash;
    }

    private static long mix(long value) {
        long z = value * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 31)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 29);
    }
}
