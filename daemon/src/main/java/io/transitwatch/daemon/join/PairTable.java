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
 * keeps being counted. Open addressing with linear probing and backward-shift deletion: no
 * tombstones, no allocation.
 */
final class PairTable {
    static final int NONE = -1;

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

    /** The pair's slot, touched at {@code nowNanos}; a free slot on first sight; {@link #NONE} when none is free. */
    int slotOf(int key, long nowNanos) {
        int position = mix(key) & mask;
        while (keys[position] != -1) {
            if (keys[position] == key) {
                int slot = slotOfKey[position];
                lastActiveNanos[slot] = nowNanos;
                return slot;
            }
            position = (position + 1) & mask;
        }
        int slot;
        if (freeCount > 0) {
            slot = freeSlots[--freeCount];
        } else if (highWater < keyOfSlot.length) {
            slot = highWater++;
        } else {
            return NONE;
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
        while (looked < budget && looked < highWater) {
            int slot = hand;
            hand = hand + 1 >= highWater ? 0 : hand + 1;
            looked++;
            if (keyOfSlot[slot] != -1 && lastActiveNanos[slot] < idleBeforeNanos) {
                remove(keyOfSlot[slot]);
                keyOfSlot[slot] = -1;
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

    /** Told of a slot whose pair was forgotten. */
    interface SlotFreed {
        void freed(int slot);
    }

    private void remove(int key) {
        int position = mix(key) & mask;
        while (keys[position] != key) {
            position = (position + 1) & mask;
        }
        // Backward-shift deletion: move later entries of the probe run into the hole when their
        // home position does not lie strictly between the hole and themselves.
        int hole = position;
        int next = (hole + 1) & mask;
        while (keys[next] != -1) {
            int home = mix(keys[next]) & mask;
            boolean movable = hole <= next ? home <= hole || home > next : home <= hole && home > next;
            if (movable) {
                keys[hole] = keys[next];
                slotOfKey[hole] = slotOfKey[next];
                hole = next;
            }
            next = (next + 1) & mask;
        }
        keys[hole] = -1;
    }

    private static int mix(int value) {
        int h = value * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
