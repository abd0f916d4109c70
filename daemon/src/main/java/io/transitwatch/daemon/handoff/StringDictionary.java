package io.transitwatch.daemon.handoff;

import io.transitwatch.daemon.clock.Clock;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Thread-safe: {@link #intern(byte[], int, int)} and {@link #get(int)} are lock-free from any number
 * of threads, and {@code intern} of a known string allocates nothing; a string seen for the first
 * time (or again after its id was recycled) is added under a lock, which is also where ids are
 * recycled — there is no background thread.
 *
 * <p>Interns the strings the join keeps (node, namespace, pod, workload and interface names) and
 * refers to them by {@code int} id, so that hand-off slots and join state stay primitive. Id
 * {@code 0} is "absent" (an empty string). Lookups hash the UTF-8 bytes straight out of the
 * protobuf buffer, so decoding a known name costs no allocation.
 *
 * <p>The dictionary is bounded: it never holds more than {@code capacity} ids. Built with a
 * {@link Clock} and a hold bound, it recycles ids; built without, it never does. When no id is free,
 * a new string maps to {@link #OVERFLOW} ("?") and {@link #overflowCount()} says how often that
 * happened.
 *
 * <p><b>Recycling and why it is safe.</b> Whoever keeps an id (a hand-off slot, a pending departure,
 * the lost history, a topology entry) keeps it for a bounded time after the string was last
 * interned: the caller states that bound as {@code hold}. Time is cut into generations of
 * {@code hold / 4}; every id records the latest generation in which it was interned (written at most
 * once per generation per id, by a CAS, so the hit path stays a couple of loads). A generation starts
 * when an insert finds the current one older than its period, and its start time is remembered. An
 * id whose last generation ended (the next one started) at least {@code hold} ago has not been
 * interned since, so nobody holds it any more: when the dictionary is full, an insert recycles every
 * such id at once (one scan per generation at most). Recycling first CASes the id's generation to a
 * mark, then unpublishes the id; a lookup that races it either made its touch before the mark (then
 * the CAS fails and the id stays) or sees the mark, or finds its entry replaced, and retries under
 * the lock. So a lookup never returns an id that is being given to another string, and a holder that
 * respects {@code hold} never resolves an id to a string other than the one it interned. Node names,
 * kept for the whole process (node index, pair tables, ingest state), are interned through
 * {@link #pin(String)} / {@link #internPinned(byte[], int, int)} and never recycled.
 *
 * <p>Recycling runs inside the insert that needs an id rather than in a tick of the join thread:
 * only inserts can run out of ids, the insert lock already serialises them, and lookups and the
 * join stay untouched. Generations therefore start lazily, but each start is stamped with the real
 * time, and the rule above reads those stamps, so a long quiet spell never makes a recent id look
 * old.
 */
public final class StringDictionary {
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle GENERATIONS = MethodHandles.arrayElementVarHandle(int[].class);

    /** Id of the placeholder returned once the dictionary is full. */
    public static final int OVERFLOW = 1;
    private static final String OVERFLOW_TEXT = "?";

    /** Generations per hold bound: an id is recycled between {@code hold} and {@code hold * 5/4} after its last use. */
    private static final int GENERATIONS_PER_HOLD = 4;
    /** Start times kept; more than the generations that can start within one hold bound. */
    private static final int START_RING = 8;
    private static final int PINNED = Integer.MAX_VALUE;
    private static final int EVICTED = Integer.MIN_VALUE;

    private static final class Entry {
        final byte[] utf8;
        final String text;
        final int id;
        final int hash;

        Entry(byte[] utf8, String text, int id, int hash) {
            this.utf8 = utf8;
            this.text = text;
            this.id = id;
            this.hash = hash;
        }
    }

    /** Marks a hash-table slot whose entry was recycled; lookups probe past it, inserts reuse it. */
    private static final Entry TOMBSTONE = new Entry(new byte[0], "", -1, 0);

    private final int capacity;
    private final Clock clock;
    private final long holdNanos;
    private final long periodNanos;
    private final AtomicReferenceArray<Entry> byId;
    /** Per id: last generation interned, {@link #PINNED}, or {@link #EVICTED}; accessed via {@link #GENERATIONS}. */
    private final int[] lastGeneration;
    private final Object insertLock = new Object();
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private volatile AtomicReferenceArray<Entry> table;
    private volatile int generation;
    private volatile int size = 2; // ids 0 and 1 are reserved

    // Guarded by insertLock.
    private final long[] generationStarts = new long[START_RING];
    private final int[] freeIds;
    private int freeCount;
    private int nextUnused = 2;
    private int tableUsed; // live entries and tombstones
    private int scannedThreshold = -1;
    private int pinned = 2;

    /** A dictionary that never recycles ids: past {@code capacity} strings, new ones map to {@link #OVERFLOW}. */
    public StringDictionary(int capacity) {
        this(capacity, null, null);
    }

    /**
     * A dictionary that recycles ids not interned for at least {@code hold}.
     *
     * @param clock the daemon's clock, read only when a string is added
     * @param hold the longest time anybody keeps an id after the string was interned (with margin)
     */
    public StringDictionary(int capacity, Clock clock, Duration hold) {
        if (capacity < 4) {
            throw new IllegalArgumentException("capacity must be at least 4, was " + capacity);
        }
        if ((clock == null) != (hold == null) || (hold != null && (hold.isNegative() || hold.isZero()))) {
            throw new IllegalArgumentException("recycling needs a clock and a positive hold, was " + hold);
        }
        this.capacity = capacity;
        this.clock = clock;
        this.holdNanos = hold == null ? Long.MAX_VALUE : hold.toNanos();
        this.periodNanos = hold == null ? Long.MAX_VALUE : Math.max(1, holdNanos / GENERATIONS_PER_HOLD);
        int tableSize = Integer.highestOneBit(capacity * 2 - 1) << 1;
        this.table = new AtomicReferenceArray<>(tableSize);
        this.byId = new AtomicReferenceArray<>(capacity);
        this.lastGeneration = new int[capacity];
        this.freeIds = clock == null ? new int[0] : new int[capacity];
        byId.set(0, new Entry(new byte[0], "", 0, 0));
        byId.set(OVERFLOW, new Entry(OVERFLOW_TEXT.getBytes(StandardCharsets.UTF_8), OVERFLOW_TEXT, OVERFLOW, 0));
        lastGeneration[0] = PINNED;
        lastGeneration[OVERFLOW] = PINNED;
        generationStarts[0] = clock == null ? 0 : clock.epochNanos();
    }

    /** Id of {@code length} UTF-8 bytes at {@code offset}; 0 when {@code length == 0}. */
    public int intern(byte[] utf8, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        int hash = hash(utf8, offset, length);
        Entry found = find(table, utf8, offset, length, hash);
        if (found != null && touch(found)) {
            return found.id;
        }
        return insert(utf8, offset, length, hash, false);
    }

    /**
     * Single thread: one memo per repeated string field of one decoder.
     *
     * <p>The entry a field interned last time. Consecutive flows of a node mostly repeat their node,
     * namespace and interface names, so comparing against the last entry (hot in the cache) replaces
     * the hash and the table probe; a miss falls back to the table and remembers its result.
     */
    public static final class Memo {
        private Entry last;
    }

    /** Like {@link #intern(byte[], int, int)}, first checking whether the bytes are those {@code memo} saw last. */
    public int intern(byte[] utf8, int offset, int length, Memo memo) {
        if (length == 0) {
            return 0;
        }
        Entry last = memo.last;
        if (last != null && Arrays.equals(last.utf8, 0, last.utf8.length, utf8, offset, offset + length)
                && touch(last)) {
            return last.id;
        }
        int id = intern(utf8, offset, length);
        memo.last = id == OVERFLOW ? null : byId.get(id);
        return id;
    }

    /** Like {@link #internPinned(byte[], int, int)}, first checking whether the bytes are those {@code memo} saw last. */
    public int internPinned(byte[] utf8, int offset, int length, Memo memo) {
        if (length == 0) {
            return 0;
        }
        Entry last = memo.last; // pinned: never recycled, so a remembered entry stays valid
        if (last != null && Arrays.equals(last.utf8, 0, last.utf8.length, utf8, offset, offset + length)) {
            return last.id;
        }
        int id = internPinned(utf8, offset, length);
        memo.last = id == OVERFLOW ? null : byId.get(id);
        return id;
    }

    /** Id of {@code text}; 0 for null or empty. */
    public int intern(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return intern(utf8, 0, utf8.length);
    }

    /**
     * Like {@link #intern(byte[], int, int)}, and the id is never recycled: for node names, which the
     * join and the ingest keep for the life of the process. Allocation-free once the string is pinned.
     */
    public int internPinned(byte[] utf8, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        int hash = hash(utf8, offset, length);
        Entry found = find(table, utf8, offset, length, hash);
        if (found != null && (int) GENERATIONS.getVolatile(lastGeneration, found.id) == PINNED
                && byId.get(found.id) == found) {
            return found.id;
        }
        return insert(utf8, offset, length, hash, true);
    }

    /** {@link #internPinned(byte[], int, int)} of {@code text}; 0 for null or empty. */
    public int pin(String text) {
        if (text == null || text.isEmpty()) {
            return 0;
        }
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        return internPinned(utf8, 0, utf8.length);
    }

    /**
     * The string of {@code id}: "" for 0, null for an id this dictionary does not hold (never given
     * out, or recycled and not given out again).
     */
    public String get(int id) {
        if (id < 0 || id >= capacity) {
            return null;
        }
        Entry entry = byId.get(id);
        return entry == null ? null : entry.text;
    }

    /** Number of ids currently held, the two reserved ones included; never more than {@link #capacity()}. */
    public int size() {
        return size;
    }

    public int capacity() {
        return capacity;
    }

    /** How many times a new string was mapped to {@link #OVERFLOW} because no id was free. */
    public long overflowCount() {
        return overflows.get();
    }

    /** How many ids were recycled because their string had not been interned for the hold bound. */
    public long evictions() {
        return evictions.get();
    }

    /** Ids pinned (never recycled), the two reserved ones included. */
    public int pinnedCount() {
        synchronized (insertLock) {
            return pinned;
        }
    }

    /** Occupied slots of the hash table (live entries and tombstones), at most 3/4 of {@link #tableSize()}. */
    public int tableOccupancy() {
        synchronized (insertLock) {
            return tableUsed;
        }
    }

    /** Slots of the hash table; fixed at construction. */
    public int tableSize() {
        return table.length();
    }

    /**
     * Records that {@code entry}'s id is in use in the current generation; false if the id is being
     * (or was) recycled, in which case the caller retries under the lock.
     */
    private boolean touch(Entry entry) {
        int id = entry.id;
        int current = generation;
        while (true) {
            int seen = (int) GENERATIONS.getVolatile(lastGeneration, id);
            if (seen == EVICTED) {
                return false;
            }
            if (seen >= current || GENERATIONS.compareAndSet(lastGeneration, id, seen, current)) {
                break;
            }
        }
        // The id may have been recycled between find() and the touch: then its entry is gone or another.
        return byId.get(id) == entry;
    }

    private static Entry find(AtomicReferenceArray<Entry> table, byte[] utf8, int offset, int length, int hash) {
        int mask = table.length() - 1;
        int index = hash & mask;
        while (true) {
            Entry entry = table.get(index);
            if (entry == null) {
                return null;
            }
            if (entry.hash == hash && entry != TOMBSTONE
                    && Arrays.equals(entry.utf8, 0, entry.utf8.length, utf8, offset, offset + length)) {
                return entry;
            }
            index = (index + 1) & mask;
        }
    }

    private int insert(byte[] utf8, int offset, int length, int hash, boolean pin) {
        synchronized (insertLock) {
            long now = clock == null ? 0 : clock.epochNanos();
            if (clock != null) {
                advanceGeneration(now);
            }
            Entry raced = find(table, utf8, offset, length, hash);
            if (raced != null) {
                // Under the lock nothing is being recycled: an entry in the table is live.
                markUsed(raced.id, pin);
                return raced.id;
            }
            int id = allocateId(now);
            if (id == OVERFLOW) {
                overflows.incrementAndGet();
                return OVERFLOW;
            }
            AtomicReferenceArray<Entry> into = table;
            if ((tableUsed + 1) * 4L > into.length() * 3L) {
                into = rebuild(); // before the new entry is published, so that it goes in once
            }
            byte[] copy = Arrays.copyOfRange(utf8, offset, offset + length);
            Entry entry = new Entry(copy, new String(copy, StandardCharsets.UTF_8), id, hash);
            GENERATIONS.setVolatile(lastGeneration, id, pin ? PINNED : generation);
            if (pin) {
                pinned++;
            }
            byId.set(id, entry);
            put(into, entry);
            size = size + 1;
            return id;
        }
    }

    private void markUsed(int id, boolean pin) {
        int seen = (int) GENERATIONS.getVolatile(lastGeneration, id);
        if (pin && seen != PINNED) {
            pinned++;
            GENERATIONS.setVolatile(lastGeneration, id, PINNED);
        } else if (seen < generation) {
            GENERATIONS.setVolatile(lastGeneration, id, generation);
        }
    }

    private void advanceGeneration(long now) {
        int current = generation;
        if (now - generationStarts[current % START_RING] >= periodNanos) {
            generationStarts[(current + 1) % START_RING] = now;
            generation = current + 1;
        }
    }

    private int allocateId(long now) {
        if (nextUnused < capacity) {
            return nextUnused++;
        }
        if (freeCount == 0 && clock != null) {
            recycle(now);
        }
        return freeCount > 0 ? freeIds[--freeCount] : OVERFLOW;
    }

    /**
     * The newest generation whose ids may be recycled: the last one that ended (its successor
     * started) at least {@code hold} before {@code now}; -1 when none.
     */
    private int recyclableGeneration(long now) {
        int current = generation;
        for (int next = current; next >= 1 && next > current - START_RING; next--) {
            if (now - generationStarts[next % START_RING] >= holdNanos) {
                return next - 1;
            }
        }
        return -1;
    }

    /** Frees every id not interned since the recyclable generation; at most one scan per generation. */
    private void recycle(long now) {
        int threshold = recyclableGeneration(now);
        if (threshold <= scannedThreshold) {
            return;
        }
        scannedThreshold = threshold;
        AtomicReferenceArray<Entry> current = table;
        for (int id = 2; id < capacity; id++) {
            int seen = (int) GENERATIONS.getVolatile(lastGeneration, id);
            if (seen == PINNED || seen == EVICTED || seen > threshold) {
                continue;
            }
            if (!GENERATIONS.compareAndSet(lastGeneration, id, seen, EVICTED)) {
                continue; // interned again just now
            }
            Entry entry = byId.get(id);
            byId.set(id, null);
            remove(current, entry);
            freeIds[freeCount++] = id;
            size = size - 1;
            evictions.incrementAndGet();
        }
    }

    private static void remove(AtomicReferenceArray<Entry> table, Entry entry) {
        int mask = table.length() - 1;
        int index = entry.hash & mask;
        while (table.get(index) != entry) {
            index = (index + 1) & mask;
        }
        table.set(index, TOMBSTONE);
    }

    /** Adds a new entry, reusing the first tombstone on its probe path (the string is known to be absent). */
    private void put(AtomicReferenceArray<Entry> into, Entry entry) {
        int mask = into.length() - 1;
        int index = entry.hash & mask;
        while (true) {
            Entry there = into.get(index);
            if (there == null) {
                tableUsed++;
                break;
            }
            if (there == TOMBSTONE) {
                break;
            }
            index = (index + 1) & mask;
        }
        into.set(index, entry);
    }

    /**
     * A fresh table with the live entries only, when live entries and tombstones fill 3/4 of it
     * (tombstones pile up as ids are recycled). Lookups still probing the old one see a consistent
     * snapshot: they may miss a newer string (and retry under the lock) or find a recycled one (and
     * {@link #touch(Entry)} sends them to the lock).
     */
    private AtomicReferenceArray<Entry> rebuild() {
        AtomicReferenceArray<Entry> fresh = new AtomicReferenceArray<>(table.length());
        int mask = fresh.length() - 1;
        int used = 0;
        for (int id = 2; id < capacity; id++) {
            Entry entry = byId.get(id);
            if (entry == null) {
                continue;
            }
            int index = entry.hash & mask;
            while (fresh.get(index) != null) {
                index = (index + 1) & mask;
            }
            fresh.set(index, entry);
            used++;
        }
        tableUsed = used;
        table = fresh;
        return fresh;
    }

    /** Eight bytes per multiply: names are 10-60 bytes and hashed for every string of every flow. */
    private static int hash(byte[] bytes, int offset, int length) {
        long h = length * 0x9E3779B97F4A7C15L;
        int i = offset;
        int end = offset + length;
        for (; i + Long.BYTES <= end; i += Long.BYTES) {
            h = (h ^ (long) LONGS.get(bytes, i)) * 0xC2B2AE3D27D4EB4FL;
            h ^= h >>> 29;
        }
        long tail = 0;
        for (int shift = 0; i < end; i++, shift += 8) {
            tail |= (bytes[i] & 0xffL) << shift;
        }
        h = (h ^ tail) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 32;
        return (int) h;
    }
}
