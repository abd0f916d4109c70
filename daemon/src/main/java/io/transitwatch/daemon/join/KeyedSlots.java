package io.transitwatch.daemon.join;

import java.util.Arrays;

/**
 * Single-threaded: owned by the join thread; not safe for any other thread.
 *
 * <p>Fixed-capacity storage for join entries keyed by a packed flow key, laid out as structure of
 * arrays so that an entry costs a few primitives and no object. Three structures share the slot
 * numbers {@code 0 .. capacity-1}:
 *
 * <pre>
 *  index (open addressing, linear probing)       slots (SoA)                     lanes (FIFO per lane)
 *  +-----+-----+-----+-----+-----+-----+          k0 k1 k2 k3 k4 lane prev next   head[lane] -> oldest
 *  |  0  | s+1 |  0  | s+1 | s+1 |  0  |  ---->   ...                             tail[lane] -> newest
 *  +-----+-----+-----+-----+-----+-----+                                          free list threads next[]
 * </pre>
 *
 * <p>The index holds {@code slot + 1} (0 = empty) in a table twice the capacity, so probes stay
 * short; deletion shifts the following run back (Knuth's algorithm R) instead of leaving tombstones.
 * Each slot is also linked into the FIFO list of its lane (for pending departures: the destination
 * node), in insertion order. Entries are inserted in nearly time order, so a lane's head is its
 * oldest entry and expiry only ever looks at heads. Removal from the middle of a lane (a match) is
 * O(1) through the doubly-linked prev/next arrays.
 */
final class KeyedSlots {
    static final int NONE = -1;

    private final int capacity;
    private final long[] k0;
    private final long[] k1;
    private final long[] k2;
    private final long[] k3;
    private final long[] k4;
    private final int[] laneOf;
    private final int[] prev;
    private final int[] next;
    private final int[] index;
    private final int indexMask;
    private final int[] laneHead;
    private final int[] laneTail;
    private int freeHead;
    private int size;

    KeyedSlots(int capacity, int lanes) {
        if (capacity < 2 || Integer.bitCount(capacity) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two >= 2, was " + capacity);
        }
        this.capacity = capacity;
        k0 = new long[capacity];
        k1 = new long[capacity];
        k2 = new long[capacity];
        k3 = new long[capacity];
        k4 = new long[capacity];
        laneOf = new int[capacity];
        prev = new int[capacity];
        next = new int[capacity];
        index = new int[capacity * 2];
        indexMask = index.length - 1;
        laneHead = new int[lanes];
        laneTail = new int[lanes];
        Arrays.fill(laneHead, NONE);
        Arrays.fill(laneTail, NONE);
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
        int position = FlowKey.hash(a, b, c, d, e) & indexMask;
        while (true) {
            int stored = index[position];
            if (stored == 0) {
                return NONE;
            }
            int slot = stored - 1;
            if (k4[slot] == e && k3[slot] == d && k1[slot] == b && k2[slot] == c && k0[slot] == a) {
                return slot;
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
        k0[slot] = a;
        k1[slot] = b;
        k2[slot] = c;
        k3[slot] = d;
        k4[slot] = e;
        laneOf[slot] = lane;
        int position = FlowKey.hash(a, b, c, d, e) & indexMask;
        while (index[position] != 0) {
            position = (position + 1) & indexMask;
        }
        index[position] = slot + 1;
        appendToLane(slot, lane);
        size++;
        return slot;
    }

    /** Frees a slot: out of the index, out of its lane, onto the free list. */
    void remove(int slot) {
        removeFromIndex(slot);
        unlinkFromLane(slot);
        next[slot] = freeHead;
        freeHead = slot;
        size--;
    }

    int oldest(int lane) {
        return laneHead[lane];
    }

    int newer(int slot) {
        return next[slot];
    }

    int lane(int slot) {
        return laneOf[slot];
    }

    long k0(int slot) {
        return k0[slot];
    }

    long k1(int slot) {
        return k1[slot];
    }

    long k2(int slot) {
        return k2[slot];
    }

    long k3(int slot) {
        return k3[slot];
    }

    long k4(int slot) {
        return k4[slot];
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

    private void removeFromIndex(int slot) {
        int position = FlowKey.hash(k0[slot], k1[slot], k2[slot], k3[slot], k4[slot]) & indexMask;
        while (index[position] != slot + 1) {
            position = (position + 1) & indexMask;
        }
        // Backward-shift deletion: pull later members of the probe run into the hole when their
        // home position is not between the hole and themselves (cyclically).
        int hole = position;
        int probe = (hole + 1) & indexMask;
        while (index[probe] != 0) {
            int candidate = index[probe] - 1;
            int home = FlowKey.hash(k0[candidate], k1[candidate], k2[candidate], k3[candidate], k4[candidate])
                    & indexMask;
            boolean homeBetweenHoleAndProbe = hole <= probe
                    ? (home > hole && home <= probe)
                    : (home > hole || home <= probe);
            if (!homeBetweenHoleAndProbe) {
                index[hole] = index[probe];
                hole = probe;
            }
            probe = (probe + 1) & indexMask;
        }
        index[hole] = 0;
    }
}
