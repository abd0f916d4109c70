package io.transitwatch.daemon.join;

import java.util.Arrays;

/**
 * Single-threaded: owned by the {@link KeyedSlots} table of the join thread whose free slots it holds.
 *
 * <p>The free slots of a table, handed out lowest first: a bit per slot, and a bit per word of them
 * that says the word has a free slot, so that taking one reads two words and a trailing-zero count.
 * Lowest first keeps the slots in use packed at the start of the table's columns. A last-in-first-out
 * free list would not: after a burst (an outage, a backfill) has used tens of thousands of slots, it
 * hands the few hundred entries of steady state slots scattered over all of them, and each insert and
 * match then misses the cache once per column; packed, the columns of the live entries stay in cache.
 */
final class FreeSlots {
    private final long[] free;
    private final long[] wordsWithFree;
    /** No word of {@link #wordsWithFree} below this one has a bit set. */
    private int lowestSummary;
    private int count;

    /** All of {@code capacity} slots free. */
    FreeSlots(int capacity) {
        free = new long[(capacity + 63) >>> 6];
        wordsWithFree = new long[(free.length + 63) >>> 6];
        Arrays.fill(free, -1L);
        if ((capacity & 63) != 0) {
            free[free.length - 1] = (1L << (capacity & 63)) - 1;
        }
        for (int word = 0; word < free.length; word++) {
            wordsWithFree[word >>> 6] |= 1L << word;
        }
        count = capacity;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Takes the lowest free slot; the caller checks {@link #isEmpty()} first. */
    int take() {
        if (count == 0) {
            throw new IllegalStateException("no free slot: evict before inserting");
        }
        int summary = lowestSummary;
        while (wordsWithFree[summary] == 0) {
            summary++;
        }
        lowestSummary = summary;
        int word = summary << 6 | Long.numberOfTrailingZeros(wordsWithFree[summary]);
        long bits = free[word];
        int slot = word << 6 | Long.numberOfTrailingZeros(bits);
        bits &= bits - 1;
        free[word] = bits;
        if (bits == 0) {
            wordsWithFree[summary] &= ~(1L << word);
        }
        count--;
        return slot;
    }

    /** Gives slot {@code slot}, taken before, back. */
    void give(int slot) {
        int word = slot >>> 6;
        if (free[word] == 0) {
            wordsWithFree[word >>> 6] |= 1L << word;
        }
        free[word] |= 1L << slot;
        lowestSummary = Math.min(lowestSummary, word >>> 6);
        count++;
    }
}
