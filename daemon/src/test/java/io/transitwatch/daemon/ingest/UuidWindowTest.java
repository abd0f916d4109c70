package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The uuid window stays small for a quiet node and grows to its capacity for a busy one. */
class UuidWindowTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aQuietNodeKeepsASmallWindowThatStillCoversItsRecentEvents() {
        UuidWindow window = new UuidWindow(8192);
        for (int i = 1; i <= 5_000; i++) {
            assertTrue(window.add(7, i, i * SECOND / 4)); // 4 events a second
        }
        assertEquals(64, window.generation(), "64 uuids fill in 16 s: the window never needs to grow");
        for (int i = 5_000 - 63; i <= 5_000; i++) {
            assertFalse(window.add(7, i, 5_000 * SECOND / 4), "uuid " + i + " of the last 16 s is a duplicate");
        }
    }

    @Test
    void aBusyNodeGrowsToTheCapacityAndRemembersThatMany() {
        UuidWindow window = new UuidWindow(8192);
        for (int i = 1; i <= 20_000; i++) {
            assertTrue(window.add(9, i, i * SECOND / 10_000)); // 10,000 events a second
        }
        assertEquals(8192, window.generation());
        for (int i = 20_000 - 8191; i <= 20_000; i++) {
            assertFalse(window.add(9, i, 2 * SECOND), "uuid " + i + " among the last 8192 is a duplicate");
        }
    }
}
