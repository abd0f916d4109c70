package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * What a node's Hubble event counts tell the join about its BPF events rate limit: the spans that may
 * have dropped events (LOST_EVENTS, daemon clock) and up to when the node is judged (EVENTS_COUNTED).
 */
class EventRateWatchTest {
    private static final long S = 1_000_000_000L;
    private static final long T0 = 1_700_000_000L * S;
    private static final long M = EventRateWatch.MARGIN_NANOS;
    private static final int NODE = 7;
    private static final long LIMIT = 1_000;
    private static final long ANSWER = 10_000_000L;

    private final ManualClock clock = new ManualClock(T0);
    private final HandoffRing ring = new HandoffRing(64, clock);
    private final EventRateWatch watch = new EventRateWatch(clock, new StringDictionary(16), ring);

    @Test
    void aNewlyLimitedNodeIsHeldUntilItsFirstCountWhichLeavesEverythingBeforeItUnknown() {
        watch.limits(Map.of(NODE, LIMIT));
        assertEquals(List.of("counted " + Long.MIN_VALUE), drain(), "nothing of it is decided before a count");
        assertFalse(watch.limited(3));
        assertEquals(List.of(), watch.judge(3, 1_000_000, 0, T0, T0), "a node without a limit");

        assertEquals(List.of(lost(0, T0), "counted " + T0), describe(judge(0, T0)));
        // no count a second before the interval's start bounds its seconds yet
        assertEquals(List.of(lost(T0, T0 + 2 * S), "counted " + (T0 + 2 * S)), describe(judge(100, T0 + 2 * S)));
        assertEquals(List.of("counted " + (T0 + 4 * S)), describe(judge(200, T0 + 4 * S)));
    }

    @Test
    void aNodeWellUnderItsLimitIsClearAndOneNearItIsSuspect() {
        watch.limits(Map.of(NODE, LIMIT));
        long seen = 0;
        judge(seen, T0);
        judge(seen += 400, T0 + 2 * S);
        // 400 + 400 events in the four seconds since the count before this interval: under 0.9 x 999
        assertEquals(List.of("counted " + (T0 + 4 * S)), describe(judge(seen += 400, T0 + 4 * S)));
        // 400 + 900 since the count before this interval: one of its seconds may have let 999 through
        assertEquals(List.of(lost(T0 + 4 * S, T0 + 6 * S), "counted " + (T0 + 6 * S)),
                describe(judge(seen += 900, T0 + 6 * S)));
        // the burst may have come at the end of the last interval: a second reaching into this one holds it
        assertEquals(List.of(lost(T0 + 6 * S, T0 + 8 * S), "counted " + (T0 + 8 * S)),
                describe(judge(seen += 10, T0 + 8 * S)));
        assertEquals(List.of("counted " + (T0 + 10 * S)), describe(judge(seen += 10, T0 + 10 * S)));
    }

    @Test
    void aHubbleThatRestartedLeavesEverythingBeforeItsCountUnknown() {
        watch.limits(Map.of(NODE, LIMIT));
        judge(5_000, 60 * S, T0);
        judge(5_010, 62 * S, T0 + 2 * S);
        assertEquals(List.of("counted " + (T0 + 4 * S)), describe(judge(5_020, 64 * S, T0 + 4 * S)));

        assertEquals(List.of(lost(0, T0 + 6 * S), "counted " + (T0 + 6 * S)), describe(judge(3, 0, T0 + 6 * S)),
                "its count began again");
        judge(10, 0, T0 + 8 * S);
        judge(20, 0, T0 + 10 * S);
        assertEquals(List.of(lost(0, T0 + 12 * S), "counted " + (T0 + 12 * S)),
                describe(judge(6_000, S, T0 + 12 * S)), "more than before, but counted since a second ago");
    }

    @Test
    void aFailedPollLeavesTheTimeSinceTheLastCountUnknownUntilTheNextOne() {
        watch.limits(Map.of(NODE, LIMIT));
        judge(0, T0);
        assertEquals(List.of(lost(T0, T0 + 6 * S), "counted " + (T0 + 6 * S)),
                describe(watch.unknownFor(NODE, 4 * S, T0 + 2 * S)));
        assertEquals(List.of(), watch.unknownFor(3, 4 * S, T0 + 2 * S), "a node without a limit");
    }

    @Test
    void anAnswerOvertakenByALaterOneIsIgnored() {
        watch.limits(Map.of(NODE, LIMIT));
        judge(0, T0);
        judge(100, T0 + 2 * S);
        assertEquals(List.of(), watch.judge(NODE, 50, 0, T0 + S, T0 + 3 * S), "asked before the one taken");
    }

    @Test
    void aServerThatSaidNothingLeavesTheTimeSinceTheLastCountUnknown() {
        watch.limits(Map.of(NODE, LIMIT));
        judge(500, 10 * S, T0);
        assertEquals(List.of(lost(T0, T0 + 2 * S), "counted " + (T0 + 2 * S)),
                describe(watch.judge(NODE, 0, 0, T0 + 2 * S, T0 + 2 * S + ANSWER)));
    }

    @Test
    void aSlowAnswerJudgesOnlyUpToItsAskingAndTheNextStartsFromThere() {
        watch.limits(Map.of(NODE, LIMIT));
        judge(0, T0);
        judge(0, T0 + S);
        judge(0, T0 + 2 * S);
        // answered 1.5 s after it was asked: the join may decide only up to its asking
        assertEquals(List.of("counted " + (T0 + 3 * S)),
                describe(watch.judge(NODE, 100, 200 * S, T0 + 3 * S, T0 + 4 * S + S / 2)));
        assertEquals(List.of(lost(T0 + 3 * S, T0 + 4 * S), "counted " + (T0 + 4 * S)),
                describe(judge(1_000, T0 + 4 * S)), "1,000 since the count answered a second before T0 + 3 s");
    }

    @Test
    void aHigherOrRemovedLimitWaitsForTheNodesRestartALowerOneApplies() {
        watch.limits(Map.of(NODE, LIMIT));
        drain();
        judge(0, 60 * S, T0);
        judge(0, 62 * S, T0 + 2 * S);
        watch.limits(Map.of());
        assertTrue(watch.limited(NODE), "the agent still runs the limit it started with");
        assertEquals(List.of(lost(T0 + 2 * S, T0 + 4 * S), "counted " + (T0 + 4 * S)),
                describe(judge(1_000, 64 * S, T0 + 4 * S)), "still judged by the old limit");

        assertEquals(List.of(lost(0, T0 + 6 * S), "counted " + Long.MAX_VALUE), describe(judge(10, S, T0 + 6 * S)),
                "restarted without it: the join stops waiting for counts");
        assertFalse(watch.limited(NODE));

        watch.limits(Map.of(NODE, LIMIT));
        assertEquals(List.of("counted " + Long.MIN_VALUE), drain(), "limited again");
        watch.limits(Map.of(NODE, 10L));
        assertEquals(List.of(lost(0, T0 + 8 * S), "counted " + (T0 + 8 * S)), describe(judge(20, 2 * S, T0 + 8 * S)),
                "a first count again");
        judge(20, 4 * S, T0 + 10 * S);
        assertEquals(List.of(lost(T0 + 10 * S, T0 + 12 * S), "counted " + (T0 + 12 * S)),
                describe(judge(30, 6 * S, T0 + 12 * S)), "10 events near a limit of 10");
    }

    /** A count of a Hubble up since 100 s before T0. */
    private List<ControlEvent> judge(long seen, long now) {
        return judge(seen, now - T0 + 100 * S, now);
    }

    /** A count asked at {@code now} and answered 10 ms later. */
    private List<ControlEvent> judge(long seen, long uptime, long now) {
        return watch.judge(NODE, seen, uptime, now, now + ANSWER);
    }

    private static String lost(long from, long to) {
        return "lost " + (from - M) + ".." + (to + M);
    }

    private static List<String> describe(List<ControlEvent> events) {
        List<String> described = new ArrayList<>();
        for (ControlEvent event : events) {
            assertEquals(NODE, event.node());
            described.add(event.kind() == NodeEvent.LOST_EVENTS ? "lost " + event.gapStartNanos() + ".." + event.gapEndNanos()
                    : "counted " + event.timeNanos());
        }
        return described;
    }

    /** What the watch published into the ring itself (holds for newly limited nodes). */
    private List<String> drain() {
        List<String> published = new ArrayList<>();
        ring.poll((event, endOfBatch) -> published.add("counted " + event.timeNanos), Integer.MAX_VALUE);
        return published;
    }
}
