package io.transitwatch.daemon.join;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Replies delivered to a client before the join saw their attempt. One node's stream is not in
 * packet order: Hubble stamps and sends events as it reads them from per-CPU rings, so a SYN-ACK
 * read from one CPU can come (and be stamped) before the SYN read from another. Such a reply waits
 * here, keyed like its attempt ({@link RoundTrips}), for W plus the arrival memory, in one FIFO lane.
 * A reply backfilled after its node's reconnect is inserted behind newer ones (other nodes'), where
 * the expiry pass, which looks at the lane head only, does not reach it in time: {@link #find} forgets
 * such a reply once it is past the last pass's horizon.
 */
final class RememberedReplies {
    final KeyedSlots slots;
    final int[] node;
    final long[] frameNanos;
    final long[] nodeNanos;
    /** {@link PacketKind#SYN_ACK} for an answer, {@link PacketKind#RST} for a refusal. */
    final byte[] outcome;
    /** Replies remembered before this have had their expiry pass, wherever they sit in the lane. */
    private long horizonNanos = Long.MIN_VALUE;

    RememberedReplies(int capacity) {
        slots = new KeyedSlots(capacity, 1);
        node = new int[capacity];
        frameNanos = new long[capacity];
        nodeNanos = new long[capacity];
        outcome = new byte[capacity];
    }

    /**
     * The slot of the reply remembered for the client key, or {@link KeyedSlots#NONE}; a reply past the
     * last expiry pass's horizon (an earlier connection's, on a reused port) is forgotten now instead.
     */
    int find(long clientHi, long clientLo, long key) {
        int slot = slots.find(clientHi, clientLo, 0, 0, key);
        if (slot != KeyedSlots.NONE && frameNanos[slot] < horizonNanos) {
            slots.remove(slot);
            return KeyedSlots.NONE;
        }
        return slot;
    }

    /** Node and frame time of the reply the last {@link #add} that returned false forgot to make room. */
    int evictedNode;
    long evictedFrameNanos;

    /**
     * Remembers a reply to {@code client} at {@code node}; the oldest is forgotten when full.
     *
     * @return false when another reply was forgotten for room ({@link #evictedNode}, {@link #evictedFrameNanos})
     */
    boolean add(long clientHi, long clientLo, long key, int atNode, long frame, long atNodeNanos, int replyOutcome) {
        if (find(clientHi, clientLo, key) != KeyedSlots.NONE) {
            return true; // one remembered reply per client key is all an attempt can use
        }
        boolean evicted = slots.isFull();
        if (evicted) {
            int oldest = slots.oldest(0);
            evictedNode = node[oldest];
            evictedFrameNanos = frameNanos[oldest];
            slots.remove(oldest);
        }
        int slot = slots.insert(clientHi, clientLo, 0, 0, key, 0);
        node[slot] = atNode;
        frameNanos[slot] = frame;
        nodeNanos[slot] = atNodeNanos;
        outcome[slot] = (byte) replyOutcome;
        return !evicted;
    }

    /** Forgets replies remembered before {@code horizonFrameNanos}, at most {@code budget}. */
    int expire(long horizonFrameNanos, int budget) {
        horizonNanos = horizonFrameNanos;
        return slots.removeOlderThan(frameNanos, 1, horizonFrameNanos, budget);
    }
}
