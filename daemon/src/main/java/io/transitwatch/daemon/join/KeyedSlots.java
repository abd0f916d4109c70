package io.transitwatch.daemon.join;

import java.util.Arrays;

/**
 * Single-threaded: owned by the join thread; not safe for any other thread.
 *
 * <p>Fixed-capacity storage for join entries keyed by a packed flow key, in primitive arrays so that
 * an entry costs a few primitives and no object. Three structures share the slot numbers
 * {@code 0 .. capacity-1}:
 *
 * <pre>
 *  index (open addressing, linear probing)          keys (5 longs per slot)   lanes (FIFO per lane)
 *  +-----+--------+-----+--------+-----+            [k0 k1 k2 k3 k4][k0 ...    head[lane] -> oldest
 *  |  0  | fp|s+1 |  0  | fp|s+1 |  0  |  ---->     lane[] prev[] next[]      tail[lane] -> newest
 *  +-----+--------+-----+--------+-----+                                      free list threads next[]
 * </pre>
 *
 * <p>The index is twice the capacity, so probes stay short. Each index word holds {@code slot + 1}
 * (0 = empty) in its low bits and, above them, a fingerprint: the bits of the key's hash that the
 * position does not use. A probe compares the fingerprint first and reads the key only when it
 * agrees, so a probe past other keys touches no key memory. The five key words of a slot sit next
 * to each other in one array, so comparing or re-hashing a key reads one or two cache lines instead
 * of five (the struct-of-arrays layout of ADR 0001 keeps the rest: the fields one pass reads stay
 * apart from the key).
 *
 * <p>Deletion leaves a tombstone, which a probe steps over and an insert reuses, so removing an entry
 * reads no other key. (Shifting the run back instead, Knuth's algorithm R, re-hashes every key after
 * the hole: a cache miss each, which took most of the join thread when overload decides many entries
 * at once.) A tombstone just before an empty word is emptied at once, with the tombstones before it;
 * when the rest outgrows a quarter of the capacity, the index is rebuilt from the live slots in one
 * sequential pass over the keys ({@link #compactions()} counts them), so probes stay short.
 *
 * <p>Each slot is also linked into the FIFO list of its lane (for pending departures: the destination
 * node), in insertion order. Entries are inserted in nearly time order, so a lane's head is its
 * oldest entry and expiry only ever looks at heads. Removal from the middle of a lane (a match) is
 * O(1) through the doubly-linked prev/next arrays.
 */
final class KeyedSlots {
    static final int NONE = -1;

    private final int capacity;
    /** Five key words per slot must fit one array. */
    static final int MAX_CAPACITY = 1 << 28;

    private static final int KEY_WORDS = 5;
    /** An index word whose entry was removed; its slot part ({@code slotMask}) is no slot's. */
    private static final int TOMBSTONE = -1;

    private final long[] keys;
    private final int[] laneOf;
    private final int[] prev;
    private final int[] next;
    private final int[] index;
    private final int indexMask;
    private final int slotBits;
    private final int slotMask;
    private final int[] laneHead;
    private final int[] laneTail;
    private final int maxTombstones;
    private int freeHead;
    private int size;
    private int tombstones;
    private long compactions;

    KeyedSlots(int capacity, int lanes) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two >= 2, was " + capacity);
        }
        if (capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity must be at most " + MAX_CAPACITY + ", was " + capacity);
        }
        this.capacity = capacity;
        keys = new long[capacity * KEY_WORDS];
        laneOf = new int[capacity];
        prev = new int[capacity];
        next = new int[capacity];
        index = new int[capacity * 2];
        indexMask = index.length - 1;
        slotBits = Integer.numberOfTrailingZeros(capacity) + 1;
        slotMask = (1 << slotBits) - 1;
        laneHead = new int[lanes];
        laneTail = new int[lanes];
        Arrays.fill(laneHead, NONE);
        Arrays.fill(laneTail, NONE);
        Arrays.fill(laneOf, NONE);
        maxTombstones = Math.max(1, capacity / 4);
        for (int slot = 0; slot < capacity; slot++) {
            next[slot] = slot + 1 < capacity ? slot + 1 : NONE;
        }
        freeHead = 0;
    }

    int capacity() {
        return capacity;
    }

    int size() {
        return size;
    }

    int lanes() {
        return laneHead.length;
    }

    boolean isFull() {
        return freeHead == NONE;
    }

    /** Slot holding this key, or {@link #NONE}. */
    int find(long a, long b, long c, long d, long e) {
        int hash = FlowKey.hash(a, b, c, d, e);
        int fingerprint = fingerprint(hash);
        int position = hash & indexMask;
        while (true) {
            int stored = index[position];
            if (stored == 0) {
                return NONE;
            }
            if ((stored & ~slotMask) == fingerprint && stored != TOMBSTONE) {
                int slot = (stored & slotMask) - 1;
                int base = slot * KEY_WORDS;
                if (keys[base + 4] == e && keys[base + 3] == d && keys[base + 1] == b && keys[base + 2] == c
                        && keys[base] == a) {
                    return slot;
                }
            }
            position = (position + 1) & indexMask;
        }
    }

    /**
     * Takes a free slot for the key and appends it to the lane's FIFO. The caller checks
     * {@link #isFull()} first (and evicts), and makes sure the key is not present already.
     */
    int insert(long a, long b, long c, long d, long e, int lane) {
        int slot = freeHead;
        if (slot == NONE) {
            throw new IllegalStateException("no free slot: evict before inserting");
        }
        freeHead = next[slot];
        int base = slot * KEY_WORDS;
        keys[base] = a;
        keys[base + 1] = b;
        keys[base + 2] = c;
        keys[base + 3] = d;
        keys[base + 4] = e;
        laneOf[slot] = lane;
        placeInIndex(slot, FlowKey.hash(a, b, c, d, e));
        appendToLane(slot, lane);
        size++;
        return slot;
    }

    /** Frees a slot: out of the index, out of its lane, onto the free list. */
    void remove(int slot) {
        unlinkFromLane(slot);
        laneOf[slot] = NONE; // not live any more, should removeFromIndex rebuild the index
        removeFromIndex(slot);
        next[slot] = freeHead;
        freeHead = slot;
        size--;
    }

    /** Index rebuilds so far (for tests: bounded by removals / (capacity / 4)). */
    long compactions() {
        return compactions;
    }

    /** Removed entries whose index words are still tombstones; at most a quarter of the capacity. */
    int tombstones() {
        return tombstones;
    }

    int oldest(int lane) {
        return laneHead[lane];
    }

    /**
     * Removes, oldest first, up to {@code budget} entries of lane 0 whose time in {@code times} (a
     * column of the owning table, indexed by slot) is before {@code horizon}; returns how many. The
     * one expiry loop of every single-lane table whose entries are inserted in time order.
     */
    int removeOlderThan(long[] times, long horizon, int budget) {
        int removed = 0;
        int slot;
        while (removed < budget && (slot = laneHead[0]) != NONE && times[slot] < horizon) {
            remove(slot);
            removed++;
        }
        return removed;
    }

    int newer(int slot) {
        return next[slot];
    }

    int lane(int slot) {
        return laneOf[slot];
    }

    long k0(int slot) {
        return keys[slot * KEY_WORDS];
    }

    long k1(int slot) {
        return keys[slot * KEY_WORDS + 1];
    }

    long k2(int slot) {
        return keys[slot * KEY_WORDS + 2];
    }

    long k3(int slot) {
        return keys[slot * KEY_WORDS + 3];
    }

    long k4(int slot) {
        return keys[slot * KEY_WORDS + 4];
    }

    private void appendToLane(int slot, int lane) {
        int tail = laneTail[lane];
        prev[slot] = tail;
        next[slot] = NONE;
        if (tail == NONE) {
            laneHead[lane] = slot;
        } else {
            next[tail] = slot;
        }
        laneTail[lane] = slot;
    }

    private void unlinkFromLane(int slot) {
        int lane = laneOf[slot];
        int before = prev[slot];
        int after = next[slot];
        if (before == NONE) {
            laneHead[lane] = after;
        } else {
            next[before] = after;
        }
        if (after == NONE) {
            laneTail[lane] = before;
        } else {
            prev[after] = before;
        }
    }

    /** Puts {@code slot} into the first free word (empty or tombstone) of its probe run. */
    private void placeInIndex(int slot, int hash) {
        int position = hash & indexMask;
        int stored;
        while ((stored = index[position]) != 0 && stored != TOMBSTONE) {
            position = (position + 1) & indexMask;
        }
        if (stored == TOMBSTONE) {
            tombstones--;
        }
        index[position] = fingerprint(hash) | (slot + 1);
    }

    private void removeFromIndex(int slot) {
        int position = hashOf(slot) & indexMask;
        while ((index[position] & slotMask) != slot + 1) {
            position = (position + 1) & indexMask;
        }
        if (index[(position + 1) & indexMask] != 0) {
            index[position] = TOMBSTONE;
            if (++tombstones > maxTombstones) {
                rebuildIndex();
            }
            return;
        }
        // The end of a probe run: no probe needs this word or the tombstones just before it.
        index[position] = 0;
        for (int before = (position - 1) & indexMask; index[before] == TOMBSTONE; before = (before - 1) & indexMask) {
            index[before] = 0;
            tombstones--;
        }
    }

    /** Drops every tombstone: the index again from the live slots, read in slot order. */
    private void rebuildIndex() {
        Arrays.fill(index, 0);
        tombstones = 0;
        compactions++;
        for (int slot = 0; slot < capacity; slot++) {
            if (laneOf[slot] != NONE) {
                placeInIndex(slot, hashOf(slot));
            }
        }
    }

    /** The hash bits above the position's, kept in the index word above {@code slot + 1}. */
    private int fingerprint(int hash) {
        return hash & ~slotMask;
    }

    private int hashOf(int slot) {
        int base = slot * KEY_WORDS;
        return FlowKey.hash(keys[base], keys[base + 1], keys[base + 2], keys[base + 3], keys[base + 4]);
    }
}
