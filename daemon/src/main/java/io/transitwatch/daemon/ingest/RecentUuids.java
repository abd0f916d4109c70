package io.transitwatch.daemon.ingest;

import java.util.Arrays;

/**
 * Single thread: owned by one node's timeline, touched only by the thread delivering that node's
 * messages.
 *
 * <p>The uuids of a node's most recent events, in arrival order, as a circular log of {@code long}
 * pairs: remembering one costs two stores, no hashing and no probing, because the uuids are looked
 * up only when a reconnect's backfill may send some of them again (see {@link NodeTimeline}). The log
 * starts small and doubles, up to {@code capacity} uuids, only while it fills within
 * {@link #GROWTH_SPAN_NANOS} of event time; otherwise it overwrites its oldest entries. So it holds
 * the last {@code capacity} uuids or every uuid of the last {@link #GROWTH_SPAN_NANOS}, whichever is
 * fewer, far more than a backfill's overlap, and a quiet node keeps a KiB.
 */
final class RecentUuids {
    /** A log that fills faster than this (event time) grows, up to the capacity. */
    static final long GROWTH_SPAN_NANOS = 10_000_000_000L;
    private static final int INITIAL = 64;

    private final int capacity;
    private long[] pairs; // (hi, lo) per uuid
    private int next; // the uuid written next
    private boolean wrapped;
    private long lapStartNanos = Long.MIN_VALUE;

    /** @param capacity uuids remembered at most */
    RecentUuids(int capacity) {
        this.capacity = capacity;
        this.pairs = new long[2 * Math.min(capacity, INITIAL)];
    }

    void add(long hi, long lo, long timeNanos) {
        if (lapStartNanos == Long.MIN_VALUE) {
            lapStartNanos = timeNanos;
        }
        if (2 * next == pairs.length) {
            int held = next;
            if (held < capacity && timeNanos - lapStartNanos < GROWTH_SPAN_NANOS) {
                pairs = Arrays.copyOf(pairs, 2 * Math.min(capacity, 2 * held)); // the order is irrelevant to a look-up
                wrapped = false;
            } else {
                next = 0;
                wrapped = true;
                lapStartNanos = timeNanos;
            }
        }
        pairs[2 * next] = hi;
        pairs[2 * next + 1] = lo;
        next++;
    }

    /**
     * Event time from which every uuid added is still held: the start of the current lap (or of the
     * log, before it first wrapped); {@code Long.MAX_VALUE} before any was added.
     */
    long heldSinceNanos() {
        return lapStartNanos == Long.MIN_VALUE ? Long.MAX_VALUE : lapStartNanos;
    }

    /** Uuids held now. */
    int size() {
        return wrapped ? pairs.length / 2 : next;
    }

    /** A set of every uuid held now, to check a backfill against. */
    UuidWindow toSet() {
        int size = size();
        UuidWindow set = new UuidWindow(Math.max(16, Integer.highestOneBit(Math.max(1, size - 1)) << 1));
        for (int i = 0; i < size; i++) {
            set.add(pairs[2 * i], pairs[2 * i + 1]);
        }
        return set;
    }
}
