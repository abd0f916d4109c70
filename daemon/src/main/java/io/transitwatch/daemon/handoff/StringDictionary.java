package io.transitwatch.daemon.handoff;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.handoff.DictionaryTable.Entry;
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
 *
 * <p>Pieces: the lock-free hash table is a {@link DictionaryTable}, the per-id generations an
 * {@link IdGenerations}; each decoder puts a {@link NameCache} in front of the dictionary, so a name
 * it saw recently costs neither a hash nor a table probe.
 */
public final class StringDictionary {
    /** Id of the placeholder returned once the dictionary is full. */
    public static final int OVERFLOW = 1;
    private static final String OVERFLOW_TEXT = "?";


    private final int capacity;
    private final Clock clock;
    private final AtomicReferenceArray<Entry> byId;
    private final IdGenerations generations;
    private final Object insertLock = new Object();
    private final AtomicLong overflows = new AtomicLong();
    private final AtomicLong evictions = new AtomicLong();
    private final DictionaryTable table;
    private volatile int size = 2; // ids 0 and 1 are reserved

    // Guarded by insertLock.
    private final int[] freeIds;
    private int freeCount;
    private int nextUnused = 2;
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
        this.generations = new IdGenerations(capacity, hold == null ? Long.MAX_VALUE : hold.toNanos(),
                clock == null ? 0 : clock.epochNanos());
        this.table = new DictionaryTable(capacity);
        this.byId = new AtomicReferenceArray<>(capacity);
        this.freeIds = clock == null ? new int[0] : new int[capacity];
        byId.set(0, new Entry(new byte[0], "", 0, 0));
        byId.set(OVERFLOW, new Entry(OVERFLOW_TEXT.getBytes(StandardCharsets.UTF_8), OVERFLOW_TEXT, OVERFLOW, 0));
        generations.markNew(0, true);
        generations.markNew(OVERFLOW, true);
    }

    /** Id of {@code length} UTF-8 bytes at {@code offset}; 0 when {@code length == 0}. */
    public int intern(byte[] utf8, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        return entryOf(utf8, offset, length).id;
    }

    /** The live entry of {@code length > 0} bytes (the overflow entry when no id is free), touched. */
    Entry entryOf(byte[] utf8, int offset, int length) {
        int hash = DictionaryTable.hash(utf8, offset, length);
        Entry found = table.find(utf8, offset, length, hash);
        if (found != null && touch(found) >= 0) {
            return found;
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
                && touch(last) >= 0) {
            return last.id;
        }
        Entry entry = entryOf(utf8, offset, length);
        memo.last = entry.id == OVERFLOW ? null : entry;
        return entry.id;
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
        Entry entry = pinnedEntryOf(utf8, offset, length);
        memo.last = entry.id == OVERFLOW ? null : entry;
        return entry.id;
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
        return pinnedEntryOf(utf8, offset, length).id;
    }

    /** The pinned entry of {@code length > 0} bytes (the overflow entry when no id is free). */
    Entry pinnedEntryOf(byte[] utf8, int offset, int length) {
        int hash = DictionaryTable.hash(utf8, offset, length);
        Entry found = table.find(utf8, offset, length, hash);
        if (found != null && generations.isPinned(found.id) && byId.get(found.id) == found) {
            return found;
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
            return table.occupancy();
        }
    }

    /** Slots of the hash table; fixed at construction. */
    public int tableSize() {
        return table.size();
    }

    /** The generation ids are being marked in now; read by {@link NameCache} to skip a touch it already made. */
    int generation() {
        return generations.current();
    }

    /**
     * Records that {@code entry}'s id is in use; returns the generation it is marked with (its id is
     * not recycled while that generation is current), or -1 if the id is being (or was) recycled, in
     * which case the caller retries under the lock.
     */
    int touch(Entry entry) {
        int generation = generations.touch(entry.id);
        // The id may have been recycled between find() and the touch: then its entry is gone or another.
        return generation >= 0 && byId.get(entry.id) == entry ? generation : -1;
    }

    private Entry insert(byte[] utf8, int offset, int length, int hash, boolean pin) {
        synchronized (insertLock) {
            long now = clock == null ? 0 : clock.epochNanos();
            if (clock != null) {
                generations.advance(now);
            }
            Entry raced = table.find(utf8, offset, length, hash);
            if (raced != null) {
                // Under the lock nothing is being recycled: an entry in the table is live.
                if (generations.markUsed(raced.id, pin)) {
                    pinned++;
                }
                return raced;
            }
            int id = allocateId(now);
            if (id == OVERFLOW) {
                overflows.incrementAndGet();
                return byId.get(OVERFLOW);
            }
            table.rebuildIfFull(byId, 2); // before the new entry is published, so that it goes in once
            byte[] copy = Arrays.copyOfRange(utf8, offset, offset + length);
            Entry entry = new Entry(copy, new String(copy, StandardCharsets.UTF_8), id, hash);
            generations.markNew(id, pin);
            if (pin) {
                pinned++;
            }
            byId.set(id, entry);
            table.put(entry);
            size = size + 1;
            return entry;
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

    /** Frees every id not interned since the recyclable generation; at most one scan per generation. */
    private void recycle(long now) {
        int threshold = generations.thresholdToScan(now);
        if (threshold < 0) {
            return;
        }
        for (int id = 2; id < capacity; id++) {
            if (!generations.evict(id, threshold)) {
                continue;
            }
            Entry entry = byId.get(id);
            byId.set(id, null);
            table.remove(entry);
            freeIds[freeCount++] = id;
            size = size - 1;
            evictions.incrementAndGet();
        }
    }
}
