package io.transitwatch.daemon.join;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Arrivals that matched no pending departure yet. Streams of different nodes are not ordered
 * against each other (Relay orders best-effort, per-node streams not at all), so the arrival of a
 * packet can be processed before its departure; it waits here for W plus a memory margin, in one
 * FIFO lane, and is matched when the departure shows up. Arrivals from a source on the same node
 * never get here: no departure is reported for them.
 */
final class RememberedArrivals {
    final KeyedSlots slots;
    final int[] node;
    final long[] frameNanos;
    final long[] nodeNanos;
    /** {@code flow.DropReason} when the destination dropped the packet, else 0. */
    final int[] dropReason;
    final boolean[] dropped;
    /**
     * The arrival already matched a departure that its source reports for every packet ({@code trace_reason}
     * unknown beside the destination's NEW: the host stack's and a proxy's connections in tunnel mode,
     * hubble-api.md §2.3 e), or whose node may report one packet leaving twice (monitor aggregation below
     * medium: the endpoint's {@code to-network} and the host's {@code to-netdev}). Kept for the arrival
     * memory, so that the source's report of the packet sent again (a retransmission, reported like the
     * first, or the host's second report) is known as one: the destination reports a retransmission only
     * after Cilium's 5 s interval, and as a new departure it would look lost.
     */
    final boolean[] claimed;
    /** The arrival's {@code trace_reason} was known (Cilium 1.16 and later report it). */
    final boolean[] reasoned;
    /**
     * The arrival cannot be told from another packet of its key, so a departure matched with it says
     * nothing of the two nodes' clocks (its transit is not sampled, see {@link TransitBounds}): an echo
     * request remembered beside another of its key (Hubble shows no echo identifier, hubble-api.md §1.3,
     * while each {@code ping -c1} opens a conntrack entry of its own, reported NEW on both nodes, §3.3),
     * or a packet its destination reported ESTABLISHED ({@link PacketKind#ofEntryKeptLonger}).
     */
    final boolean[] ambiguous;

    /** Frame time of the newest arrival remembered {@link #addTranslated translated}; MIN_VALUE before the first. */
    private long newestTranslatedFrameNanos = Long.MIN_VALUE;

    /** Node and frame time of the arrival the last {@link #add} that returned false forgot to make room. */
    int evictedNode;
    long evictedFrameNanos;

    /**
     * Remembers {@code flow}, an arrival at {@code node} with key word {@code k4} (key hash {@code hash}) and frame time
     * {@code frame}; when full the oldest is forgotten first. {@code claimedAlready}: it matched its departure
     * already and is kept only to know that departure reported again ({@link #claimed}).
     *
     * @return false when that forgot an arrival (counted by the caller)
     */
    boolean add(io.transitwatch.daemon.handoff.NodeEvent flow, int hash, long k4, int node, long frame, boolean isDropped,
            boolean claimedAlready, boolean ambiguousPacket) {
        boolean evicted = slots.isFull();
        if (evicted) {
            int oldest = slots.oldest(0);
            evictedNode = this.node[oldest];
            evictedFrameNanos = frameNanos[oldest];
            slots.remove(oldest);
        }
        int slot = slots.insert(hash, flow.srcHi, flow.srcLo, flow.dstHi, flow.dstLo, k4, 0);
        this.node[slot] = node;
        frameNanos[slot] = frame;
        nodeNanos[slot] = flow.timeNanos;
        dropped[slot] = isDropped;
        dropReason[slot] = flow.dropReason;
        claimed[slot] = claimedAlready;
        reasoned[slot] = flow.traceReason != JoinConstants.TRACE_REASON_UNKNOWN;
        ambiguous[slot] = ambiguousPacket;
        return !evicted;
    }

    /**
     * Remembers arrival {@code flow} under its key without the source port, instead of its key: a reply
     * whose source Cilium translated back to a service's on its way to the client (per-packet load
     * balancing: {@code source} is the backend's address, {@code source_xlated} the service's, and the
     * source port the service's; hubble-api.md §4.1). Its departure left the backend from the backend's
     * own port, so only this key finds it ({@link #findTranslated}), when that departure is about to be
     * declared lost. A report of it again is not remembered twice.
     *
     * @return false when that forgot an arrival, as {@link #add}
     */
    boolean addTranslated(io.transitwatch.daemon.handoff.NodeEvent flow, long k4, int node, long frame,
            boolean isDropped) {
        long portless = FlowKey.withoutSourcePort(k4);
        if (slots.find(flow.srcHi, flow.srcLo, flow.dstHi, flow.dstLo, portless) != KeyedSlots.NONE) {
            return true; // reported again: the first report is the one its departure matches
        }
        newestTranslatedFrameNanos = Math.max(newestTranslatedFrameNanos, frame);
        return add(flow, FlowKey.hash(flow.srcHi, flow.srcLo, flow.dstHi, flow.dstLo, portless), portless, node, frame,
                isDropped, false, false);
    }

    /** Whether an arrival remembered {@link #addTranslated translated} may still be here: one from after {@code horizon}. */
    boolean translatedSince(long horizonNanos) {
        return newestTranslatedFrameNanos != Long.MIN_VALUE && newestTranslatedFrameNanos >= horizonNanos;
    }

    /** The translated arrival ({@link #addTranslated}) of pending departure {@code slot} of {@code departures}, or NONE. */
    int findTranslated(KeyedSlots departures, int slot) {
        return slots.find(departures.k0(slot), departures.k1(slot), departures.k2(slot), departures.k3(slot),
                FlowKey.withoutSourcePort(departures.k4(slot)));
    }

    /** {@code index}: shared with the pending departures (see {@link SlotIndex}), or null for one of its own. */
    RememberedArrivals(int capacity, SlotIndex index) {
        slots = new KeyedSlots(capacity, 1, index);
        node = new int[capacity];
        frameNanos = new long[capacity];
        nodeNanos = new long[capacity];
        dropReason = new int[capacity];
        dropped = new boolean[capacity];
        claimed = new boolean[capacity];
        reasoned = new boolean[capacity];
        ambiguous = new boolean[capacity];
    }
}
