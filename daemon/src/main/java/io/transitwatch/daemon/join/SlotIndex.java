package io.transitwatch.daemon.join;

import java.util.Arrays;

/**
 * Single-threaded: owned by the join thread, with the {@link KeyedSlots} tables it indexes.
 *
 * <p>The hash index of one or two {@link KeyedSlots} tables: open addressing with linear probing,
 * twice as many words as the tables have slots together. A word holds a reference {@code (table,
 * slot) + 1} (0 = empty) in its low bits and, above them, a fingerprint: the bits of the key's hash
 * that the position does not use. A probe compares the fingerprint first and reads a key only when
 * it agrees, so a probe past other keys touches no key memory.
 *
 * <p>Two tables share one index when a key is in at most one of them at a time: the pending
 * departures and the remembered arrivals (a departure whose arrival is remembered is matched, never
 * pending, and the other way round). One probe ({@link #findEither}) then tells a departure both
 * whether it repeats a pending one and whether its arrival came first: one cache miss instead of two.
 *
 * <p>Deletion leaves a tombstone, which a probe steps over and an insert reuses, so removing an entry
 * reads no other key. (Shifting the run back instead, Knuth's algorithm R, re-hashes every key after
 * the hole: a cache miss each, which took most of the join thread when overload decides many entries
 * at once.) A tombstone just before an empty word is emptied at once, with the tombstones before it;
 * when the rest outgrows an eighth of the words in use, the index is rebuilt ({@link #compactions()}
 * counts them), so probes stay short.
 *
 * <p>The index uses only as many words as its live entries need: at least four per entry after a
 * resize, a power of two between {@value #MIN_WORDS} and twice the tables' slots (allocated once, at
 * the full size). Past half full it doubles (or more), below a sixteenth it shrinks, each time by one
 * rebuild whose cost the inserts or removals since the last one have paid for, a few words each. A
 * join in steady state holds a few thousand entries among 131,072 slots: its probes then touch a few
 * kilobytes that stay in the core's caches instead of random lines of a megabyte, and the index grows
 * back to its full size only when the entries are there (an outage, overload).
 */
final class SlotIndex {
    static final int NONE = -1;
    /** A word whose entry was removed; its reference part is all ones, which is no (table, slot). */
    private static final int TOMBSTONE = -1;

    /** Words a small index uses at least (8 KB): its probe runs stay short, and it shrinks no further. */
    static final int MIN_WORDS = 2048;

    private final int[] words;
    /** Words in use, {@code words[0 .. length)}: a power of two; every word beyond it is 0. */
    private int length;
    private int indexMask;
    private final int tableBits;
    private final int refMask;
    private final KeyedSlots[] tables = new KeyedSlots[2];
    private int tableCount;
    private int entries;
    private int tombstones;
    private long compactions;
    /** Cache lines touched so far: the join's work, counted without a clock (see {@link #workSteps()}). */
    private long steps;
    /** A sum of the words {@link #readAhead} read, kept only so that the reads stay. */
    private int readAheadSum;
    /** Index words per cache line, as a shift. */
    private static final int WORDS_PER_LINE_SHIFT = 4;

    /**
     * An index for tables of at most {@code maxTableCapacity} slots each (a power of two),
     * {@code totalCapacity} slots in all.
     */
    SlotIndex(int maxTableCapacity, int totalCapacity) {
        int length = Integer.highestOneBit(Math.max(2, totalCapacity) - 1) << 2; // twice the slots, a power of two
        words = new int[length];
        useWords(Math.min(length, MIN_WORDS));
        tableBits = Integer.numberOfTrailingZeros(maxTableCapacity);
        int refBits = tableBits + 2; // (table << tableBits | slot) + 1 <= 2 * maxTableCapacity
        refMask = (1 << refBits) - 1;
    }

    private void useWords(int newLength) {
        length = newLength;
        indexMask = newLength - 1;
    }

    /** Registers a table; returns its tag (0 or 1). */
    int register(KeyedSlots table) {
        if (tableCount == tables.length || table.capacity() > 1 << tableBits) {
            throw new IllegalStateException("a slot index takes two tables of at most " + (1 << tableBits) + " slots");
        }
        tables[tableCount] = table;
        return tableCount++;
    }

    static int tableOf(int ref) {
        return ref >>> 30;
    }

    /** The slot of a reference from {@link #findEither}. */
    static int slotOf(int ref) {
        return ref & ((1 << 30) - 1);
    }

    /** Slot of the key in the table with tag {@code tag}, or {@link #NONE}. */
    int find(int tag, int hash, long a, long b, long c, long d, long e) {
        int ref = findEither(hash, a, b, c, d, e);
        return ref != NONE && tableOf(ref) == tag ? slotOf(ref) : NONE;
    }

    /**
     * The key in either table, as {@code tag << 30 | slot} (see {@link #tableOf}, {@link #slotOf}), or
     * {@link #NONE}: one probe.
     */
    int findEither(int hash, long a, long b, long c, long d, long e) {
        int fingerprint = hash & ~refMask;
        int start = hash & indexMask;
        int position = start;
        while (true) {
            int stored = words[position];
            if (stored == 0) {
                steps += linesBetween(start, position);
                return NONE;
            }
            if ((stored & ~refMask) == fingerprint && stored != TOMBSTONE) {
                int ref = (stored & refMask) - 1;
                int tag = ref >>> tableBits;
                int slot = ref & ((1 << tableBits) - 1);
                steps++; // the key's line
                if (tables[tag].keyEquals(slot, a, b, c, d, e)) {
                    steps += linesBetween(start, position);
                    return tag << 30 | slot;
                }
            }
            position = (position + 1) & indexMask;
        }
    }

    /**
     * Of the slots of table {@code tag} under this key, the one with the least {@code order[slot]}, or
     * {@link #NONE}: a key held more than once ({@link RememberedArrivals#ambiguous}) is found oldest
     * first, so that none is passed over until it expires. Reads the key's whole probe run.
     */
    int findLeast(int tag, int hash, long a, long b, long c, long d, long e, long[] order) {
        int fingerprint = hash & ~refMask;
        int start = hash & indexMask;
        int least = NONE;
        for (int position = start; ; position = (position + 1) & indexMask) {
            int stored = words[position];
            if (stored == 0) {
                steps += linesBetween(start, position);
                return least;
            }
            if ((stored & ~refMask) == fingerprint && stored != TOMBSTONE) {
                int ref = (stored & refMask) - 1;
                int slot = ref & ((1 << tableBits) - 1);
                if (ref >>> tableBits == tag) {
                    steps++; // the key's line, counted as findEither counts it
                    if (tables[tag].keyEquals(slot, a, b, c, d, e) && (least == NONE || order[slot] < order[least])) {
                        least = slot;
                    }
                }
            }
        }
    }

    /**
     * Reads the first word a probe for {@code hash} will read, so that its cache line is on its way
     * while the caller does other work (a hint: no state changes, no work counted).
     */
    void readAhead(int hash) {
        readAheadSum += words[hash & indexMask];
    }

    /** Puts slot {@code slot} of table {@code tag} into the first free word (empty or tombstone) of its run. */
    void place(int tag, int slot, int hash) {
        int start = hash & indexMask;
        int position = start;
        int stored;
        while ((stored = words[position]) != 0 && stored != TOMBSTONE) {
            position = (position + 1) & indexMask;
        }
        steps += linesBetween(start, position);
        if (stored == TOMBSTONE) {
            tombstones--;
        }
        words[position] = (hash & ~refMask) | ((tag << tableBits | slot) + 1);
        entries++;
        if ((entries + tombstones) * 2 > length && length < words.length) {
            resize(); // past half full: probe runs would grow long
        }
    }

    /** Takes slot {@code slot} of table {@code tag}, whose key hashes to {@code hash}, out of the index. */
    void remove(int tag, int slot, int hash) {
        int wanted = (tag << tableBits | slot) + 1;
        int start = hash & indexMask;
        int position = start;
        while ((words[position] & refMask) != wanted) {
            position = (position + 1) & indexMask;
        }
        steps += linesBetween(start, (position + 1) & indexMask) + 1; // and the key's line, re-hashed by the caller
        entries--;
        if (words[(position + 1) & indexMask] != 0) {
            words[position] = TOMBSTONE;
            if (++tombstones > length / 8) {
                compactions++;
                resize();
                return;
            }
        } else {
            // The end of a probe run: no probe needs this word or the tombstones just before it.
            words[position] = 0;
            for (int before = (position - 1) & indexMask; words[before] == TOMBSTONE; before = (before - 1) & indexMask) {
                words[before] = 0;
                tombstones--;
            }
        }
        if (entries * 16 < length && length > MIN_WORDS) {
            resize(); // mostly empty: its probes would touch more lines than the entries need
        }
    }

    /** Rebuilds so far that dropped tombstones (for tests: bounded by removals / (slots / 4)). */
    long compactions() {
        return compactions;
    }

    /** Words in use now (for tests: between {@link #MIN_WORDS} and twice the slots, at least twice the entries). */
    int wordsInUse() {
        return length;
    }

    /**
     * Cache lines touched so far by probes, inserts, removals and rebuilds: the index lines a probe
     * run spans, one line per key compared or re-hashed, and for a rebuild every line it clears and
     * scans. Memory traffic is what an event costs here (the limit line of docs/benchmarks.md is
     * two random lines per event), so this is the join's work per event without a clock: a test can
     * assert that overload costs no more per event than normal load. A plain field of the join thread.
     */
    long workSteps() {
        return steps;
    }

    /** Removed entries whose words are still tombstones; at most an eighth of the words in use (a quarter of the slots). */
    int tombstones() {
        return tombstones;
    }

    /** Index cache lines from word {@code from} to word {@code to}, both included (the probe may wrap). */
    private int linesBetween(int from, int to) {
        return ((((to - from) & indexMask) + (from & ((1 << WORDS_PER_LINE_SHIFT) - 1))) >>> WORDS_PER_LINE_SHIFT) + 1;
    }

    /**
     * The index again without tombstones, in the words its entries need: the smallest power of two
     * of at least four words per entry. The live references are packed in place and moved beyond the
     * new size, so that no memory is allocated, then placed again (re-hashing each key); when the
     * array has no room beyond the new size (a nearly full index), they are found again by a pass
     * over the tables' slots instead.
     */
    private void resize() {
        int newLength = Math.max(Math.min(MIN_WORDS, words.length),
                Math.min(words.length, Integer.highestOneBit(Math.max(1, entries * 4 - 1)) << 1));
        int oldLength = length;
        tombstones = 0;
        steps += (Math.max(oldLength, newLength) >> WORDS_PER_LINE_SHIFT) + 1;
        if (newLength + entries > words.length) {
            Arrays.fill(words, 0, oldLength, 0);
            useWords(newLength);
            placeLiveSlots();
            return;
        }
        int packed = 0;
        for (int position = 0; position < oldLength; position++) {
            int stored = words[position];
            if (stored != 0 && stored != TOMBSTONE) {
                words[packed++] = stored;
            }
        }
        int moved = Math.max(newLength, packed); // beyond the new words, and not overlapping the packed ones
        System.arraycopy(words, 0, words, moved, packed);
        Arrays.fill(words, 0, Math.min(moved, oldLength), 0); // beyond the old words all are 0 already
        if (oldLength > moved + packed) {
            Arrays.fill(words, moved + packed, oldLength, 0);
        }
        useWords(newLength);
        entries = 0;
        for (int i = moved, end = moved + packed; i < end; i++) {
            int ref = (words[i] & refMask) - 1;
            int tag = ref >>> tableBits;
            int slot = ref & ((1 << tableBits) - 1);
            steps++; // the key's line, to hash it
            place(tag, slot, tables[tag].hashOf(slot));
        }
        Arrays.fill(words, moved, moved + packed, 0);
    }

    /** Places every live slot of the tables again, read in slot order (the index is empty). */
    private void placeLiveSlots() {
        entries = 0;
        for (int tag = 0; tag < tableCount; tag++) {
            KeyedSlots table = tables[tag];
            steps += table.capacity() >> WORDS_PER_LINE_SHIFT; // which slots are live: one int each
            for (int slot = 0, capacity = table.capacity(); slot < capacity; slot++) {
                if (table.isLive(slot)) {
                    steps++; // the key's line, to hash it
                    place(tag, slot, table.hashOf(slot));
                }
            }
        }
    }
}
