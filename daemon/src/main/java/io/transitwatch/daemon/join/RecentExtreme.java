package io.transitwatch.daemon.join;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Per index (a node, a pair slot), the least — or the greatest — value seen recently: over the
 * current span of {@code spanNanos} and the one before it, so that a value followed by a change is
 * forgotten after one to two spans, while a span just begun never stands alone on its first sample.
 * The two spans must follow each other: a value that comes a span or more after the current span
 * ended starts afresh, as what was seen before that silence says nothing about now. The NTP-style
 * minimum-delay filter of {@link NodeClocks} keeps its minima over the same kind of spans.
 *
 * <p>An index's four words lie side by side (32 bytes): a match updates its pair's entry, and pair
 * slots are many, so it touches one or two cache lines, not one in each of five arrays.
 */
final class RecentExtreme {
    private static final long UNSET = Long.MIN_VALUE;
    private static final int STRIDE = 4;
    private static final int START = 0;
    private static final int CURRENT = 1;
    private static final int PREVIOUS = 2;
    /** Values seen in the current span (low 32 bits) and in the one before (high 32 bits). */
    private static final int COUNTS = 3;

    private final long spanNanos;
    private final boolean least;
    private final long none;
    private final long[] entries;

    private RecentExtreme(int size, long spanNanos, boolean least) {
        this.spanNanos = spanNanos;
        this.least = least;
        this.none = least ? Long.MAX_VALUE : Long.MIN_VALUE;
        entries = new long[STRIDE * size];
        for (int base = 0; base < entries.length; base += STRIDE) {
            entries[base + START] = UNSET;
            entries[base + CURRENT] = none;
            entries[base + PREVIOUS] = none;
        }
    }

    static RecentExtreme least(int size, long spanNanos) {
        return new RecentExtreme(size, spanNanos, true);
    }

    static RecentExtreme greatest(int size, long spanNanos) {
        return new RecentExtreme(size, spanNanos, false);
    }

    void observe(int index, long value, long nowNanos) {
        int base = STRIDE * index;
        long started = entries[base + START];
        if (started == UNSET || nowNanos - started >= spanNanos) {
            boolean follows = started != UNSET && nowNanos - started < 2 * spanNanos;
            entries[base + PREVIOUS] = follows ? entries[base + CURRENT] : none;
            entries[base + COUNTS] = (follows ? entries[base + COUNTS] << 32 : 0) | 1;
            entries[base + CURRENT] = value;
            entries[base + START] = nowNanos;
            return;
        }
        entries[base + COUNTS]++;
        long current = entries[base + CURRENT];
        if (least ? value < current : value > current) {
            entries[base + CURRENT] = value;
        }
    }

    /** The extreme of the two spans; {@link #none()} when nothing was seen. */
    long value(int index) {
        int base = STRIDE * index;
        long current = entries[base + CURRENT];
        long previous = entries[base + PREVIOUS];
        return least ? Math.min(current, previous) : Math.max(current, previous);
    }

    /**
     * {@link #value}, or {@link #none()} when the index saw nothing for two spans before {@code nowNanos}:
     * for values read long after they were seen, when the index may have been given to something else.
     */
    long recentValue(int index, long nowNanos) {
        long started = entries[STRIDE * index + START];
        return started == UNSET || nowNanos - started >= 2 * spanNanos ? none : value(index);
    }

    /** How many values the two spans saw. */
    long samples(int index) {
        long counts = entries[STRIDE * index + COUNTS];
        return (counts & 0xffff_ffffL) + (counts >>> 32);
    }

    /** What {@link #value} says of an index that saw nothing. */
    long none() {
        return none;
    }
}
