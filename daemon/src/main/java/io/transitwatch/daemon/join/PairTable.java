package io.transitwatch.daemon.join;

import java.util.Arrays;

/**
 * Single-threaded: owned by the join thread, through {@link JoinCounters}.
 *
 * <p>Sparse slots for the (source node, destination node, family) pairs that are actually active: a
 * pair gets a slot on its first verdict, not a cell of an n² × families table (which at 5,000 nodes
 * would be 50 million cells). The capacity is fixed at start, so memory is bounded; when few slots
 * are left, {@link #reclaimIdle} hands back the slots of pairs without a verdict for the idle time,
 * a bounded number of slots per call (a clock hand), so a cluster whose active pairs move around
 * keeps being counted. Open addressing with linear probing; removal leaves a tombstone and the
 * table is rebuilt from the live slots when tombstones pass a quarter of the capacity, as in
 * {@link SlotIndex}: shifting the run back would re-hash every key after the hole, and a clock hand
 * reclaiming many idle pairs at once is exactly when that costs most. No allocation.
 */
final class PairTable {
    static final int NONE = -1;
    private static final int EMPTY = -1;
    /** A key no pair has: pair keys are non-negative. */
    private static final int TOMBSTONE = -2;

    private final int[] keys;
    private final int[] slotOfKey;
    private final int mask;
    private final int[] keyOfSlot;
    private final long[] lastActiveNanos;
    private final int[] freeSlots;
    private int freeCount;
    private int highWater;
    private int hand;
    private int active;
    private int tombstones;
    private long steps;
    /** Ints per cache line, as a shift. */
    private static final int LINE_SHIFT = 4;

    PairTable(int capacity) {
        int tableSize = Integer.highestOneBit(Math.max(4, capacity * 2) - 1) << 1;
        keys = new int[tableSize];
        slotOfKey = new int[tableSize];
        mask = tableSize - 1;
        keyOfSlot = new int[capacity];
        lastActiveNanos = new long[capacity];
        freeSlots = new int[capacity];
        Arrays.fill(keys, -1);
        Arrays.fill(keyOfSlot, -1);
    }

    /** The pair's slot, or {@link #NONE} when it has none: neither touches nor takes a slot. */
    int find(int key) {
        int position = mix(key) & mask;
        int stored;
        while ((stored = keys[position]) != EMPTY) {
            if (stored == key) {
                return slotOfKey[position];
            }
            position = (position + 1) & mask;
        }
        return NONE;
    }

    /** The pair's slot, touched at {@code nowNanos}; a free slot on first sight; {@link #NONE} when none is free. */
    int slotOf(int key, long nowNanos) {
        int start = mix(key) & mask;
        int position = start;
        int reusable = -1;
        int stored;
        while ((stored = keys[position]) != EMPTY) {
            if (stored == key) {
                steps += linesBetween(start, position) + 1; // and the slot's time
                int slot = slotOfKey[position];
                lastActiveNanos[slot] = nowNanos;
                return slot;
            }
            if (stored == TOMBSTONE && reusable < 0) {
                reusable = position;
            }
            position = (position + 1) & mask;
        }
        steps += linesBetween(start, position);
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else if (highWater < keyOfSlot.length) {
            slot = highWater++;
        } else {
            return NONE;
        }
        if (reusable >= 0) {
            position = reusable;
            tombstones--;
        }
        keys[position] = key;
        slotOfKey[position] = slot;
        keyOfSlot[slot] = key;
        lastActiveNanos[slot] = nowNanos;
        active++;
        return slot;
    }

    /** Whether slots are short: fewer than an eighth of the capacity is free. */
    boolean underPressure() {
        return freeCount + (keyOfSlot.length - highWater) < Math.max(1, keyOfSlot.length / 8);
    }

    /**
     * Looks at up to {@code budget} slots from the clock hand and frees those idle since before
     * {@code idleBeforeNanos}, telling {@code freed} of each (before the slot can be handed out again).
     *
     * @return the number of slots looked at
     */
    int reclaimIdle(long idleBeforeNanos, int budget, SlotFreed freed) {
        int looked = 0;
        steps += (Math.min(budget, highWater) >> LINE_SHIFT) + 1;
        while (looked < budget && looked < highWater) {
            int slot = hand;
            hand = hand + 1 >= highWater ? 0 : hand + 1;
            looked++;
            if (keyOfSlot[slot] != -1 && lastActiveNanos[slot] < idleBeforeNanos) {
                int key = keyOfSlot[slot];
                keyOfSlot[slot] = -1; // first: a rebuild during the removal must not put the key back
                remove(key);
                active--;
                freed.freed(slot);
                freeSlots[freeCount++] = slot;
            }
        }
        return looked;
    }

    /** Slots handed out at least once: readers look at {@code 0 .. highWater()-1}. */
    int highWater() {
        return highWater;
    }

    int active() {
        return active;
    }

    int capacity() {
        return keyOfSlot.length;
    }

    /** Cache lines touched so far (see {@link SlotIndex#workSteps()}). */
    long workSteps() {
        return steps;
    }

    /** Removed keys whose words are still tombstones. */
    int tombstones() {
        return tombstones;
    }

    /** Told of a slot whose pair was forgotten. */
    interface SlotFreed {
        void freed(int slot);
    }

    private void remove(int key) {
        int start = mix(key) & mask;
        int position = start;
        while (keys[position] != key) {
            position = (position + 1) & mask;
        }
        steps += linesBetween(start, (position + 1) & mask);
        if (keys[(position + 1) & mask] == EMPTY) {
            // The end of a probe run: no lookup needs this word or the tombstones just before it.
            keys[position] = EMPTY;
            for (int before = (position - 1) & mask; keys[before] == TOMBSTONE; before = (before - 1) & mask) {
                keys[before] = EMPTY;
                tombstones--;
            }
            return;
        }
        keys[position] = TOMBSTONE;
        if (++tombstones > keyOfSlot.length / 4) {
            rebuild();
        }
    }

    /** Drops every tombstone: the table again from the live slots. */
    private void rebuild() {
        Arrays.fill(keys, EMPTY);
        tombstones = 0;
        steps += (keys.length >> LINE_SHIFT) + (highWater >> LINE_SHIFT);
        for (int slot = 0; slot < highWater; slot++) {
            int key = keyOfSlot[slot];
            if (key != -1) {
                int start = mix(key) & mask;
                int position = start;
                while (keys[position] != EMPTY) {
                    position = (position + 1) & mask;
                }
                steps += linesBetween(start, position);
                keys[position] = key;
                slotOfKey[position] = slot;
            }
        }
    }

    /** Table cache lines from word {@code from} to word {@code to}, both included (the probe may wrap). */
    private int linesBetween(int from, int to) {
        return ((((to - from) & mask) + (from & ((1 << LINE_SHIFT) - 1))) >>> LINE_SHIFT) + 1;
    }

    private static int mix(int value) {
        int h = value * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
