package io.transitwatch.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.incident.RoundTripTally.Reading;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * The round-trip panel's answers with the matrix's honesty (ADR 0008): a failure stands, a client
 * node not watched during the window makes its rows unknown (never "answered"), and counts are those
 * of the window.
 */
class RoundTripViewTest {
    private static final long SECOND = 1_000_000_000L;

    @Test
    void failuresStandAnsweredIsOkAndNothingIsIdle() {
        PairHistory history = new PairHistory(60 * SECOND);
        List<Reading> before = List.of(apiserver("solwk01", "IPv6", 0, 0), apiserver("solwk01", "IPv4", 10, 0),
                apiserver("solwk02", "IPv4", 5, 0));
        history.record(0, List.of(), nodes(watched("solwk01"), watched("solwk02")), before);
        List<Reading> now = List.of(apiserver("solwk01", "IPv6", 0, 38), apiserver("solwk01", "IPv4", 30, 0),
                apiserver("solwk02", "IPv4", 5, 0));

        List<RoundTripView.Row> rows = rows(now, history, nodes(watched("solwk01"), watched("solwk02")), 30);
        assertEquals(RoundTripView.NO_REPLY, rows.get(0).state());
        assertEquals(38, rows.get(0).recent().noReply());
        assertEquals(RecentView.OK, rows.get(1).state());
        assertEquals(20, rows.get(1).recent().answered(), "the window's counts, not those since start");
        assertEquals(RecentView.IDLE, rows.get(2).state(), "no attempt in the window");
        assertNull(rows.get(2).unknownReason());
    }

    @Test
    void aClientNodeNotWatchedInTheWindowCannotVouchForItsAnswers() {
        PairHistory history = new PairHistory(60 * SECOND);
        history.record(0, List.of(), nodes(watched("solwk01")), List.of(apiserver("solwk01", "IPv6", 0, 0)));
        history.record(5 * SECOND, List.of(), nodes(down("solwk01", "stream down")),
                List.of(apiserver("solwk01", "IPv6", 3, 0)));
        List<Reading> now = List.of(apiserver("solwk01", "IPv6", 9, 0));

        RoundTripView.Row row = rows(now, history, nodes(watched("solwk01")), 20).get(0);
        assertEquals(RecentView.UNKNOWN, row.state());
        assertTrue(row.unknownReason().startsWith("client node solwk01 not watched: was down (stream down)"),
                row.unknownReason());

        RoundTripView.Row failing = rows(List.of(apiserver("solwk01", "IPv6", 9, 2)), history,
                nodes(down("solwk01", "stream down")), 20).get(0);
        assertEquals(RoundTripView.NO_REPLY, failing.state(), "a NO_REPLY needed a complete view: it stands");
    }

    @Test
    void unverifiedAttemptsAloneAreUnknown() {
        PairHistory history = new PairHistory(60 * SECOND);
        Reading unverified = new Reading("solwk01", "world", false, "IPv4", 0, 0, 0, 4);
        RoundTripView.Row row = rows(List.of(unverified), history, nodes(watched("solwk01")), 1).get(0);
        assertEquals(RecentView.UNKNOWN, row.state());
        assertEquals("4 attempts unverified, none judged", row.unknownReason());
    }

    @Test
    void metricsExportEveryKeyUpToTheBoundThenOnlyFailingOnes() {
        List<Reading> few = List.of(apiserver("a", "IPv4", 1, 0), apiserver("b", "IPv4", 1, 0));
        assertEquals(few, RoundTripMetrics.exported(few));

        List<Reading> many = new ArrayList<>();
        IntStream.range(0, RoundTripMetrics.MAX_KEYS + 50).forEach(i -> many.add(apiserver("n" + i, "IPv4", 7, 0)));
        many.add(apiserver("broken", "IPv6", 0, 5));
        many.add(new Reading("blind", "world", false, "IPv4", 0, 0, 0, 3));
        List<Reading> exported = RoundTripMetrics.exported(many);
        assertEquals(List.of("broken", "blind"), exported.stream().map(Reading::source).toList());

        List<Reading> allFailing = new ArrayList<>();
        IntStream.range(0, RoundTripMetrics.MAX_KEYS + 50).forEach(i -> allFailing.add(apiserver("n" + i, "IPv4", 0, i)));
        List<Reading> bounded = RoundTripMetrics.exported(allFailing);
        assertEquals(RoundTripMetrics.MAX_KEYS, bounded.size());
        assertEquals(RoundTripMetrics.MAX_KEYS + 49, bounded.get(0).noReply(), "most failures first");
    }

    private static List<RoundTripView.Row> rows(List<Reading> now, PairHistory history, Map<String, NodeReading> nodes,
            long atSeconds) {
        RecentView view = RecentView.of(List.of(), nodes, history, atSeconds * SECOND);
        return RoundTripView.of(now, view, history, atSeconds * SECOND);
    }

    private static Reading apiserver(String source, String family, long answered, long noReply) {
        return new Reading(source, "kube-apiserver", false, family, answered, noReply, 0, 0);
    }

    private static NodeReading watched(String name) {
        return new NodeReading(name, NodeReading.WATCHED, null, 0, 0, 0);
    }

    private static NodeReading down(String name, String reason) {
        return new NodeReading(name, NodeReading.DOWN, reason, 1, 0, 0);
    }

    private static Map<String, NodeReading> nodes(NodeReading... readings) {
        return List.of(readings).stream().collect(Collectors.toMap(NodeReading::name, Function.identity()));
    }
}
