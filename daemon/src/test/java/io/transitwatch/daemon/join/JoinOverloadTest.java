package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * Overload as the join sees it (issue #12), asserted on counts: far more departures than the pending
 * table holds, half of their arrivals never delivered because the destination's Hubble ring
 * overflows (it reports lost events), decided in bulk as UNVERIFIED and removed in bulk. No false
 * LOST, every departure decided exactly once, the tables stay within their capacity, and once the
 * load drops the join is back to MATCHED and LOST.
 */
class JoinOverloadTest {
    private static final int CAPACITY = 1024;

    private final JoinHarness join = new JoinHarness(JoinConfig.defaults().withCapacities(CAPACITY, CAPACITY, 256))
            .allUp();
    private int sent;

    @Test
    void overloadSheddingIsUnverifiedNeverLostAndTheJoinRecovers() {
        // Normal load: every departure arrives.
        for (long t = S; t < 2 * S; t += 10 * MS) {
            departAndArrive(t, true);
        }
        join.advance(T0 + 2 * S);
        // Overload for 10 s: 20 departures per ms (far beyond the 1,024 pending slots), every other arrival
        // skipped by Hubble, which reports the loss every 100 ms.
        for (long t = 2 * S; t < 12 * S; t += MS) {
            if (t % (100 * MS) == 0) {
                join.lostEvents("b", T0 + t, 500, T0 + t);
            }
            for (int burst = 0; burst < 20; burst++) {
                departAndArrive(t, burst % 2 == 0);
            }
            join.advance(T0 + t);
            assertTrue(join.engine.pendingCount() <= CAPACITY, "pending within its capacity");
        }
        long overloadSent = sent;
        join.advance(T0 + 40 * S);
        join.counters.publish();
        long matchedAfterOverload = join.counters.get(JoinCounters.Global.MATCHED);
        long unverifiedAfterOverload = join.counters.get(JoinCounters.Global.UNVERIFIED);
        assertAll("overload",
                () -> assertEquals(0, join.counters.get(JoinCounters.Global.LOST), "no false LOST"),
                () -> assertEquals(overloadSent, matchedAfterOverload + unverifiedAfterOverload,
                        "every departure decided once, as MATCHED or UNVERIFIED"),
                () -> assertTrue(unverifiedAfterOverload > overloadSent / 3, "the skipped arrivals' departures: "
                        + unverifiedAfterOverload + " of " + overloadSent),
                () -> assertEquals(0, join.engine.pendingCount(), "nothing left pending"));

        // The load drops, Hubble loses nothing any more: matches match, and a real loss is LOST again.
        for (long t = 41 * S; t < 42 * S; t += 10 * MS) {
            departAndArrive(t, true);
        }
        join.departure("a", "10.0.1.250", 7, "10.0.2.250", 9090).at(T0 + 41 * S + 5 * MS);
        join.advance(T0 + 60 * S);
        assertAll("after the load dropped",
                () -> assertEquals(matchedAfterOverload + 100, join.counters.get(JoinCounters.Global.MATCHED)),
                () -> assertEquals(1, join.counters.get(JoinCounters.Global.LOST)),
                () -> assertEquals(unverifiedAfterOverload, join.counters.get(JoinCounters.Global.UNVERIFIED)));
    }

    /** A SYN from a pod on a to a pod on b at {@code t}, and its arrival 1 ms later when {@code arrives}. */
    private void departAndArrive(long t, boolean arrives) {
        int n = sent++;
        String source = "10.0.1." + (1 + n / 50_000 % 200);
        int port = 1024 + n % 50_000;
        String destination = "10.0.2." + (1 + n % 200);
        join.departure("a", source, port, destination, 9090).at(T0 + t);
        if (arrives) {
            join.arrival("b", source, port, destination, 9090).at(T0 + t + MS);
        }
    }
}
