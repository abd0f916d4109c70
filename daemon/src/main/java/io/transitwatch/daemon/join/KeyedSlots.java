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
 *  index ({@link SlotIndex}, maybe shared)          keys (5 longs per slot)   lanes (FIFO per lane)
 *  +-----+--------+-----+--------+-----+            [k0 k1 k2 k3 k4][k0 ...    head[lane] -> oldest
 *  |  0  | fp|ref |  0  | fp|ref |  0  |  ---->     lane[] prev[] next[]      tail[lane] -> newest
 *  +-----+--------+-----+--------+-----+                                      free: lowest first
 * </pre>
 *
 * <p>The index is its own, or shared with one other table whose keys never coincide with this one's
 * (see {@link SlotIndex}). The five key words of a slot sit next to each other in one array, so
 * comparing or re-hashing a key reads one or two cache lines instead of five (the struct-of-arrays
 * layout of ADR 0001 keeps the rest: the fields one pass reads stay apart from the key).
 *
 * <p>Each slot is also linked into the FIFO list of its lane (for pending departures: the destination
 * node), in insertion order. Entries are inserted in nearly time order, so a lane's head is its
 * oldest entry and expiry only ever looks at heads. Not always: an entry that comes late (backfilled
 * after a node's reconnect, a loss decided late) lands behind newer ones and outlives its expiry
 * there, so the tables that remember (arrivals, replies, handshakes, losses) check an entry they find
 * against their last expiry horizon before using it. Removal from the middle of a lane (a match) is
 * O(1) through the doubly-linked prev/next arrays. A new entry takes the lowest free slot
 * ({@link FreeSlots}), so that the few entries of steady state sit together in every column.
 */
final class KeyedSlots {
    static final int NONE = -1;

    private final int capacity;
    /** Five key words per slot must fit one array. */
    static final int MAX_CAPACITY = 1 << 28;

    private static final int KEY_WORDS = 5;

    private final long[] keys;
    private final int[] laneOf;
    private final int[] prev;
    private final int[] next;
    private final SlotIndex index;
    private final int tag;
    private final int[] laneHead;
    private final int[] laneTail;
    private final FreeSlots free;
    private int size;

    /** A table with an index of its own. */
    KeyedSlots(int capacity, int lanes) {
        this(capacity, lanes, null);
    }

    /** A table indexed by {@code shared} (null: an index of its own), which must have room for it. */
    KeyedSlots(int capacity, int lanes, SlotIndex shared) {
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
        laneHead = new int[lanes];
        laneTail = new int[lanes];
        Arrays.fill(laneHead, NONE);
        Arrays.fill(laneTail, NONE);
        Arrays.fill(laneOf, NONE);
        free = new FreeSlots(capacity);
        index = shared != null ? shared : new SlotIndex(capacity, capacity);
        tag = index.register(this);
    }

    int capacity() {
        return capacity;
    }

    /** This table's slot named by a {@link SlotIndex#findEither} reference, or {@link #NONE} (another table's, or none). */
    int slotOf(int ref) {
        return ref != SlotIndex.NONE && SlotIndex.tableOf(ref) == tag ? SlotIndex.slotOf(ref) : NONE;
    }

    int size() {
        return size;
    }

    int lanes() {
        return laneHead.length;
    }

    boolean isFull() {
        return free.isEmpty();
    }

    /** Slot holding this key, or {@link #NONE}. */
    int find(long a, long b, long c, long d, long e) {
        return find(FlowKey.hash(a, b, c, d, e), a, b, c, d, e);
    }

    /** {@link #find(long, long, long, long, long)} with the key's {@link FlowKey#hash} already known. */
    int find(int hash, long a, long b, long c, long d, long e) {
        return index.find(tag, hash, a, b, c, d, e);
    }

    /** Of the slots under this key, the one with the least {@code order[slot]}, or NONE (see {@link SlotIndex#findLeast}). */
    int findLeast(long a, long b, long c, long d, long e, long[] order) {
        return index.findLeast(tag, FlowKey.hash(a, b, c, d, e), a, b, c, d, e, order);
    }

    /** Whether slot {@code slot} holds this key (the index calls it for slots whose fingerprint agrees). */
    boolean keyEquals(int slot, long a, long b, long c, long d, long e) {
        int base = slot * KEY_WORDS;
        return keys[base + 4] == e && keys[base + 3] == d && keys[base + 1] == b && keys[base + 2] == c
                && keys[base] == a;
    }

    /** Whether the slot holds an entry (is not free). */
    boolean isLive(int slot) {
        return laneOf[slot] != NONE;
    }

    /**
     * Takes a free slot for the key and appends it to the lane's FIFO. The caller checks
     * {@link #isFull()} first (and evicts), and makes sure the key is not present already.
     */
    int insert(long a, long b, long c, long d, long e, int lane) {
        return insert(FlowKey.hash(a, b, c, d, e), a, b, c, d, e, lane);
    }

    /** {@link #insert(long, long, long, long, long, int)} with the key's {@link FlowKey#hash} already known. */
    int insert(int hash, long a, long b, long c, long d, long e, int lane) {
        int slot = free.take();
        int base = slot * KEY_WORDS;
        keys[base] = a;
        keys[base + 1] = b;
        keys[base + 2] = c;
        keys[base + 3] = d;
        keys[base + 4] = e;
        laneOf[slot] = lane;
        index.place(tag, slot, hash);
        appendToLane(slot, lane);
        size++;
        return slot;
    }

    /** Frees a slot: out of the index, out of its lane, back to the free slots. */
    void remove(int slot) {
        remove(slot, hashOf(slot));
    }

    /** {@link #remove(int)} of a slot whose key's {@link FlowKey#hash} the caller has (it just found the slot by it). */
    void remove(int slot, int hash) {
        unlinkFromLane(slot);
        laneOf[slot] = NONE; // not live any more, should the index rebuild itself now
        index.remove(tag, slot, hash);
        free.give(slot);
        size--;
    }

    /** Index rebuilds for tombstones so far (for tests: bounded by removals / (slots indexed / 4)). */
    long compactions() {
        return index.compactions();
    }

    /** Words the index uses now (for tests: it sizes itself to its entries, see {@link SlotIndex}). */
    int indexWordsInUse() {
        return index.wordsInUse();
    }

    /** Work of this table's index so far ({@link SlotIndex#workSteps()}; shared with the other table when shared). */
    long indexWorkSteps() {
        return index.workSteps();
    }

    /** Removed entries whose index words are still tombstones; at most a quarter of the slots indexed. */
    int tombstones() {
        return index.tombstones();
    }

    int oldest(int lane) {
        return laneHead[lane];
    }

    /**
     * Removes, oldest first, up to {@code budget} entries of lane 0 whose time in {@code times} (a
     * column of the owning table: slot {@code s}'s time at {@code times[s * stride]}) is before
     * {@code horizon}; returns how many. The expiry loop of the single-lane tables, stopping at the
     * first entry not yet due (see the class comment for entries behind it that are).
     */
    int removeOlderThan(long[] times, int stride, long horizon, int budget) {
        int removed = 0;
        int slot;
        while (removed < budget && (slot = laneHead[0]) != NONE && times[slot * stride] < horizon) {
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

    int hashOf(int slot) {
        int base = slot * KEY_WORDS;
        return FlowKey.hash(keys[base], keys[base + 1], keys[base + 2], keys[base + 3], keys[base + 4]);
    }
}
