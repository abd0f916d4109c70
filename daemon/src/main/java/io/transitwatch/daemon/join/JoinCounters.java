package io.transitwatch.daemon.join;

import java.util.concurrent.atomic.AtomicIntegerArray;

/**
 * Single writer, many readers: only the join thread counts, into plain arrays ({@link
 * PublishedCounts}), and {@link #publish() publishes} them once per duty cycle (and at the end of
 * each batch of events); metrics and the web page read the published copy from any thread, so they
 * see the counts as of the last publish, untorn.
 *
 * <p>The join's counters, read by metrics rather than pushed: global counters (by {@link Global}),
 * per node (by {@link PerNode}), per (source node, destination node, family) pair (by
 * {@link PerPair}) and a transit-delay histogram per family with the bucket bounds of
 * {@link #DELAY_BUCKETS_NANOS}. Node slots are dense and never forgotten; pair slots are sparse
 * ({@link PairTable}): a pair gets one on its first verdict, and when slots run short the slots of
 * pairs idle for the idle time are zeroed and handed to new pairs. Readers look at slots
 * {@code 0 .. pairCount()-1} and skip those not {@link #pairInUse in use}; a slot recycled during a
 * read may show its old and new pair mixed for that one read.
 */
public final class JoinCounters {
    /** Counters over the whole join. */
    public enum Global {
        EVENTS, FLOWS, DEPARTURES, ARRIVALS, RETRANSMISSIONS, DUPLICATE_DEPARTURES, DUPLICATE_ARRIVALS,
        IGNORED_NOT_JOIN_SAFE, IGNORED_OBSERVATION_POINT, IGNORED_EXCLUDED_IDENTITY, IGNORED_SAME_NODE,
        IGNORED_UNRESOLVED_DESTINATION, IGNORED_NO_IP, IGNORED_NODE_LIMIT, IGNORED_ORPHAN_RETRANSMISSION,
        MATCHED, LOST, DROPPED, LATE, UNVERIFIED, PENDING_EVICTED, ARRIVALS_EVICTED, ARRIVALS_EXPIRED,
        LOST_EVENT_REPORTS, GAPS, NODE_DOWN, NODE_UP,
        /** Departures and verdicts not counted per pair because no pair slot was free. */
        PAIR_SLOT_MISSES,
        /** Pair slots handed back because their pair had no verdict for the idle time. */
        PAIRS_RECYCLED,
        /** Round trips (DESIGN §3.7): attempts to destinations without arrival events, and their verdicts. */
        ROUND_TRIPS, ANSWERED, NO_REPLY, REFUSED, ROUND_TRIPS_EVICTED,
        /** ACK / PSH departures that are not their direction's first (DESIGN §3.8): interval reports. */
        IGNORED_NOT_FIRST_DATA,
        /**
         * Departures matched (or dropped) only at an arrival from their source node's own address: the
         * pod's packet was masqueraded on its way (native routing, a native-routing CIDR that does not
         * cover the destination). Counted in MATCHED / DROPPED as well.
         */
        MATCHED_MASQUERADED;
        static final Global[] VALUES = values();
    }

    /** Values of the {@link PerNode#STATE} gauge: what the join knows of a node's observer now. */
    public static final long OBSERVER_NEVER_SEEN = 0;
    /** Delivering, and caught up with what it was asked to re-read. */
    public static final long OBSERVER_UP = 1;
    public static final long OBSERVER_DOWN = 2;
    /** Delivering again, but not yet past the moment it came up (see ObserverHealth, "catching up"). */
    public static final long OBSERVER_CATCHING_UP = 3;

    /**
     * Counters and gauges per observing node; {@code STATE} holds one of the {@code OBSERVER_*}
     * values; the {@code SENT_} counters are the verdicts of the departures the node sent, over every
     * destination (kept per node, so they survive the recycling of pair slots).
     */
    public enum PerNode {
        EVENTS, LOST_EVENTS, GAPS, DOWN, CLOCK_OFFSET_NANOS, LATENESS_NANOS, STATE,
        /** How much longer than the window departures to the node wait for arrivals (TransitBounds). */
        EXTRA_WAIT_NANOS,
        SENT_DEPARTURES, SENT_MATCHED, SENT_LOST, SENT_UNVERIFIED,
        /** Round trips of the node's clients (DESIGN §3.7) and their verdicts. */
        ROUND_TRIPS, ANSWERED, NO_REPLY, REFUSED, ROUND_TRIPS_UNVERIFIED,
        /**
         * Forwarded trace events the node's stream showed at each egress point, whatever the join made
         * of them: what the calibration from Cilium's configuration is checked against.
         */
        SEEN_TO_NETWORK, SEEN_TO_OVERLAY, SEEN_TO_STACK;
        static final PerNode[] VALUES = values();
    }

    /** Counters per (source node, destination node, family). */
    public enum PerPair {
        DEPARTURES, MATCHED, LOST, DROPPED, LATE,
        UNVERIFIED_OBSERVER_DOWN, UNVERIFIED_GAP, UNVERIFIED_LOST_EVENTS, UNVERIFIED_BEHIND,
        UNVERIFIED_NO_OBSERVER, UNVERIFIED_CAPACITY, UNVERIFIED_REQUEST_UNSEEN;
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
    /** Per family: the buckets, then the sum of the delays. */
    private static final int FAMILY_STRIDE = BUCKETS + 1;
    private static final int PAIR_STRIDE = PerPair.VALUES.length;
    /** Per pair slot: source node id, destination node id (0 = slot free), family. */
    private static final int IDENTITY_STRIDE = 3;

    private final PublishedCounts global = new PublishedCounts(1, Global.VALUES.length);
    private final PublishedCounts perNode;
    private final PublishedCounts perPair;
    private final PublishedCounts delayByFamily = new PublishedCounts(1, 2 * FAMILY_STRIDE);
    private final int[] nodeIds;
    private final AtomicIntegerArray pairIdentity;
    private final PairTable pairs;
    private final PairTable.SlotFreed freeSlot = this::forgetPair;
    private VerdictListener recycleListener = VerdictListener.NONE;
    private final int maxNodes;
    private long nowNanos;
    private volatile int nodeCount;
    private volatile int pairCount;
    private volatile int activePairs;

    public JoinCounters(int maxNodes, int maxPairs) {
        this.maxNodes = maxNodes;
        perNode = new PublishedCounts(maxNodes, PerNode.VALUES.length);
        perPair = new PublishedCounts(maxPairs, PAIR_STRIDE);
        nodeIds = new int[maxNodes];
        pairIdentity = new AtomicIntegerArray(maxPairs * IDENTITY_STRIDE);
        pairs = new PairTable(maxPairs);
    }

    // ---- writer side (join thread) ----

    /** The daemon's time for this duty cycle: when the pairs counted from now on were last active. */
    void setTime(long epochNanos) {
        this.nowNanos = epochNanos;
    }

    void increment(Global counter) {
        add(counter, 1);
    }

    void add(Global counter, long amount) {
        global.add(0, counter.ordinal(), amount);
    }

    /**
     * Makes the counts so far visible to readers: every global and delay counter, and the node and
     * pair slots changed since the last publish. Called by the engine once per duty cycle and at the
     * end of each batch of events.
     */
    void publish() {
        global.publish();
        delayByFamily.publish();
        perNode.publish();
        perPair.publish();
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
        perNode.add(denseNode, counter.ordinal(), delta);
    }

    void setNode(int denseNode, PerNode gauge, long value) {
        perNode.set(denseNode, gauge.ordinal(), value);
    }

    /** Slot of the pair, assigned on first use; -1 (counted) when no slot is free (the pair is then not counted). */
    int pairSlot(int sourceDense, int destinationDense, int family, int sourceId, int destinationId) {
        int key = pairKey(sourceDense, destinationDense, family);
        int before = pairs.highWater();
        int active = pairs.active();
        int slot = pairs.slotOf(key, nowNanos);
        if (slot == PairTable.NONE) {
            increment(Global.PAIR_SLOT_MISSES);
            return -1;
        }
        if (pairs.active() != active) {
            int base = slot * IDENTITY_STRIDE;
            pairIdentity.setRelease(base, sourceId);
            pairIdentity.setRelease(base + 2, family);
            pairIdentity.setRelease(base + 1, destinationId);
            activePairs = pairs.active();
            if (pairs.highWater() != before) {
                pairCount = pairs.highWater();
            }
        }
        return slot;
    }

    /** The pair's slot if it has one, else -1; nothing is counted or taken (a look, not a verdict). */
    int existingPairSlot(int sourceDense, int destinationDense, int family) {
        int slot = pairs.find(pairKey(sourceDense, destinationDense, family));
        return slot == PairTable.NONE ? -1 : slot;
    }

    private int pairKey(int sourceDense, int destinationDense, int family) {
        return (sourceDense * maxNodes + destinationDense) * 2 + (family == JoinConstants.FAMILY_IPV6 ? 1 : 0);
    }

    /**
     * When slots run short, frees up to a budget of slots whose pair had no verdict since
     * {@code idleBeforeNanos}: zeroes their counters and tells {@code listener} before a new pair can
     * take them. Called once per duty cycle; does nothing while slots are plentiful.
     */
    void reclaimIdlePairs(long idleBeforeNanos, int budget, VerdictListener listener) {
        if (!pairs.underPressure()) {
            return;
        }
        recycleListener = listener;
        pairs.reclaimIdle(idleBeforeNanos, budget, freeSlot);
        activePairs = pairs.active();
    }

    /** Work of the pair table so far (see {@link SlotIndex#workSteps()}). */
    long pairWorkSteps() {
        return pairs.workSteps();
    }

    private void forgetPair(int slot) {
        int base = slot * IDENTITY_STRIDE;
        pairIdentity.setRelease(base + 1, 0);
        pairIdentity.setRelease(base, 0);
        perPair.zero(slot);
        increment(Global.PAIRS_RECYCLED);
        recycleListener.onPairRecycled(slot);
    }

    void incrementPair(int pairSlot, PerPair counter) {
        if (pairSlot >= 0) {
            perPair.add(pairSlot, counter.ordinal(), 1);
        }
    }

    void recordTransit(int family, long transitNanos) {
        long delay = Math.max(0, transitNanos);
        int base = (family == JoinConstants.FAMILY_IPV6 ? 1 : 0) * FAMILY_STRIDE;
        delayByFamily.add(0, base + BUCKETS, delay);
        int bucket = 0;
        while (bucket < DELAY_BUCKETS_NANOS.length && delay > DELAY_BUCKETS_NANOS[bucket]) {
            bucket++;
        }
        delayByFamily.add(0, base + bucket, 1);
    }

    // ---- reader side (any thread) ----

    public long get(Global counter) {
        return global.get(0, counter.ordinal());
    }

    public int nodeCount() {
        return nodeCount;
    }

    /** Dictionary id of the node in slot {@code denseNode}. */
    public int nodeId(int denseNode) {
        return nodeIds[denseNode];
    }

    /**
     * The egress points each node's stream showed so far (forwarded trace events), for the
     * calibration check: node name (by {@code nodeName} of its dictionary id) → proto point name →
     * events, in node order.
     */
    public java.util.Map<String, java.util.Map<String, Long>> egressPointsSeen(
            java.util.function.IntFunction<String> nodeName) {
        java.util.Map<String, java.util.Map<String, Long>> seen = new java.util.LinkedHashMap<>();
        for (int node = 0, count = nodeCount(); node < count; node++) {
            seen.put(nodeName.apply(nodeId(node)), java.util.Map.of(
                    "TO_NETWORK", node(node, PerNode.SEEN_TO_NETWORK),
                    "TO_OVERLAY", node(node, PerNode.SEEN_TO_OVERLAY),
                    "TO_STACK", node(node, PerNode.SEEN_TO_STACK)));
        }
        return seen;
    }

    public long node(int denseNode, PerNode counter) {
        return perNode.get(denseNode, counter.ordinal());
    }

    /** Pair slots handed out so far (some may be free again: see {@link #pairInUse}); iterate below it. */
    public int pairCount() {
        return pairCount;
    }

    /** Pairs that hold a slot now. */
    public int activePairs() {
        return activePairs;
    }

    /** Whether slot {@code pairSlot} is counting a pair now (false once recycled and not yet reused). */
    public boolean pairInUse(int pairSlot) {
        return pairIdentity.get(pairSlot * IDENTITY_STRIDE + 1) != 0;
    }

    public int pairSourceNode(int pairSlot) {
        return pairIdentity.get(pairSlot * IDENTITY_STRIDE);
    }

    public int pairDestinationNode(int pairSlot) {
        return pairIdentity.get(pairSlot * IDENTITY_STRIDE + 1);
    }

    public int pairFamily(int pairSlot) {
        return pairIdentity.get(pairSlot * IDENTITY_STRIDE + 2);
    }

    public long pair(int pairSlot, PerPair counter) {
        return perPair.get(pairSlot, counter.ordinal());
    }

    /** Count of matches of {@code family} whose transit delay fell in bucket {@code bucket} (not cumulative). */
    public long delayBucket(int family, int bucket) {
        return delayByFamily.get(0, (family == JoinConstants.FAMILY_IPV6 ? 1 : 0) * FAMILY_STRIDE + bucket);
    }

    /** Sum of the transit delays of the matches of {@code family}, in nanoseconds. */
    public long delaySumNanos(int family) {
        return delayByFamily.get(0, (family == JoinConstants.FAMILY_IPV6 ? 1 : 0) * FAMILY_STRIDE + BUCKETS);
    }

    public static int delayBucketCount() {
        return BUCKETS;
    }
}
