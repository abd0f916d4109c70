package io.transitwatch.sinks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class EventIdsTest {

    @Test
    void shouldMakeTwentySixCrockfordCharactersCarryingTheMillisecond() {
        ManualClock clock = new ManualClock(TestEvents.TIME);
        String id = new EventIds(clock, new Random(1)).next();
        assertEquals(26, id.length());
        assertTrue(id.matches("[0-9A-HJKMNP-TV-Z]{26}"), id);
        assertEquals(TestEvents.TIME.toEpochMilli(), EventIds.millisOf(id));
    }

    @Test
    void shouldSortByTimeAndStayIncreasingWithinOneMillisecondAndWhenTheClockStepsBack() {
        ManualClock clock = new ManualClock(TestEvents.TIME);
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
