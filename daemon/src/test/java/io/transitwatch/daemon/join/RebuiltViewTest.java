package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A node's view rebuilt while departures to it wait: its stream reconnects and backfills, Relay
 * resumes it after NODE_ERROR, or its stream starts. Each test feeds the join exactly the events
 * the ingest publishes in that case, in the order it publishes them, and lets the join thread run
 * duty cycles with the hand-off ring drained while the rebuilt stream's events are still on the
 * wire — the moment an independent check caught false LOST alerts (issue #16).
 */
class RebuiltViewTest {
    private static final int DEPARTURES = 5;

    /** a sends SYNs to b, 100 ms apart from {@code start}; b's arrivals of them happen 1 ms later. */
    private static void departures(JoinHarness join, long start, long receiveDelay) {
        for (int i = 0; i < DEPARTURES; i++) {
            long sent = start + i * 100 * MS;
            join.departure("a", "10.0.1.5", 40000 + i, "10.0.2.7", 9090).atWithNow(sent, sent + receiveDelay);
        }
    }

    /** b's arrivals of those SYNs, delivered one millisecond apart from {@code deliveredFrom}. */
    private static void arrivals(JoinHarness join, long start, long deliveredFrom) {
        for (int i = 0; i < DEPARTURES; i++) {
            join.arrival("b", "10.0.1.5", 40000 + i, "10.0.2.7", 9090)
                    .atWithNow(start + i * 100 * MS + MS, deliveredFrom + i * MS);
        }
    }

    /**
     * b's Hubble server breaks at T0 + 2 s; a keeps sending to b in the first half second of the
     * outage. Two refused attempts (backoff 1 s, then 1.6 s), then b is back at T0 + 7.2 s, right among
     * the departures' deadlines (T0 + 7.0 s .. 7.4 s): the ingest publishes NODE_UP (backfilled) on the
     * reconnected stream's first message; the backfill (since = last seen - 2 s) follows.
     */
    private static JoinHarness reconnectedAmongTheDeadlines() {
        JoinHarness join = new JoinHarness().allUp();
        join.streamDown("b", T0 + 2 * S);
        departures(join, T0 + 2 * S, 0);
        join.up("b", T0 + 7200 * MS, true);
        return join;
    }

    @Test
    void shouldWaitForAReconnectsBackfillBeforeDecidingDeparturesToTheNode() {
        JoinHarness join = reconnectedAmongTheDeadlines();
        // The join drains the ring and runs its duty cycle while the backfill is still on the wire.
        join.advance(T0 + 7500 * MS);
        join.advance(T0 + 7700 * MS);
        assertEquals(List.of(), join.verdicts.verdicts, "nothing that waits on b is decided before b's backfill is read");

        arrivals(join, T0 + 2 * S, T0 + 7800 * MS);
        join.unjoinableEvent("b", T0 + 7900 * MS); // live again: the backfill has been read
        join.advance(T0 + 30 * S);

        assertEquals(DEPARTURES, join.verdicts.count("MATCHED a>b"), join.verdicts.verdicts.toString());
        assertEquals(0, join.counters.get(JoinCounters.Global.LOST));
        assertEquals(0, join.counters.get(JoinCounters.Global.UNVERIFIED));
    }

    @Test
    void shouldWaitForRelaysReplayOfANodeBackFromNodeError() {
        JoinHarness join = new JoinHarness().allUp();
        long relayDelay = S; // Relay's sort buffer holds every event about a second
        join.unjoinableEvent("a", T0 + 500 * MS);
        join.arrival("b", "10.0.1.9", 39999, "10.0.2.7", 9090).atWithNow(T0 + 500 * MS, T0 + 500 * MS + relayDelay);
        // Relay reports NODE_ERROR for b; a keeps sending to b.
        join.streamDown("b", T0 + 2 * S + relayDelay);
        departures(join, T0 + 2 * S, relayDelay);
        // Relay re-lists its peers, reaches b again and replays b from the original since: the first
        // replayed event is a duplicate, on which the ingest publishes NODE_UP (backfilled); the
        // duplicates are dropped, so for a while nothing of b reaches the join.
        join.up("b", T0 + 6500 * MS, true);
        join.advance(T0 + 7800 * MS);
        join.advance(T0 + 8600 * MS);
        assertEquals(List.of(), join.verdicts.verdicts, "nothing that waits on b is decided while Relay replays b");

        arrivals(join, T0 + 2 * S, T0 + 8700 * MS);
        join.unjoinableEvent("b", T0 + 8800 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(DEPARTURES, join.verdicts.count("MATCHED a>b"), join.verdicts.verdicts.toString());
        assertEquals(0, join.counters.get(JoinCounters.Global.LOST));
    }

    @Test
    void shouldNotJudgeArrivalsFromBeforeAStartingStreamFirstDelivered() {
        JoinHarness join = new JoinHarness();
        join.up("a", T0, false);
        join.unjoinableEvent("a", T0);
        // Relay's NODE_CONNECTED names b before Relay's own stream to b delivers anything: b's
        // stream really starts at T0 + 1.5 s, so its arrivals before then never reach us.
        join.up("b", T0 + S, false);
        departures(join, T0 + S + 100 * MS, 0);
        join.advance(T0 + 6800 * MS);
        join.unjoinableEvent("b", T0 + 1500 * MS); // b's first event, at last
        // from here on b's arrivals are delivered
        join.departure("a", "10.0.1.5", 41000, "10.0.2.7", 9090).at(T0 + 2 * S);
        join.arrival("b", "10.0.1.5", 41000, "10.0.2.7", 9090).at(T0 + 2 * S + MS);
        join.advance(T0 + 30 * S);

        assertEquals(DEPARTURES, join.verdicts.count("UNVERIFIED(NO_OBSERVER) a>b"), join.verdicts.verdicts.toString());
        assertEquals(1, join.verdicts.count("MATCHED a>b"));
        assertEquals(0, join.counters.get(JoinCounters.Global.LOST));
    }

    @Test
    void shouldStopWaitingForABackfillAfterTheCatchUpLimitWithoutDeclaringTheOutageLost() {
        JoinHarness join = reconnectedAmongTheDeadlines();
        // b's backfill never shows up and b stays silent: past the catch-up limit (5 s) the outage is
        // unknown, not covered.
        join.advance(T0 + 12300 * MS);
        join.departure("a", "10.0.1.5", 41000, "10.0.2.7", 9090).at(T0 + 13 * S);
        join.advance(T0 + 30 * S);

        assertEquals(DEPARTURES, join.verdicts.count("UNVERIFIED(OBSERVER_DOWN) a>b"), join.verdicts.verdicts.toString());
        assertEquals(List.of("LOST a>b IPv4 SYN 41000>9090 attempts=1"),
                join.verdicts.verdicts.stream().filter(v -> !v.startsWith("UNVERIFIED")).toList(),
                "a departure after the wait is judged from b's idle watermark again");
    }
}
