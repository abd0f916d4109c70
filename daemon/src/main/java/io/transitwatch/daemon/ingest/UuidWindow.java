package io.transitwatch.daemon.ingest;

import java.util.Arrays;

/**
 * Single thread: owned by one node's timeline, touched only by the thread delivering that node's
 * messages.
 *
 * <p>The uuids of a node's most recent events, to drop what a backfill ({@code since}) sends
 * again. Two generations of open-addressing tables of primitive {@code long} pairs (no boxing, no
 * allocation after construction): inserts go to the current generation; when it holds
 * {@code capacity} uuids it becomes the previous one and the old previous one is cleared. So the
 * window always remembers at least the last {@code capacity} uuids and at most twice that, at
 * amortized O(1) per event. {@code (0, 0)} is "no uuid" and marks free cells.
 */
final class UuidWindow {
    private final int capacity;
    private final int mask;
    private long[] current;
    private long[] previous;
    private int currentCount;

    /** @param capacity a power of two: uuids guaranteed to be remembered */
    UuidWindow(int capacity) {
        this.capacity = capacity;
        this.mask = 2 * capacity - 1; // tables at most half full
        this.current = new long[4 * capacity]; // (hi, lo) pairs
        this.previous = new long[4 * capacity];
    }

    /** Remembers the uuid; returns false if it was already in the window (a duplicate). */
    boolean add(long hi, long lo) {
        if (contains(previous, hi, lo) || contains(current, hi, lo)) {
            return false;
        }
        if (currentCount == capacity) {
            long[] recycled = previous;
            Arrays.fill(recycled, 0);
            previous = current;
            current = recycled;
            currentCount = 0;
        }
        int slot = slotOf(hi, lo);
        while (current[2 * slot] != 0 || current[2 * slot + 1] != 0) {
            slot = (slot + 1) & mask;
        }
        current[2 * slot] = hi;
        current[2 * slot + 1] = lo;
        currentCount++;
        return true;
    }

    private boolean contains(long[] table, long hi, long lo) {
        int slot = slotOf(hi, lo);
        while (true) {
            long h = table[2 * slot];
            long l = table[2 * slot + 1];
            if (h == hi && l == lo) {
                return true;
            }
            if (h == 0 && l == 0) {
                return false;
            }
            slot = (slot + 1) & mask;
        }
    }

    private int slotOf(long hi, long lo) {
        long mixed = (hi ^ Long.rotateLeft(lo, 32)) * 0x9E37_79B9_7F4A_7C15L;
        return (int) (mixed >>> 40) & mask;
    }
}
