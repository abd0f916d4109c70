package io.transitwatch.daemon.join;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Departures waiting for their arrival, one lane per destination node, so that a node whose
 * stream is behind never holds up verdicts for the others. Per entry: the five key words, index and
 * lane links of {@link KeyedSlots}, and the fields below — about 95 bytes, no object. Names of the
 * endpoints are not kept here: {@link io.transitwatch.daemon.topology.Topology} remembers them per IP.
 */
final class PendingDepartures {
    /** The unit of {@link #arrivalHeadroom}. */
    static final long HEADROOM_UNIT_NANOS = 4_000_000L;

    final KeyedSlots slots;
    /** Dense index of the source node. */
    final int[] sourceNode;
    /** First departure on the daemon's time line (see {@link NodeClocks}). */
    final long[] frameNanos;
    /** First departure on the source node's own clock, as Hubble reported it. */
    final long[] firstSeenNanos;
    /** Last report (a retransmission) relative to the first, in milliseconds. */
    final int[] lastSeenDeltaMillis;
    final short[] attempts;
    final short[] observationPoint;
    final byte[] traceReason;
    final int[] interfaceName;
    /**
     * How far the departure's frame time lay past the arrival horizon when it came, in 4 ms units,
     * rounded down (up to 4 ms on the safe side) and at most 65,535 (262 s, also before the first
     * expiry pass): see {@link #arrivalHorizonWhenAdded}.
     */
    final char[] arrivalHeadroom;

    /** {@code index}: shared with the remembered arrivals (see {@link SlotIndex}), or null for one of its own. */
    PendingDepartures(int capacity, int maxNodes, SlotIndex index) {
        slots = new KeyedSlots(capacity, maxNodes, index);
        sourceNode = new int[capacity];
        frameNanos = new long[capacity];
        firstSeenNanos = new long[capacity];
        lastSeenDeltaMillis = new int[capacity];
        attempts = new short[capacity];
        observationPoint = new short[capacity];
        traceReason = new byte[capacity];
        interfaceName = new int[capacity];
        arrivalHeadroom = new char[capacity];
    }

    /**
     * A new departure waiting in {@code destination}'s lane: its key (and the key's hash), {@code source}'s dense index, its
     * frame time, and the evidence of {@code flow} (when, where and why the source reported it);
     * {@code arrivalHorizon}: remembered arrivals before it have been forgotten.
     */
    int add(int hash, long srcHi, long srcLo, long dstHi, long dstLo, long k4, int destination, int source, long frame,
            io.transitwatch.daemon.handoff.NodeEvent flow, long arrivalHorizon) {
        int slot = slots.insert(hash, srcHi, srcLo, dstHi, dstLo, k4, destination);
        sourceNode[slot] = source;
        frameNanos[slot] = frame;
        firstSeenNanos[slot] = flow.timeNanos;
        lastSeenDeltaMillis[slot] = 0;
        attempts[slot] = 1;
        observationPoint[slot] = flow.observationPoint;
        traceReason[slot] = flow.traceReason;
        interfaceName[slot] = flow.interfaceName;
        long headroom = arrivalHorizon == Long.MIN_VALUE ? Long.MAX_VALUE : (frame - arrivalHorizon) / HEADROOM_UNIT_NANOS;
        arrivalHeadroom[slot] = (char) Math.max(0, Math.min(Character.MAX_VALUE, headroom));
        return slot;
    }

    /**
     * Before what frame time remembered arrivals had been forgotten when departure {@code slot} came (up
     * to 4 ms later than it was: on the safe side): its arrival, if it lay there, may have gone unseen.
     */
    long arrivalHorizonWhenAdded(int slot) {
        return frameNanos[slot] - arrivalHeadroom[slot] * HEADROOM_UNIT_NANOS;
    }

    /** The source reported the departure again at {@code nodeNanos} (a retransmission): one more attempt. */
    void retransmitted(int slot, long nodeNanos) {
        attempts[slot]++;
        lastSeenDeltaMillis[slot] = (int) java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(nodeNanos - firstSeenNanos[slot]);
    }

    /**
     * Removes the departure pending under {@code flow}'s source before SNAT (the pod's address) and key word
     * {@code k4}, when {@code node} sent it: the report, before SNAT, of the packet {@code flow} reports after it.
     *
     * @return whether there was one
     */
    boolean removeReportBeforeSnat(io.transitwatch.daemon.handoff.NodeEvent flow, int node, long k4) {
        int before = slots.find(flow.srcHi, flow.srcLo, flow.dstHi, flow.dstLo, k4);
        if (before == KeyedSlots.NONE || sourceNode[before] != node) {
            return false;
        }
        slots.remove(before);
        return true;
    }

    /** Index of the lane head (over all lanes) that departed first, for capacity eviction. */
    int oldestOverall(int lanesInUse) {
        int oldest = KeyedSlots.NONE;
        for (int lane = 0; lane < lanesInUse; lane++) {
            int head = slots.oldest(lane);
            if (head != KeyedSlots.NONE && (oldest == KeyedSlots.NONE || frameNanos[head] < frameNanos[oldest])) {
                oldest = head;
            }
        }
        return oldest;
    }
}
