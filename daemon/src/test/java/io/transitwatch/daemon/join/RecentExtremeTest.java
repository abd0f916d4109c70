package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class RecentExtremeTest {
    private static final long SPAN = 10 * S;

    @Test
    void shouldKeepTheLeastOfTheCurrentSpanAndTheOneBefore() {
        RecentExtreme least = RecentExtreme.least(2, SPAN);
        assertEquals(least.none(), least.value(0));
        least.observe(0, 7, T0);
        least.observe(0, 3, T0 + S);
        least.observe(0, 5, T0 + 2 * S);
        assertEquals(3, least.value(0));
        assertEquals(3, least.samples(0));

        least.observe(0, 9, T0 + SPAN); // a new span: the one before still counts
        assertEquals(3, least.value(0));
        least.observe(0, 8, T0 + 2 * SPAN); // and another: the span of 3 is gone
        assertEquals(8, least.value(0));
        assertEquals(2, least.samples(0));
        assertEquals(least.none(), least.value(1), "indexes are independent");
    }

    @Test
    void shouldSayNothingRecentOfAnIndexSilentForTwoSpans() {
        RecentExtreme least = RecentExtreme.least(1, SPAN);
        assertEquals(least.none(), least.recentValue(0, T0), "nothing seen");
        least.observe(0, -S, T0);
        assertEquals(-S, least.recentValue(0, T0 + 2 * SPAN - 1));
        assertEquals(least.none(), least.recentValue(0, T0 + 2 * SPAN), "silent for two spans: perhaps another's now");
        assertEquals(-S, least.value(0), "what value() keeps, for reading just after observing");
    }

    @Test
    void shouldForgetWhatCameBeforeASilenceOfASpanOrMore() {
        RecentExtreme greatest = RecentExtreme.greatest(1, SPAN);
        greatest.observe(0, 4 * S, T0);
        greatest.observe(0, 0, T0 + 2 * SPAN);
        assertEquals(0, greatest.value(0), "4 s was seen two spans ago, before a silence");
        assertEquals(1, greatest.samples(0));

        greatest.observe(0, 2 * S, T0 + 2 * SPAN + 1);
        greatest.observe(0, S, T0 + 3 * SPAN + 1);
        assertEquals(2 * S, greatest.value(0), "spans that follow each other are both kept");
    }
}
