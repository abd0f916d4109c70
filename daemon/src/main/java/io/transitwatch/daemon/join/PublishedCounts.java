package io.transitwatch.daemon.join;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Single writer, many readers: the join thread counts into a plain array and {@link #publish()}
 * copies the counts into an atomic array with release stores; any thread reads that copy with
 * volatile loads, so it sees the counts as of the last publish, untorn. Counting is a plain add,
 * not a release store per event.
 *
 * <p>Counts are grouped in slots of {@code stride} counters (a node's, a pair's). When slots are
 * many and few change between publishes (nodes, pairs), the changed ones are listed once
 * ({@link DirtySlots}) so that publishing touches only those; a single slot is published whole.
 */
final class PublishedCounts {
    private final long[] counts;
    private final AtomicLongArray published;
    private final int stride;
    /** Slots changed since the last publish; null when there is one slot, always published. */
    private final DirtySlots dirty;

    PublishedCounts(int slots, int stride) {
        this.counts = new long[slots * stride];
        this.published = new AtomicLongArray(slots * stride);
        this.stride = stride;
        this.dirty = slots > 1 ? new DirtySlots(slots) : null;
    }

    // ---- writer side (join thread) ----

    void add(int slot, int counter, long delta) {
        counts[slot * stride + counter] += delta;
        if (dirty != null) {
            dirty.mark(slot);
        }
    }

    void set(int slot, int counter, long value) {
        counts[slot * stride + counter] = value;
        if (dirty != null) {
            dirty.mark(slot);
        }
    }

    /** Zeroes a slot's counts, published at once (the slot changes hands). */
    void zero(int slot) {
        for (int i = slot * stride, end = i + stride; i < end; i++) {
            counts[i] = 0;
            published.setRelease(i, 0);
        }
    }

    /** Makes the counts so far visible to readers: the changed slots (or the one slot). */
    void publish() {
        if (dirty == null) {
            for (int i = 0; i < counts.length; i++) {
                published.setRelease(i, counts[i]);
            }
            return;
        }
        for (int n = 0, changed = dirty.size(); n < changed; n++) {
            for (int i = dirty.get(n) * stride, end = i + stride; i < end; i++) {
                published.setRelease(i, counts[i]);
            }
        }
        dirty.clear();
    }

    // ---- reader side (any thread) ----

    /** The count as of the last publish. */
    long get(int slot, int counter) {
        return published.get(slot * stride + counter);
    }
}
