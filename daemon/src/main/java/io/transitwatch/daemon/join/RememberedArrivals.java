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

    RememberedArrivals(int capacity) {
        slots = new KeyedSlots(capacity, 1);
        node = new int[capacity];
        frameNanos = new long[capacity];
        nodeNanos = new long[capacity];
        dropReason = new int[capacity];
        dropped = new boolean[capacity];
    }
}
