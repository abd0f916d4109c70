package io.transitwatch.daemon.join;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Departures already declared LOST_IN_TRANSIT, remembered for the late horizon: a retransmission
 * still counts as an attempt, and an arrival that shows up after all turns into a LATE event that
 * resolves the alert (DESIGN §3.5). {@link #token} is what the verdict listener returned for the
 * alert, so the LATE event can name it. A {@link #resolved} entry stays until the horizon, so that
 * the handshake's retransmissions reported after its LATE arrival still count as attempts; it
 * resolves nothing more. Losses are recorded as they are decided, lane by lane, so one decided late
 * (a lagging destination) sits behind newer ones in the FIFO lane, where the expiry pass, which looks
 * at the lane head only, does not reach it in time: {@link #find} forgets it once it is past the last
 * pass's horizon.
 */
final class LostHistory {
    final KeyedSlots slots;
    final int[] sourceNode;
    final int[] destinationNode;
    final long[] frameNanos;
    final long[] firstSeenNanos;
    final long[] token;
    final short[] attempts;
    final boolean[] resolved;
    /** Entries of kind SYN-ACK: while there are none, a SYN-ACK departure need not probe (a cache miss) for its loss. */
    private int synAcks;
    /** Losses before this have had their expiry pass, wherever they sit in the lane. */
    private long horizonNanos = Long.MIN_VALUE;

    /**
     * Remembers pending departure {@code slot} as declared lost, with the listener's {@code token}.
     * One entry per key: a reused tuple lost again supersedes its older loss, so one late arrival
     * resolves one alert.
     */
    void record(PendingDepartures pending, int slot, long token) {
        KeyedSlots from = pending.slots;
        int earlier = slots.find(from.k0(slot), from.k1(slot), from.k2(slot), from.k3(slot), from.k4(slot));
        if (earlier != KeyedSlots.NONE) {
            forget(earlier);
        } else if (slots.isFull()) {
            forget(slots.oldest(0));
        }
        int entry = slots.insert(from.k0(slot), from.k1(slot), from.k2(slot), from.k3(slot), from.k4(slot), 0);
        if (FlowKey.kind(from.k4(slot)) == PacketKind.SYN_ACK) {
            synAcks++;
        }
        sourceNode[entry] = pending.sourceNode[slot];
        destinationNode[entry] = from.lane(slot);
        frameNanos[entry] = pending.frameNanos[slot];
        firstSeenNanos[entry] = pending.firstSeenNanos[slot];
        this.token[entry] = token;
        attempts[entry] = pending.attempts[slot];
        resolved[entry] = false;
    }

    /**
     * The entry of the loss declared for this key, or {@link KeyedSlots#NONE}; one past the last expiry
     * pass's horizon (an earlier connection's, on a reused tuple) is forgotten now instead.
     */
    int find(long a, long b, long c, long d, long e) {
        return find(FlowKey.hash(a, b, c, d, e), a, b, c, d, e);
    }

    /** {@link #find(long, long, long, long, long)} with the key's {@link FlowKey#hash} already known. */
    int find(int hash, long a, long b, long c, long d, long e) {
        int entry = slots.find(hash, a, b, c, d, e);
        if (entry != KeyedSlots.NONE && frameNanos[entry] < horizonNanos) {
            forget(entry);
            return KeyedSlots.NONE;
        }
        return entry;
    }

    /** Forgets the entries declared lost before {@code horizonFrameNanos}, at most {@code budget}. */
    int expire(long horizonFrameNanos, int budget) {
        horizonNanos = horizonFrameNanos;
        int removed = 0;
        int oldest;
        while (removed < budget && (oldest = slots.oldest(0)) != KeyedSlots.NONE && frameNanos[oldest] < horizonFrameNanos) {
            forget(oldest);
            removed++;
        }
        return removed;
    }

    /** Whether any entry is a SYN-ACK's (else no SYN-ACK departure can repeat a lost one). */
    boolean holdsSynAcks() {
        return synAcks > 0;
    }

    private void forget(int entry) {
        if (FlowKey.kind(slots.k4(entry)) == PacketKind.SYN_ACK) {
            synAcks--;
        }
        slots.remove(entry);
    }

    LostHistory(int capacity) {
        slots = new KeyedSlots(capacity, 1);
        sourceNode = new int[capacity];
        destinationNode = new int[capacity];
        frameNanos = new long[capacity];
        firstSeenNanos = new long[capacity];
        token = new long[capacity];
        attempts = new short[capacity];
        resolved = new boolean[capacity];
    }
}
