package io.transitwatch.daemon.join;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Single writer, many readers: only the join thread increments; metrics and the web page read from
 * any thread. Writes are release-stores of a value only the writer changes (no read-modify-write
 * atomics on the hot path), reads are volatile loads, so readers see a recent, untorn value.
 *
 * <p>The join's counters, read by metrics rather than pushed: global counters (by {@link Global}),
 * per node (by {@link PerNode}) and per (source node, destination node, family) pair (by
 * {@link PerPair}, plus a transit-delay histogram with the bucket bounds of {@link #DELAY_BUCKETS_NANOS}).
 * Node and pair slots are assigned by the join thread; readers learn them through
 * {@link #pairCount()} / {@link #pairSourceNode(int)} etc., whose arrays are written before the
 * volatile count that publishes them.
 */
public final class JoinCounters {
    /** Counters over the whole join. */
    public enum Global {
        EVENTS, FLOWS, DEPARTURES, ARRIVALS, RETRANSMISSIONS, DUPLICATE_DEPARTURES, DUPLICATE_ARRIVALS,
        IGNORED_NOT_JOIN_SAFE, IGNORED_OBSERVATION_POINT, IGNORED_EXCLUDED_IDENTITY, IGNORED_SAME_NODE,
        IGNORED_UNRESOLVED_DESTINATION, IGNORED_NO_IP, IGNORED_NODE_LIMIT, IGNORED_ORPHAN_RETRANSMISSION,
        MATCHED, LOST, DROPPED, LATE, UNVERIFIED, PENDING_EVICTED, ARRIVALS_EVICTED, ARRIVALS_EXPIRED,
        LOST_EVENT_REPORTS, GAPS, NODE_DOWN, NODE_UP,
        /** Round trips (DESIGN §3.7): attempts to destinations without arrival events, and their verdicts. */
        ROUND_TRIPS, ANSWERED, NO_REPLY, REFUSED, ROUND_TRIPS_EVICTED,
        /** ACK / PSH departures that are not their direction's first (DESIGN §3.8): interval reports. */
        IGNORED_NOT_FIRST_DATA;
        static final Global[] VALUES = values();
    }

    /** Counters and gauges per observing node. */
    public enum PerNode {
        EVENTS, LOST_EVENTS, GAPS, DOWN, CLOCK_OFFSET_NANOS, LATENESS_NANOS, STATE,
        /** Round trips of the node's clients (DESIGN §3.7) and their verdicts. */
        ROUND_TRIPS, ANSWERED, NO_REPLY, REFUSED, ROUND_TRIPS_UNVERIFIED;
        static final PerNode[] VALUES = values();
    }

    /** Counters per (source node, destination node, family). */
    public enum PerPair {
        DEPARTURES, MATCHED, LOST, DROPPED, LATE,
        UNVERIFIED_OBSERVER_DOWN, UNVERIFIED_GAP, UNVERIFIED_LOST_EVENTS, UNVERIFIED_BEHIND,
        UNVERIFIED_NO_OBSERVER, UNVERIFIED_CAPACITY, TRANSIT_NANOS_SUM;
        static final PerPair[] VALUES = values();

        static PerPair unverified(UnverifiedReason reason) {
            return VALUES[UNVERIFIED_OBSERVER_DOWN.ordinal() + reason.ordinal()];
        }
    }

    /** Upper bounds (inclusive) of the transit-delay buckets; a last bucket takes everything above. */
    public static final long[] DELAY_BUCKETS_NANOS = {
        100_000L, 250_000L, 500_000L, 1_000_000L, 2_500_000L, 5_000_000L, 10_000_000L, 25_000_000L,
        50_000_000L, 100_000_000L, 250_000_000L, 500_000_000L, 1_000_000_000L, 2_500_000_000L, 5_000_000_000L
    };
    private static final int BUCKETS = DELAY_BUCKETS_NANOS.length + 1;
    private static final int PAIR_STRIDE = PerPair.VALUES.length + BUCKETS;

    private final AtomicLongArray global = new AtomicLongArray(Global.VALUES.length);
    private final AtomicLongArray perNode;
    private final AtomicLongArray perPair;
    private final int[] nodeIds;
    private final int[] pairSource;
    private final int[] pairDestination;
    private final int[] pairFamily;
    private final int[] pairKeys;
    private final int[] pairSlots;
    private final int pairMask;
    private final int maxNodes;
    private volatile int nodeCount;
    private volatile int pairCount;

    public JoinCounters(int maxNodes, int maxPairs) {
        this.maxNodes = maxNodes;
        perNode = new AtomicLongArray(maxNodes * PerNode.VALUES.length);
        perPair = new AtomicLongArray(maxPairs * PAIR_STRIDE);
        nodeIds = new int[maxNodes];
        pairSource = new int[maxPairs];
        pairDestination = new int[maxPairs];
        pairFamily = new int[maxPairs];
        int tableSize = Integer.highestOneBit(Math.max(4, maxPairs * 2) - 1) << 1;
        pairKeys = new int[tableSize];
        pairSlots = new int[tableSize];
        pairMask = tableSize - 1;
        java.util.Arrays.fill(pairKeys, -1);
    }

    // ---- writer side (join thread) ----

    void increment(Global counter) {
        int i = counter.ordinal();
        global.setRelease(i, global.getPlain(i) + 1);
    }

    void registerNode(int denseNode, int dictionaryId) {
        nodeIds[denseNode] = dictionaryId;
        if (denseNode >= nodeCount) {
            nodeCount = denseNode + 1;
        }
    }

    void incrementNode(int denseNode, PerNode counter) {
        addNode(denseNode, counter, 1);
    }

    void addNode(int denseNode, PerNode counter, long delta) {
        int i = denseNode * PerNode.VALUES.length + counter.ordinal();
        perNode.setRelease(i, perNode.getPlain(i) + delta);
    }

    void setNode(int denseNode, PerNode gauge, long value) {
        perNode.setRelease(denseNode * PerNode.VALUES.length + gauge.ordinal(), value);
    }

    /** Slot of the pair, assigned on first use; -1 when the pair table is full (the pair is then not counted). */
    int pairSlot(int sourceDense, int destinationDense, int family, int sourceId, int destinationId) {
        int key = (sourceDense * maxNodes + destinationDense) * 2 + (family == JoinConstants.FAMILY_IPV6 ? 1 : 0);
        int position = (key * 0x9E3779B9 >>> 8) & pairMask;
        while (pairKeys[position] != -1) {
            if (pairKeys[position] == key) {
                return pairSlots[position];
            }
            position = (position + 1) & pairMask;
        }
        int slot = pairCount;
        if (slot == pairSource.length) {
            return -1;
        }
        pairKeys[position] = key;
        pairSlots[position] = slot;
        pairSource[slot] = sourceId;
        pairDestination[slot] = destinationId;
        pairFamily[slot] = family;
        pairCount = slot + 1;
        return slot;
    }

    void incrementPair(int pairSlot, PerPair counter) {
        if (pairSlot >= 0) {
            int i = pairSlot * PAIR_STRIDE + counter.ordinal();
            perPair.setRelease(i, perPair.getPlain(i) + 1);
        }
    }

    void recordTransit(int pairSlot, long transitNanos) {
        if (pairSlot < 0) {
            return;
        }
        long delay = Math.max(0, transitNanos);
        int base = pairSlot * PAIR_STRIDE;
        int sum = base + PerPair.TRANSIT_NANOS_SUM.ordinal();
        perPair.setRelease(sum, perPair.getPlain(sum) + delay);
        int bucket = 0;
        while (bucket < DELAY_BUCKETS_NANOS.length && delay > DELAY_BUCKETS_NANOS[bucket]) {
            bucket++;
        }
        int i = base + PerPair.VALUES.length + bucket;
        perPair.setRelease(i, perPair.getPlain(i) + 1);
    }

    // ---- reader side (any thread) ----

    public long get(Global counter) {
        return global.get(counter.ordinal());
    }

    public int nodeCount() {
        return nodeCount;
    }

    /** Dictionary id of the node in slot {@code denseNode}. */
    public int nodeId(int denseNode) {
        return nodeIds[denseNode];
    }

    public long node(int denseNode, PerNode counter) {
        return perNode.get(denseNode * PerNode.VALUES.length + counter.ordinal());
    }

    public int pairCount() {
        return pairCount;
    }

    public int pairSourceNode(int pairSlot) {
        return pairSource[pairSlot];
    }

    public int pairDestinationNode(int pairSlot) {
        return pairDestination[pairSlot];
    }

    public int pairFamily(int pairSlot) {
        return pairFamily[pairSlot];
    }

    public long pair(int pairSlot, PerPair counter) {
        return perPair.get(pairSlot * PAIR_STRIDE + counter.ordinal());
    }

    /** Count of matches whose transit delay fell in bucket {@code bucket} (not cumulative). */
    public long pairDelayBucket(int pairSlot, int bucket) {
        return perPair.get(pairSlot * PAIR_STRIDE + PerPair.VALUES.length + bucket);
    }

    public static int delayBucketCount() {
        return BUCKETS;
    }
}
