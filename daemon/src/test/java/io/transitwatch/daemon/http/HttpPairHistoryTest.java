package io.transitwatch.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The matrix shows recent loss: a pair that lost packets earlier and only matches now turns green. */
class HttpPairHistoryTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void recentWindowStartsAtTheOldestReadingWithinTheWindow() {
        PairHistory history = new PairHistory(60 * SECOND);
        assertNull(history.baseline(0), "before the first reading the window is the lifetime");
        history.record(0, List.of(reading(0, 10, 0)));
        history.record(30 * SECOND, List.of(reading(0, 10, 50)));
        history.record(65 * SECOND, List.of(reading(0, 10, 100)));
        PairHistory.Sample baseline = history.baseline(70 * SECOND);
        assertEquals(30 * SECOND, baseline.atNanos(), "the reading at 0 s is older than 60 s");

        PairReading recent = reading(0, 10, 120).since(baseline.pair(0));
        assertEquals(0, recent.lost());
        assertEquals(70, recent.matched());
        assertEquals("ok", recent.state(), "the loss is older than the window");
        assertEquals(0.0, recent.lossRatio());
    }

    @Test
    void aPairNewerThanTheBaselineCountsFromZero() {
        PairHistory history = new PairHistory(60 * SECOND);
        history.record(0, List.of(reading(0, 0, 5)));
        PairReading newPair = new PairReading(1, "a", "c", "IPv6", 4, 0, 4, 0, 0, 0);
        PairReading recent = newPair.since(history.baseline(SECOND).pair(1));
        assertEquals("loss", recent.state());
        assertEquals(1.0, recent.lossRatio());
        assertEquals("idle", reading(0, 0, 0).state());
    }

    private static PairReading reading(int slot, long lost, long matched) {
        return new PairReading(slot, "a", "b", "IPv4", lost + matched, matched, lost, 0, 0, 0);
    }
}
