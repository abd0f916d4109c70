package io.transitwatch.bench.scale;

import io.transitwatch.bench.e2e.Workload;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * Confined to the thread that reads the alerts topic. The end-to-end latency of LOST_IN_TRANSIT
 * alerts through the scaled pipeline: the moment a {@code read_committed} consumer has the alert,
 * minus the moment the lost departure was first seen. The alert's {@code first_seen} is the
 * departure's {@code Flow.time} on its node's clock (millisecond precision in the JSON); the load
 * server stamps it as its schedule's due time plus that node's clock skew ({@link Workload}), so
 * the skew is taken off again. Both processes read the same wall clock. So the figure includes the
 * window W the join must wait, and the goal is W + 3 s.
 *
 * <p>Only departures first seen in {@code [from, until)} are counted: the first seconds after the
 * streams come up, and the last W + grace before the reading stops, would skew the percentiles.
 */
final class AlertLatency {
    private static final long MAX_MICROS = TimeUnit.MINUTES.toMicros(10);

    private final long fromEpochNanos;
    private final long untilEpochNanos;
    private final Histogram micros = new Histogram(MAX_MICROS, 3);
    private long outside;
    private long negative;

    AlertLatency(long fromEpochNanos, long untilEpochNanos) {
        this.fromEpochNanos = fromEpochNanos;
        this.untilEpochNanos = untilEpochNanos;
    }

    /** One LOST alert of {@code sourceNode}, first seen at {@code firstSeen} (node clock), read at {@code readEpochNanos}. */
    void record(String sourceNode, Instant firstSeen, long readEpochNanos) {
        long seenNanos = TimeUnit.SECONDS.toNanos(firstSeen.getEpochSecond()) + firstSeen.getNano();
        long departed = Math.floorDiv(seenNanos, 1_000_000L) * 1_000_000L - Workload.skewNanos(sourceNode);
        if (departed < fromEpochNanos || departed >= untilEpochNanos) {
            outside++;
            return;
        }
        long latency = (readEpochNanos - departed) / 1_000;
        if (latency < 0) {
            negative++; // a clock that is not the one both processes read: counted, shown, not hidden
            latency = 0;
        }
        micros.recordValue(Math.min(latency, MAX_MICROS));
    }

    long count() {
        return micros.getTotalCount();
    }

    /** Alerts of departures outside the judged span (not in the percentiles). */
    long outside() {
        return outside;
    }

    long negative() {
        return negative;
    }

    /** The latency at {@code percentile} (0..100), in milliseconds; 0 when nothing was recorded. */
    double millisAt(double percentile) {
        return micros.getValueAtPercentile(percentile) / 1e3;
    }

    double maxMillis() {
        return micros.getMaxValue() / 1e3;
    }
}
