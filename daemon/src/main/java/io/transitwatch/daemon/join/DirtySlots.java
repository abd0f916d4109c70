package io.transitwatch.daemon.join;

/**
 * Single-threaded: owned by the join thread (inside {@link JoinCounters}).
 *
 * <p>The set of slots (nodes, pairs) whose counts changed since the last publish, as a list without
 * repeats, so that publishing touches only those: marking a slot is a flag test, and most events
 * mark slots already listed.
 */
final class DirtySlots {
    private final boolean[] listed;
    private final int[] slots;
    private int size;

    DirtySlots(int capacity) {
        listed = new boolean[capacity];
        slots = new int[capacity];
    }

    void mark(int slot) {
        if (!listed[slot]) {
            listed[slot] = true;
            slots[size++] = slot;
        }
    }

    int size() {
        return size;
    }

    int get(int n) {
        return slots[n];
    }

    void clear() {
        for (int n = 0; n < size; n++) {
            listed[slots[n]] = false;
        }
        size = 0;
    }
}
