package io.transitwatch.daemon.join;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Replies delivered to a client before the join saw their attempt. One node's stream is not in
 * packet order: Hubble stamps and sends events as it reads them from per-CPU rings, so a SYN-ACK
 * read from one CPU can come (and be stamped) before the SYN read from another. Such a reply waits
 * here, keyed like its attempt ({@link RoundTrips}), for W plus the arrival memory, in one FIFO lane.
 */
final class RememberedReplies {
    final KeyedSlots slots;
    final int[] node;
    final long[] frameNanos;
    final long[] nodeNanos;
    /** {@link PacketKind#SYN_ACK} for an answer, {@link PacketKind#RST} for a refusal. */
    final byte[] outcome;

    RememberedReplies(int capacity) {
        slots = new KeyedSlots(capacity, 1);
        node = new int[capacity];
        frameNanos = new long[capacity];
        nodeNanos = new long[capacity];
        outcome = new byte[capacity];
    }

    /** Remembers a reply to {@code client} at {@code node}; the oldest is forgotten when full. */
    void add(long clientHi, long clientLo, long key, int atNode, long frame, long atNodeNanos, int replyOutcome) {
        if (slots.find(clientHi, clientLo, 0, 0, key) != KeyedSlots.NONE) {
            return; // one remembered reply per client key is all an attempt can use
        }
        if (slots.isFull()) {
            slots.remove(slots.oldest(0));
        }
        int slot = slots.insert(clientHi, clientLo, 0, 0, key, 0);
        node[slot] = atNode;
        frameNanos[slot] = frame;
        nodeNanos[slot] = atNodeNanos;
        outcome[slot] = (byte) replyOutcome;
    }

    /** Forgets replies remembered before {@code horizonFrameNanos}, at most {@code budget}. */
    int expire(long horizonFrameNanos, int budget) {
        return slots.removeOlderThan(frameNanos, horizonFrameNanos, budget);
    }
}
