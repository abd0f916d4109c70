package io.transitwatch.daemon.handoff;

import static io.transitwatch.daemon.handoff.DictionaryTable.LONGS;

import io.transitwatch.daemon.handoff.DictionaryTable.Entry;

/**
 * Single thread: one per decoder (one per stream), in front of the shared {@link StringDictionary}.
 *
 * <p>The ids of the names a decoder saw recently, in a direct-mapped table of its own. A flow names
 * up to eight strings, and with many pods per node the one-entry {@link StringDictionary.Memo} of a
 * field mostly misses: each miss compared the bytes twice (memo, then the table's entry after a hash
 * and three dependent loads). Here a name's slot is chosen from its length and its first and last
 * eight bytes, and the slot holds the name itself as 64-bit words, side by side with its length and
 * id in one cache line: a hit reads one line of this cache and compares a few words.
 *
 * <p><b>Never aliases two names.</b> A slot's identity is the name's exact bytes (length and every
 * word, the last one zero-padded), not a hash: two different names may share a slot and then evict
 * each other, but one is never answered with the other's id. Names longer than {@value #MAX_BYTES}
 * bytes are not cached and go to the dictionary.
 *
 * <p><b>Never returns a recycled id.</b> A cached id is returned without asking the dictionary only
 * while the dictionary's generation is still the one in which this cache last touched it (an id
 * touched in the current generation is not recycled before the generation changes, see
 * {@link StringDictionary}); otherwise the hit touches the entry again, and a failed touch (the id
 * is being recycled) is a miss. A pinned cache holds node names, which are never recycled.
 */
public final class NameCache {
    /** Longest name kept: seven words after the slot's header make one 64-byte line. */
    static final int MAX_BYTES = 56;
    private static final int SLOT_LONGS = 8;
    private static final int NOT_TOUCHED = Integer.MIN_VALUE;

    private final StringDictionary dictionary;
    private final boolean pinned;
    private final int shift;
    /** Per slot: a header (length in the high half, id in the low half; 0 = empty), then the words. */
    private final long[] slots;
    private final Entry[] entries;
    private final int[] touchedIn;

    /**
     * @param slots a power of two; each takes 64 bytes
     * @param pinned true for node names: interned with {@link StringDictionary#internPinned}
     */
    public NameCache(StringDictionary dictionary, int slots, boolean pinned) {
        if (slots < 1 || Integer.bitCount(slots) != 1) {
            throw new IllegalArgumentException("slots must be a power of two, was " + slots);
        }
        this.dictionary = dictionary;
        this.pinned = pinned;
        this.shift = 64 - Integer.numberOfTrailingZeros(slots);
        this.slots = new long[slots * SLOT_LONGS];
        this.entries = new Entry[slots];
        this.touchedIn = new int[slots];
    }

    /** Id of {@code length} UTF-8 bytes at {@code offset}, as the dictionary would give it; 0 when empty. */
    public int intern(byte[] utf8, int offset, int length) {
        if (length == 0) {
            return 0;
        }
        if (length > MAX_BYTES) {
            return pinned ? dictionary.internPinned(utf8, offset, length) : dictionary.intern(utf8, offset, length);
        }
        int fullWords = length >>> 3;
        long tail = tailWord(utf8, offset, length);
        long first = fullWords == 0 ? tail : (long) LONGS.get(utf8, offset);
        long last = (length & 7) != 0 || fullWords == 0 ? tail : (long) LONGS.get(utf8, offset + length - 8);
        int slot = shift == 64 ? 0 : (int) (((first ^ Long.rotateLeft(last, 29) ^ length) * 0x9E3779B97F4A7C15L) >>> shift);
        int base = slot * SLOT_LONGS;
        long header = slots[base];
        if ((int) (header >>> 32) == length && sameWords(utf8, offset, fullWords, tail, length, base)) {
            int id = (int) header;
            if (pinned || touchedIn[slot] == dictionary.generation()) {
                return id;
            }
            int generation = dictionary.touch(entries[slot]);
            if (generation >= 0) {
                touchedIn[slot] = generation;
                return id;
            }
        }
        return fill(utf8, offset, length, fullWords, tail, slot, base);
    }

    private boolean sameWords(byte[] utf8, int offset, int fullWords, long tail, int length, int base) {
        for (int word = 0; word < fullWords; word++) {
            if (slots[base + 1 + word] != (long) LONGS.get(utf8, offset + word * 8)) {
                return false;
            }
        }
        return (length & 7) == 0 || slots[base + 1 + fullWords] == tail;
    }

    private int fill(byte[] utf8, int offset, int length, int fullWords, long tail, int slot, int base) {
        Entry entry = pinned ? dictionary.pinnedEntryOf(utf8, offset, length) : dictionary.entryOf(utf8, offset, length);
        if (entry.id == StringDictionary.OVERFLOW) {
            slots[base] = 0;
            entries[slot] = null;
            return entry.id;
        }
        for (int word = 0; word < fullWords; word++) {
            slots[base + 1 + word] = (long) LONGS.get(utf8, offset + word * 8);
        }
        if ((length & 7) != 0) {
            slots[base + 1 + fullWords] = tail;
        }
        slots[base] = (long) length << 32 | (entry.id & 0xFFFF_FFFFL);
        entries[slot] = entry;
        touchedIn[slot] = NOT_TOUCHED; // the next hit touches: cheaper than knowing the generation here
        return entry.id;
    }

    /** The last {@code length % 8} bytes, little-endian in the low bytes of a word; 0 when there are none. */
    private static long tailWord(byte[] utf8, int offset, int length) {
        int bytes = length & 7;
        if (bytes == 0) {
            return 0;
        }
        if (length >= 8) {
            return (long) LONGS.get(utf8, offset + length - 8) >>> (64 - 8 * bytes);
        }
        if (offset + 8 <= utf8.length) {
            return (long) LONGS.get(utf8, offset) & (-1L >>> (64 - 8 * bytes));
        }
        long word = 0;
        for (int i = 0; i < bytes; i++) {
            word |= (utf8[offset + i] & 0xFFL) << (8 * i);
        }
        return word;
    }
}
