package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which poll intervals of a node's Hubble event count may have hit its BPF events rate limit. */
class EventRateWatchTest {
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_700_000_000L * S;
    private static final long UNKNOWN_BEFORE_FIRST = 6 * S;
    private static final long M = EventRateWatch.MARGIN_NANOS;
    private static final int NODE = 7;
    private static final long LIMIT = 1_000;

    private final EventRateWatch watch = new EventRateWatch(new ManualClock(T0), new StringDictionary(16),
            UNKNOWN_BEFORE_FIRST);

    EventRateWatchTest() {
        watch.limits(Map.of(NODE, LIMIT));
    }

    @Test
    void aNodeWithoutALimitIsNotWatched() {
        assertFalse(watch.limited(3));
        assertNull(watch.judge(3, 1_000_000, 0, T0));
        assertTrue(watch.limited(NODE));
    }

    @Test
    void nothingIsKnownBeforeTheFirstCountNorOfTheIntervalAfterIt() {
        assertArrayEquals(new long[] {T0 - UNKNOWN_BEFORE_FIRST - M, T0 + M}, watch.judge(NODE, 0, 0, T0));
        // no count a second before the interval's start bounds its seconds yet
        assertArrayEquals(new long[] {T0 - M, T0 + 2 * S + M}, watch.judge(NODE, 100, 0, T0 + 2 * S));
        assertNull(watch.judge(NODE, 200, 0, T0 + 4 * S));
    }

    @Test
    void aNodeWellUnderItsLimitIsClearAndOneNearItIsSuspect() {
        long seen = 0;
        watch.judge(NODE, seen, 0, T0);
        watch.judge(NODE, seen += 400, 0, T0 + 2 * S);
        // 400 + 400 events in the four seconds since the count before this interval: under 0.9 x 999
        assertNull(watch.judge(NODE, seen += 400, 0, T0 + 4 * S));
        // 400 + 900 since the count before this interval: one of its seconds may have let 999 through
        assertArrayEquals(new long[] {T0 + 4 * S - M, T0 + 6 * S + M}, watch.judge(NODE, seen += 900, 0, T0 + 6 * S));
        // the burst may have come at the end of the last interval: a second reaching into this one holds it
        assertArrayEquals(new long[] {T0 + 6 * S - M, T0 + 8 * S + M}, watch.judge(NODE, seen += 10, 0, T0 + 8 * S));
        assertNull(watch.judge(NODE, seen += 10, 0, T0 + 10 * S));
    }

    @Test
    void aHubbleThatStartedCountingAgainLeavesItsIntervalUnknown() {
        watch.judge(NODE, 5_000, 0, T0);
        watch.judge(NODE, 5_010, 0, T0 + 2 * S);
        assertNull(watch.judge(NODE, 5_020, 0, T0 + 4 * S));

        assertArrayEquals(new long[] {T0 + 4 * S - M, T0 + 6 * S + M}, watch.judge(NODE, 3, 0, T0 + 6 * S));
    }

    @Test
    void aHubbleThatRestartedSinceTheLastCountIsToldByItsUptime() {
        watch.judge(NODE, 5_000, 60 * S, T0);
        watch.judge(NODE, 5_010, 62 * S, T0 + 2 * S);
        assertNull(watch.judge(NODE, 5_020, 64 * S, T0 + 4 * S));

        // more events than before, but counted since a start a second ago
        assertArrayEquals(new long[] {T0 + 4 * S - M, T0 + 6 * S + M}, watch.judge(NODE, 6_000, S, T0 + 6 * S));
    }

    @Test
    void aLimitNoLongerConfiguredForgetsItsCounts() {
        watch.judge(NODE, 0, 0, T0);
        watch.limits(Map.of());
        assertNull(watch.judge(NODE, 10, 0, T0 + 2 * S));
        watch.limits(Map.of(NODE, LIMIT));
        assertArrayEquals(new long[] {T0 + 4 * S - UNKNOWN_BEFORE_FIRST - M, T0 + 4 * S + M},
                watch.judge(NODE, 20, 0, T0 + 4 * S), "a first count again");
    }
}
