package io.transitwatch.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The page's three answers (healthy, loss, cannot tell) from counters and node readings: a cell
 * whose destination was not watched during the window is unknown, never green; loss stands; the
 * coverage counts judged departures over decided ones.
 */
class RecentViewTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void aDestinationDownNowMakesItsCellsUnknownButLossStands() {
        PairHistory history = new PairHistory(60 * SECOND);
        history.record(0, List.of(pair(0, "a", "b", 0, 0, 0), pair(1, "c", "b", 0, 0, 0), pair(2, "a", "c", 0, 0, 0)),
                nodes(watched("a"), watched("b"), watched("c")));
        RecentView view = RecentView.of(
                List.of(pair(0, "a", "b", 100, 0, 0), pair(1, "c", "b", 10, 3, 0), pair(2, "a", "c", 50, 0, 0)),
                nodes(watched("a"), down("b", "stream down: UNAVAILABLE"), watched("c")), history, 30 * SECOND);

        RecentView.Cell toB = view.cells().get(0);
        assertEquals(RecentView.UNKNOWN, toB.state(), "100 matched, but b is not watched now");
        assertEquals("destination b not watched: stream down: UNAVAILABLE", toB.unknownReason());
        assertEquals(RecentView.LOSS, view.cells().get(1).state(), "a judged loss needs a complete view: it stands");
        assertNull(view.cells().get(1).unknownReason());
        assertEquals(RecentView.OK, view.cells().get(2).state());
        assertEquals(2, view.watchedNodes());
        assertEquals(1.0, view.coverage(), "every decided departure was judged");
    }

    @Test
    void aDestinationDownEarlierInTheWindowStaysUnknownUntilTheWindowPasses() {
        PairHistory history = new PairHistory(60 * SECOND);
        history.record(0, List.of(pair(0, "a", "b", 0, 0, 0)), nodes(watched("a"), watched("b")));
        history.record(5 * SECOND, List.of(pair(0, "a", "b", 0, 0, 0)), nodes(watched("a"), down("b", "stream down")));
        history.record(10 * SECOND, List.of(pair(0, "a", "b", 0, 0, 0)), nodes(watched("a"), watched("b")));
        List<PairReading> now = List.of(pair(0, "a", "b", 40, 0, 2));

        RecentView during = RecentView.of(now, nodes(watched("a"), watched("b")), history, 20 * SECOND);
        assertEquals(RecentView.UNKNOWN, during.cells().get(0).state());
        assertTrue(during.nodes().get("b").recentProblem().startsWith("was down (stream down) in the last 20 s"),
                during.nodes().get("b").recentProblem());
        assertFalse(during.nodes().get("b").complete());
        assertTrue(during.nodes().get("b").now().watched());
        assertEquals(40.0 / 42, during.coverage(), 1e-9);

        history.record(70 * SECOND, now, nodes(watched("a"), watched("b")));
        RecentView after = RecentView.of(now, nodes(watched("a"), watched("b")), history, 71 * SECOND);
        assertEquals(RecentView.IDLE, after.cells().get(0).state(), "the outage left the window; nothing new was sent");
        assertTrue(after.nodes().get("b").complete());
        assertNull(after.coverage(), "no departure decided in the window: nothing to judge");
    }

    @Test
    void countersThatMovedInTheWindowShowHolesBetweenSamples() {
        PairHistory history = new PairHistory(60 * SECOND);
        history.record(0, List.of(pair(0, "a", "b", 0, 0, 0)), nodes(watched("a"), watched("b")));
        NodeReading bWithHoles = new NodeReading("b", NodeReading.WATCHED, null, 1, 2, 30);
        RecentView view = RecentView.of(List.of(pair(0, "a", "b", 9, 0, 0)), nodes(watched("a"), bWithHoles),
                history, 10 * SECOND);
        assertEquals(RecentView.UNKNOWN, view.cells().get(0).state());
        assertEquals("stream went down once; 2 gaps backfill could not cover; Hubble lost 30 events in the last 10 s",
                view.nodes().get("b").recentProblem());
    }

    @Test
    void aSourceNotWatchedLeavesCellsWithoutJudgedDeparturesUnknown() {
        PairHistory history = new PairHistory(60 * SECOND);
        RecentView view = RecentView.of(List.of(pair(0, "a", "b", 0, 0, 0), pair(1, "a", "c", 7, 0, 0)),
                nodes(notDelivered("a"), watched("b"), watched("c")), history, SECOND);
        assertEquals(RecentView.UNKNOWN, view.cells().get(0).state(), "a may have sent what never reached us");
        assertEquals("source a not watched: connected, no event delivered yet", view.cells().get(0).unknownReason());
        assertEquals(RecentView.OK, view.cells().get(1).state(), "what a's stream did deliver all arrived");
    }

    @Test
    void departuresWaitingOnADestinationDownCountAgainstCoverage() {
        PairReading toDown = new PairReading(0, "a", "b", "IPv4", 10, 4, 0, 0, 0, 0);
        PairReading toWatched = new PairReading(1, "a", "c", "IPv4", 10, 4, 0, 0, 0, 0);
        RecentView view = RecentView.of(List.of(toDown, toWatched), nodes(watched("a"), down("b", "stream down"),
                watched("c")), new PairHistory(60 * SECOND), SECOND);
        assertEquals(6, view.waitingOnUnwatched(), "only the departures to b wait on an outage");
        assertEquals(8, view.judged());
        assertEquals(8.0 / 14, view.coverage(), 1e-9);
    }

    @Test
    void unverifiedDeparturesWithNothingJudgedCannotBeTold() {
        PairHistory history = new PairHistory(60 * SECOND);
        RecentView view = RecentView.of(List.of(pair(0, "a", "b", 0, 0, 4)), nodes(watched("a"), watched("b")),
                history, SECOND);
        assertEquals(RecentView.UNKNOWN, view.cells().get(0).state());
        assertEquals("4 departures unverified, none judged", view.cells().get(0).unknownReason());
        assertEquals(0.0, view.coverage());
    }

    @Test
    void aNodeOnlyAFlowNamedIsNotWatched() {
        RecentView view = RecentView.of(List.of(pair(0, "a", "x", 3, 0, 0)), nodes(watched("a")),
                new PairHistory(60 * SECOND), SECOND);
        assertEquals(RecentView.UNKNOWN, view.cells().get(0).state());
        assertEquals(NodeReading.NOT_DELIVERED, view.nodes().get("x").now().state());
        assertEquals(1, view.watchedNodes());
        assertEquals(2, view.nodes().size());
    }

    private static PairReading pair(int slot, String source, String destination, long matched, long lost, long unverified) {
        return new PairReading(slot, source, destination, "IPv4", matched + lost + unverified, matched, lost, 0, 0,
                unverified);
    }

    private static NodeReading watched(String name) {
        return new NodeReading(name, NodeReading.WATCHED, null, 0, 0, 0);
    }

    private static NodeReading down(String name, String reason) {
        return new NodeReading(name, NodeReading.DOWN, reason, 1, 0, 0);
    }

    private static NodeReading notDelivered(String name) {
        return new NodeReading(name, NodeReading.NOT_DELIVERED, "connected, no event delivered yet", 0, 0, 0);
    }

    private static Map<String, NodeReading> nodes(NodeReading... readings) {
        return List.of(readings).stream().collect(Collectors.toMap(NodeReading::name, Function.identity()));
    }
}
