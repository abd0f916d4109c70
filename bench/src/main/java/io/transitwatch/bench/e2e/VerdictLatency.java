package io.transitwatch.bench.e2e;

import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Thread-safe: one thread records (the sink thread or the baseline's join thread), another takes
 * intervals.
 *
 * <p>LOST verdict latency, defined the same way for both pipelines: the time the verdict is
 * available to the user (TransitWatch: its alert line reaches the stdout sink's stream; the
 * baseline: {@code advance} declares it) minus the moment the verdict was due, which is the
 * departure's due time on the load server's schedule plus the window W. The due time is recovered
 * from the alert's {@code first_seen} (the departure's {@code Flow.time}, node clock, millisecond
 * precision in the alert JSON, so it is truncated to the millisecond for both pipelines) minus the
 * node's clock skew. Both processes read the same wall clock. Recorded in microseconds.
 */
final class VerdictLatency {
    private final long windowNanos;
    private final Recorder recorder = new Recorder(TimeUnit.HOURS.toMicros(1), 3);
    private volatile long negative;
    private Histogram interval;

    VerdictLatency(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    /** A LOST verdict for a departure that {@code node} reported at {@code firstSeenNanos} (its clock). */
    void record(String node, long firstSeenNanos, long verdictEpochNanos) {
        long due = Math.floorDiv(firstSeenNanos, 1_000_000L) * 1_000_000L - Workload.skewNanos(node) + windowNanos;
        long micros = (verdictEpochNanos - due) / 1_000;
        if (micros < 0) {
            negative++; // single writer
            micros = 0;
        }
        recorder.recordValue(Math.min(micros, TimeUnit.HOURS.toMicros(1)));
    }

    /** Starts a new interval; what was recorded so far is dropped. */
    synchronized void reset() {
        interval = recorder.getIntervalHistogram(interval);
    }

    /** The verdicts recorded since the last {@link #reset}. */
    synchronized Histogram sinceReset() {
        interval = recorder.getIntervalHistogram(interval);
        return interval.copy();
    }

    long negativeCount() {
        return negative;
    }
}
