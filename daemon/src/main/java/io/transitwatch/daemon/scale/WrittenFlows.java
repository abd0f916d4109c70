package io.transitwatch.daemon.scale;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.Arrays;

/**
 * Single-threaded: owned by the correlator thread of one partition ({@link PartitionJoin}).
 *
 * <p>Which flows a collector process had written into this partition shortly before it stopped, so
 * that what its successor re-reads from Hubble is dropped flow by flow, not by time alone. A node's
 * flows reach the partition in Hubble's order, which is time order up to
 * {@link PartitionJoin#REORDER_MARGIN_NANOS}: everything of a node older than its newest flow here
 * minus that margin was written, and within the margin only the flows remembered here were.
 *
 * <p>Every flow read leaves a print (node, time, a hash of what identifies it) in a ring of fixed
 * size: three array stores per flow, no allocation. A print overwritten while it is still within its
 * node's margin is <i>forgotten</i>: the node's newest forgotten time is kept, and a restart finds
 * within that time flows it cannot tell apart; those are dropped and the span is declared a GAP by the
 * caller ({@link #uncertainUpTo}), UNVERIFIED, never fed twice. A ring of twice the partition's join
 * capacity holds far more than a second of the partition's flows, so only a node quiet here for long
 * (its last prints pushed out by the others') or an overloaded partition forgets.
 *
 * <p>When a collector restarts, the prints of its nodes' last margins are added to a set that the
 * successor's re-read flows are looked up in ({@link #isRewritten}). The set keeps the prints of
 * every node whose re-read is still under way, whichever collector it belongs to, so two collectors
 * restarting together each keep theirs.
 */
final class WrittenFlows {
    private static final long EMPTY = 0;

    private final long marginNanos;
    private final int[] ringNode;
    private final long[] ringTime;
    private final long[] ringPrint;
    private int ringNext;
    /** Per node dictionary id: the newest time of a print forgotten while inside the node's margin. */
    private long[] forgottenUpTo = new long[1024];
    /** Per node dictionary id, set at its collector's restart: flows up to here may be unknowable. */
    private long[] uncertainUpTo = new long[1024];
    /** Open-addressing set of restarted collectors' prints; {@link #EMPTY} is a free slot. */
    private long[] rewritten = new long[0];
    private int[] rewrittenNode = new int[0];
    private int rewrittenCount;

    /** @param ringCapacity prints held, rounded up to a power of two */
    WrittenFlows(long marginNanos, int ringCapacity) {
        this.marginNanos = marginNanos;
        int size = Math.max(64, Integer.highestOneBit(Math.max(1, ringCapacity - 1)) << 1);
        ringNode = new int[size];
        ringTime = new long[size];
        ringPrint = new long[size];
    }

    /** Remembers one flow written here; {@code newestOfNode} gives each node's newest flow time so far. */
    void remember(NodeEvent flow, long[] newestOfNode) {
        int at = ringNext;
        int oldNode = ringNode[at];
        if (oldNode != 0 && oldNode < newestOfNode.length && ringTime[at] >= newestOfNode[oldNode] - marginNanos) {
            forget(oldNode, ringTime[at]);
        }
        ringNode[at] = flow.node;
        ringTime[at] = flow.timeNanos;
        ringPrint[at] = print(flow);
        ringNext = (at + 1) & (ringNode.length - 1);
    }

    /**
     * Collector {@code shard} restarted: a flow of one of its nodes within the margin before the node's
     * newest flow here now counts as already written if its print was read here. The prints of nodes
     * for which {@code stillRewriting} says a re-read is under way are kept.
     */
    void collectorRestarted(int shard, int[] shardOfNode, long[] newestOfNode, long[] stillRewriting) {
        int kept = 0;
        for (int at = 0; at < rewritten.length; at++) {
            if (rewritten[at] != EMPTY && keeps(rewrittenNode[at], shard, shardOfNode, stillRewriting)) {
                kept++;
            }
        }
        int added = 0;
        for (int at = 0; at < ringNode.length; at++) {
            if (isRecentOf(at, shard, shardOfNode, newestOfNode)) {
                added++;
            }
        }
        long[] oldPrints = rewritten;
        int[] oldNodes = rewrittenNode;
        int size = Integer.highestOneBit(Math.max(8, (kept + added) * 3)) << 1;
        rewritten = new long[size];
        rewrittenNode = new int[size];
        rewrittenCount = 0;
        for (int at = 0; at < oldPrints.length; at++) {
            if (oldPrints[at] != EMPTY && keeps(oldNodes[at], shard, shardOfNode, stillRewriting)) {
                add(oldPrints[at], oldNodes[at]);
            }
        }
        for (int at = 0; at < ringNode.length; at++) {
            if (isRecentOf(at, shard, shardOfNode, newestOfNode)) {
                add(ringPrint[at], ringNode[at]);
            }
        }
        for (int node = 1; node < shardOfNode.length && node < newestOfNode.length; node++) {
            if (shardOfNode[node] == shard + 1) {
                markUncertain(node, forgottenAt(node) >= newestOfNode[node] - marginNanos ? forgottenAt(node) : 0);
            }
        }
    }

    /**
     * Whether a flow of a restarted collector's node, no newer than the node's newest flow here before
     * the restart ({@code newestBefore}), was already written by the previous process, or may have
     * been and cannot be told ({@link #uncertainUpTo}).
     */
    boolean isRewritten(NodeEvent flow, long newestBefore) {
        if (flow.timeNanos < newestBefore - marginNanos || contains(print(flow))) {
            return true;
        }
        return flow.node < uncertainUpTo.length && flow.timeNanos <= uncertainUpTo[flow.node];
    }

    /**
     * After {@link #collectorRestarted}: the newest time up to which a node's flows within its margin
     * could not be told apart (their prints were forgotten), 0 none. The caller declares that span a GAP.
     */
    long uncertainUpTo(int node) {
        return node < uncertainUpTo.length ? uncertainUpTo[node] : 0;
    }

    /** Prints held for the restarts under way (tests and diagnostics). */
    int rewrittenCount() {
        return rewrittenCount;
    }

    /** The ring's size in prints. */
    int ringCapacity() {
        return ringNode.length;
    }

    private static boolean keeps(int node, int restartedShard, int[] shardOfNode, long[] stillRewriting) {
        return node < shardOfNode.length && shardOfNode[node] != restartedShard + 1
                && node < stillRewriting.length && stillRewriting[node] != 0;
    }

    private boolean isRecentOf(int at, int shard, int[] shardOfNode, long[] newestOfNode) {
        int node = ringNode[at];
        return node != 0 && node < shardOfNode.length && shardOfNode[node] == shard + 1
                && ringTime[at] >= newestOfNode[node] - marginNanos;
    }

    private void forget(int node, long timeNanos) {
        if (node >= forgottenUpTo.length) {
            forgottenUpTo = Arrays.copyOf(forgottenUpTo, Math.max(node + 1, forgottenUpTo.length * 2));
        }
        forgottenUpTo[node] = Math.max(forgottenUpTo[node], timeNanos);
    }

    private long forgottenAt(int node) {
        return node < forgottenUpTo.length ? forgottenUpTo[node] : 0;
    }

    private void markUncertain(int node, long timeNanos) {
        if (node >= uncertainUpTo.length) {
            uncertainUpTo = Arrays.copyOf(uncertainUpTo, Math.max(node + 1, uncertainUpTo.length * 2));
        }
        uncertainUpTo[node] = timeNanos;
    }

    private void add(long print, int node) {
        int mask = rewritten.length - 1;
        for (int at = spread(print) & mask; ; at = (at + 1) & mask) {
            if (rewritten[at] == print) {
                return;
            }
            if (rewritten[at] == EMPTY) {
                rewritten[at] = print;
                rewrittenNode[at] = node;
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
