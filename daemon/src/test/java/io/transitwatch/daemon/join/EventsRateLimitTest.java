package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The ingest's lost-events report for a node near its BPF events rate limit
 * ({@link NodeEvent#LOST_SOURCE_EVENTS_RATE_LIMIT}): its span is on the daemon's clock, not the node's.
 */
class EventsRateLimitTest {
    private final JoinHarness join = new JoinHarness();

    @Test
    void departuresWhoseWindowMeetsTheSpanAreUnverifiedAndLaterOnesLost() {
        join.allUp();
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.rateLimited("b", T0 + 2 * S, T0 + 4 * S, T0 + 4 * S);
        join.departure("a", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + 20 * S);
        join.advance(T0 + 40 * S);

        assertEquals(List.of("UNVERIFIED(LOST_EVENTS) a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void theSpanIsTakenOnTheDaemonsClockWhateverTheNodesClockSays() {
        // b's clock runs 30 s behind: read on b's clock, the span would cover the later departure instead
        long behind = 30 * S;
        join.up("a", T0, false);
        join.unjoinableEvent("a", T0);
        join.up("b", T0, false);
        join.unjoinableEvent("b", T0 - behind, T0);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.rateLimited("b", T0 + S, T0 + 2 * S, T0 + 2 * S);
        join.departure("a", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + 31 * S);
        for (long t = T0 + S; t <= T0 + 60 * S; t += S) {
            join.unjoinableEvent("b", t - behind, t);
        }
        join.advance(T0 + 60 * S);

        assertEquals(List.of("UNVERIFIED(LOST_EVENTS) a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void nothingOfALimitedNodeIsDecidedPastItsLatestCount() {
        join.allUp();
        join.eventsCounted("b", Long.MIN_VALUE, T0);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        for (long t = T0 + S; t <= T0 + 12 * S; t += S) {
            join.unjoinableEvent("b", t);
        }
        join.advance(T0 + 12 * S);
        assertEquals(List.of(), join.verdicts.verdicts, "no count yet: its arrival may still be reported as dropped");

        join.eventsCounted("b", T0 + 12 * S, T0 + 12 * S);
        join.advance(T0 + 12 * S);
        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts,
                "counted past its window, and near the limit nowhere");
    }

    @Test
    void aLimitedNodeWhoseCountsStopIsBehindNeverLost() {
        join.allUp();
        join.eventsCounted("b", T0, T0);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        for (long t = T0 + S; t <= T0 + 120 * S; t += S) {
            join.unjoinableEvent("b", t);
            join.advance(t);
        }

        assertEquals(List.of("UNVERIFIED(BEHIND) a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void aNodeNoLongerWatchedIsDecidedAsAnyOther() {
        join.allUp();
        join.eventsCounted("b", T0, T0);
        join.eventsCounted("b", Long.MAX_VALUE, T0);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        for (long t = T0 + S; t <= T0 + 12 * S; t += S) {
            join.unjoinableEvent("b", t);
        }
        join.advance(T0 + 12 * S);

        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void anArrivalPastTheWindowDecidesNothingLostWhereTheCountsHaveNotReached() {
        join.allUp();
        join.eventsCounted("b", T0, T0);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        // 50 ms past the window: decided at once, as time would have; b's counts have not reached it
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 6 * S + 50 * MS);

        assertEquals(List.of("UNVERIFIED(LOST_EVENTS) a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }
}
