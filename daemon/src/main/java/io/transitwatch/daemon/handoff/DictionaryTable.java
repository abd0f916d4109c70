package io.transitwatch.daemon.handoff;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Thread-safe for one writer: {@link #find} is lock-free from any thread; {@link #put},
 * {@link #remove} and {@link #rebuildIfFull} are called only under the owning
 * {@link StringDictionary}'s insert lock.
 *
 * <p>The open-addressing hash table behind a {@link StringDictionary}: UTF-8 bytes to their
 * {@link Entry}. Removal leaves a tombstone (lookups probe past it, inserts reuse it), and the table
 * is rebuilt from the live entries when entries and tombstones fill 3/4 of it. The id lifecycle
 * (generations, recycling, pinning) is the dictionary's; this class only finds and places entries.
 */
final class DictionaryTable {
    static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    /** One interned string: its bytes, its text, its id and its table hash; immutable. */
    static final class Entry {
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

    /** Marks a slot whose entry was recycled; lookups probe past it, inserts reuse it. */
    private static final Entry TOMBSTONE = new Entry(new byte[0], "", -1, 0);

    private volatile AtomicReferenceArray<Entry> table;
    private int used; // live entries and tombstones; under the owner's lock

    DictionaryTable(int capacity) {
        this.table = new AtomicReferenceArray<>(Integer.highestOneBit(capacity * 2 - 1) << 1);
    }

    /** The entry holding these bytes, or null; a concurrent rebuild may make it miss a new string. */
    Entry find(byte[] utf8, int offset, int length, int hash) {
        AtomicReferenceArray<Entry> current = table;
        int mask = current.length() - 1;
        int index = hash & mask;
        while (true) {
            Entry entry = current.get(index);
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

    /**
     * Before one more entry goes in: a fresh table with the live entries of {@code byId} only, when
     * entries and tombstones would pass 3/4 of the slots. Lookups still probing the old table see a
     * consistent snapshot: they may miss a newer string (and retry under the lock) or find a recycled
     * one (which the dictionary's touch rejects).
     */
    void rebuildIfFull(AtomicReferenceArray<Entry> byId, int firstId) {
        AtomicReferenceArray<Entry> current = table;
        if ((used + 1) * 4L <= current.length() * 3L) {
            return;
        }
        AtomicReferenceArray<Entry> fresh = new AtomicReferenceArray<>(current.length());
        int mask = fresh.length() - 1;
        int live = 0;
        for (int id = firstId; id < byId.length(); id++) {
            Entry entry = byId.get(id);
            if (entry == null) {
                continue;
            }
            int index = entry.hash & mask;
            while (fresh.get(index) != null) {
                index = (index + 1) & mask;
            }
            fresh.set(index, entry);
            live++;
        }
        used = live;
        table = fresh;
    }

    /** Adds an entry whose string is known to be absent, reusing the first tombstone on its path. */
    void put(Entry entry) {
        AtomicReferenceArray<Entry> into = table;
        int mask = into.length() - 1;
        int index = entry.hash & mask;
        while (true) {
            Entry there = into.get(index);
            if (there == null) {
                used++;
                break;
            }
            if (there == TOMBSTONE) {
                break;
            }
            index = (index + 1) & mask;
        }
        into.set(index, entry);
    }

    /** Replaces a present entry by a tombstone. */
    void remove(Entry entry) {
        AtomicReferenceArray<Entry> from = table;
        int mask = from.length() - 1;
        int index = entry.hash & mask;
        while (from.get(index) != entry) {
            index = (index + 1) & mask;
        }
        from.set(index, TOMBSTONE);
    }

    /** Occupied slots, live entries and tombstones; under the owner's lock. */
    int occupancy() {
        return used;
    }

    int size() {
        return table.length();
    }

    /** Eight bytes per multiply: names are 10-60 bytes and hashed for every new string of a flow. */
    static int hash(byte[] bytes, int offset, int length) {
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
