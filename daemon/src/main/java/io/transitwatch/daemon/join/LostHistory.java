package io.transitwatch.daemon.join;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Departures already declared LOST_IN_TRANSIT, remembered for the late horizon: a retransmission
 * still counts as an attempt, and an arrival that shows up after all turns into a LATE event that
 * resolves the alert (DESIGN §3.5). {@link #token} is what the verdict listener returned for the
 * alert, so the LATE event can name it. A {@link #resolved} entry stays until the horizon, so that
 * the handshake's retransmissions reported after its LATE arrival still count as attempts; it
 * resolves nothing more.
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
