package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The log of recent uuids stays small for a quiet node, grows to its capacity for a busy one, and keeps the newest. */
class RecentUuidsTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aQuietNodeKeepsASmallLogOfItsNewestUuids() {
        RecentUuids log = new RecentUuids(8192);
        for (int i = 1; i <= 5_000; i++) {
            log.add(7, i, i * SECOND / 4); // 4 events a second: 64 take 16 s, the log never grows
        }
        assertEquals(64, log.size());
        UuidWindow set = log.toSet();
        for (int i = 5_000 - 63; i <= 5_000; i++) {
            assertFalse(set.add(7, i), "uuid " + i + " of the last 16 s is held");
        }
        assertTrue(set.add(7, 5_000 - 64), "older ones were overwritten");
    }

    @Test
    void aBusyNodeGrowsToTheCapacityAndKeepsThatMany() {
        RecentUuids log = new RecentUuids(8192);
        for (int i = 1; i <= 20_000; i++) {
            log.add(9, i, i * SECOND / 10_000); // 10,000 events a second
        }
        assertEquals(8192, log.size());
        UuidWindow set = log.toSet();
        for (int i = 20_000 - 8191; i <= 20_000; i++) {
            assertFalse(set.add(9, i), "uuid " + i + " among the last 8192 is held");
        }
        assertTrue(set.add(9, 20_000 - 8192), "the one before was overwritten");
    }
}
