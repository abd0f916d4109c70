package io.transitwatch.daemon.ingest;

import java.util.Arrays;

/**
 * Single thread: owned by one node's timeline, touched only by the thread delivering that node's
 * messages.
 *
 * <p>A set of uuids a resumed stream may send again ({@code since}), built from a node's
 * {@link RecentUuids} when the stream starts, to drop what the backfill repeats. Two generations of open-addressing tables of primitive {@code long} pairs (no boxing):
 * inserts go to the current generation; when it is full it becomes the previous one and the old
 * previous one is cleared. A generation starts small and doubles, up to {@code capacity} uuids,
 * only while it fills within {@link #GROWTH_SPAN_NANOS} of event time: a quiet node (a big cluster
 * has thousands) keeps a few KiB, a busy one up to {@code capacity}. So the window always remembers
 * the last {@code capacity} uuids or every uuid of the last {@link #GROWTH_SPAN_NANOS}, whichever
 * is fewer, far more than a backfill's overlap; allocation happens only when a table grows.
 * {@code (0, 0)} is "no uuid" and marks free cells.
 */
final class UuidWindow {
    /** A generation that fills faster than this (event time) grows, up to the capacity. */
    static final long GROWTH_SPAN_NANOS = 10_000_000_000L;
    private static final int INITIAL_GENERATION = 64;

    private final int capacity;
    private int generation;
    private long[] current;
    private int currentMask;
    private long[] previous;
    private int previousMask;
    private int currentCount;
    private long generationStartNanos = Long.MIN_VALUE;

    /** @param capacity a power of two: uuids remembered at most per generation */
    UuidWindow(int capacity) {
        this.capacity = capacity;
        this.generation = Math.min(capacity, INITIAL_GENERATION);
        this.current = new long[4 * generation]; // (hi, lo) pairs, tables at most half full
        this.previous = new long[4 * generation];
        this.currentMask = 2 * generation - 1;
        this.previousMask = currentMask;
    }

    /** Remembers the uuid, ignoring time (the generation grows to the capacity as it fills). */
    boolean add(long hi, long lo) {
        return add(hi, lo, Long.MIN_VALUE);
    }

    /** Remembers the uuid of an event at {@code timeNanos}; returns false if it was already in the window. */
    boolean add(long hi, long lo, long timeNanos) {
        if (contains(previous, previousMask, hi, lo) || contains(current, currentMask, hi, lo)) {
            return false;
        }
        if (generationStartNanos == Long.MIN_VALUE) {
            generationStartNanos = timeNanos;
        }
        if (currentCount == generation) {
            boolean fast = timeNanos == Long.MIN_VALUE || timeNanos - generationStartNanos < GROWTH_SPAN_NANOS;
            if (fast && generation < capacity) {
                grow();
            } else {
                rotate();
                generationStartNanos = timeNanos;
            }
        }
        insert(current, currentMask, hi, lo);
        currentCount++;
        return true;
    }

    /** Uuids a generation holds now (for tests: how far the window has grown). */
    int generation() {
        return generation;
    }

    private void grow() {
        generation *= 2;
        long[] old = current;
        current = new long[4 * generation];
        currentMask = 2 * generation - 1;
        for (int i = 0; i < old.length; i += 2) {
            if (old[i] != 0 || old[i + 1] != 0) {
                insert(current, currentMask, old[i], old[i + 1]);
            }
        }
    }

    private void rotate() {
        long[] recycled = previous.length == current.length ? previous : new long[current.length];
        Arrays.fill(recycled, 0);
        previous = current;
        previousMask = currentMask;
        current = recycled;
        currentCount = 0;
    }

    private static void insert(long[] table, int mask, long hi, long lo) {
        int slot = slotOf(hi, lo, mask);
        while (table[2 * slot] != 0 || table[2 * slot + 1] != 0) {
            slot = (slot + 1) & mask;
        }
        table[2 * slot] = hi;
        table[2 * slot + 1] = lo;
    }

    private static boolean contains(long[] table, int mask, long hi, long lo) {
        int slot = slotOf(hi, lo, mask);
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

    private static int slotOf(long hi, long lo, int mask) {
        long mixed = (hi ^ Long.rotateLeft(lo, 32)) * 0x9E37_79B9_7F4A_7C15L;
        return (int) (mixed >>> 40) & mask;
    }
}
