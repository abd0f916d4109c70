package io.transitwatch.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.bench.e2e.Workload;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AlertLatencyTest {
    private static final long FROM = TimeUnit.SECONDS.toNanos(1_800_000_000L);
    private static final long UNTIL = FROM + TimeUnit.SECONDS.toNanos(60);

    private static Instant onNodeClock(String node, long trueEpochNanos) {
        return Instant.ofEpochSecond(0, trueEpochNanos + Workload.skewNanos(node));
    }

    @Test
    void theNodesClockSkewIsTakenOffTheFirstSeenTime() {
        AlertLatency latency = new AlertLatency(FROM, UNTIL);
        long departed = FROM + TimeUnit.SECONDS.toNanos(10);
        // solcp03's clock is 2 s behind: its first_seen reads 2 s early, which must not add 2 s of latency
        latency.record("solcp03", onNodeClock("solcp03", departed), departed + TimeUnit.MILLISECONDS.toNanos(5_400));
        latency.record("solcp02", onNodeClock("solcp02", departed), departed + TimeUnit.MILLISECONDS.toNanos(5_400));
        assertEquals(2, latency.count());
        assertEquals(5_400, latency.millisAt(50), 5.4);
        assertEquals(5_400, latency.maxMillis(), 5.4);
        assertEquals(0, latency.negative());
    }

    @Test
    void percentilesComeFromEveryRecordedAlert() {
        AlertLatency latency = new AlertLatency(FROM, UNTIL);
        for (int i = 1; i <= 100; i++) {
            long departed = FROM + TimeUnit.MILLISECONDS.toNanos(100L * i);
            latency.record("solcp01", onNodeClock("solcp01", departed), departed + TimeUnit.MILLISECONDS.toNanos(5_000 + 10L * i));
        }
        assertEquals(100, latency.count());
        assertEquals(5_500, latency.millisAt(50), 5.5);
        assertEquals(5_990, latency.millisAt(99), 6.0);
        assertEquals(6_000, latency.maxMillis(), 6.0);
    }

    @Test
    void departuresOutsideTheJudgedSpanAreCountedApartAndNotInThePercentiles() {
        AlertLatency latency = new AlertLatency(FROM, UNTIL);
        latency.record("solcp01", onNodeClock("solcp01", FROM - 1_000_000), FROM + TimeUnit.SECONDS.toNanos(90));
        latency.record("solcp01", onNodeClock("solcp01", UNTIL), UNTIL + TimeUnit.SECONDS.toNanos(6));
        latency.record("solcp01", onNodeClock("solcp01", FROM), FROM + TimeUnit.SECONDS.toNanos(6));
        assertEquals(1, latency.count());
        assertEquals(2, latency.outside());
        assertEquals(6_000, latency.maxMillis(), 6.0);
    }

    @Test
    void anAlertReadBeforeItsDepartureIsCountedAsNegative() {
        AlertLatency latency = new AlertLatency(FROM, UNTIL);
        long departed = FROM + TimeUnit.SECONDS.toNanos(1);
        latency.record("solcp01", onNodeClock("solcp01", departed), departed - 1_000_000);
        assertEquals(1, latency.negative());
        assertEquals(0, latency.maxMillis());
    }
}
