package io.transitwatch.daemon.join;

import java.util.Arrays;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Per index (a node, a pair slot), the least — or the greatest — value seen recently: over the
 * current span of {@code spanNanos} and the one before it, so that a value followed by a change is
 * forgotten after one to two spans, while a span just begun never stands alone on its first sample.
 * The two spans must follow each other: a value that comes a span or more after the current span
 * ended starts afresh, as what was seen before that silence says nothing about now. The NTP-style
 * minimum-delay filter of {@link NodeClocks} keeps its minima over the same kind of spans.
 */
final class RecentExtreme {
    private static final long UNSET = Long.MIN_VALUE;

    private final long spanNanos;
    private final boolean least;
    private final long none;
    private final long[] spanStart;
    private final long[] current;
    private final long[] previous;
    private final int[] currentCount;
    private final int[] previousCount;

    private RecentExtreme(int size, long spanNanos, boolean least) {
        this.spanNanos = spanNanos;
        this.least = least;
        this.none = least ? Long.MAX_VALUE : Long.MIN_VALUE;
        spanStart = new long[size];
        current = new long[size];
        previous = new long[size];
        currentCount = new int[size];
        previousCount = new int[size];
        Arrays.fill(spanStart, UNSET);
        Arrays.fill(current, none);
        Arrays.fill(previous, none);
    }

    static RecentExtreme least(int size, long spanNanos) {
        return new RecentExtreme(size, spanNanos, true);
    }

    static RecentExtreme greatest(int size, long spanNanos) {
        return new RecentExtreme(size, spanNanos, false);
    }

    void observe(int index, long value, long nowNanos) {
        long started = spanStart[index];
        if (started == UNSET || nowNanos - started >= spanNanos) {
            boolean follows = started != UNSET && nowNanos - started < 2 * spanNanos;
            previous[index] = follows ? current[index] : none;
            previousCount[index] = follows ? currentCount[index] : 0;
            current[index] = value;
            currentCount[index] = 1;
            spanStart[index] = nowNanos;
            return;
        }
        currentCount[index]++;
        if (least ? value < current[index] : value > current[index]) {
            current[index] = value;
        }
    }

    /** The extreme of the two spans; {@link #none()} when nothing was seen. */
    long value(int index) {
        return least ? Math.min(current[index], previous[index]) : Math.max(current[index], previous[index]);
    }

    /** How many values the two spans saw. */
    int samples(int index) {
        return currentCount[index] + previousCount[index];
    }

    /** What {@link #value} says of an index that saw nothing. */
    long none() {
        return none;
    }
}
