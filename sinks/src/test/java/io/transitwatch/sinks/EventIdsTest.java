package io.transitwatch.sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Random;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    /** A clock the test moves by hand. */
    static final class SteppedClock extends Clock {
        private Instant now;

        SteppedClock(Instant start) {
            this.now = start;
        }

        void set(Instant instant) {
            now = instant;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void shouldMakeTwentySixCrockfordCharactersCarryingTheMillisecond() {
        SteppedClock clock = new SteppedClock(TestEvents.TIME);
        String id = new EventIds(clock, new Random(1)).next();
        assertEquals(26, id.length());
        assertTrue(id.matches("[0-9A-HJKMNP-TV-Z]{26}"), id);
        assertEquals(TestEvents.TIME.toEpochMilli(), EventIds.millisOf(id));
    }

    @Test
    void shouldSortByTimeAndStayIncreasingWithinOneMillisecondAndWhenTheClockStepsBack() {
        SteppedClock clock = new SteppedClock(TestEvents.TIME);
        EventIds ids = new EventIds(clock, new Random(7));
        String previous = ids.next();
        for (int i = 0; i < 10_000; i++) {
            if (i == 5_000) {
                clock.set(TestEvents.TIME.minusSeconds(3)); // NTP step backwards
            } else if (i % 1_000 == 0) {
                clock.set(clock.instant().plusMillis(1));
            }
            String next = ids.next();
            assertTrue(next.compareTo(previous) > 0, previous + " then " + next);
            previous = next;
        }
    }

    @Test
    void shouldEncodeTheEightyRandomBitsSoThatStringOrderIsNumericOrder() {
        // The increment after low64 = all ones carries into high16; the strings must still sort.
        String before = EventIds.encode(1, 0x0001, -1L);
        String after = EventIds.encode(1, 0x0002, 0L);
        assertTrue(after.compareTo(before) > 0);
        assertEquals("0000000001000000000000000Z", EventIds.encode(1, 0, 31));
    }
}
