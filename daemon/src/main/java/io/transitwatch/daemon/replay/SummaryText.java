package io.transitwatch.daemon.replay;

import java.io.PrintStream;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Stateless. The summary of {@code transitwatch replay --format text}, printed after the alerts:
 *
 * <pre>
 * replay: 2 captures, 20 lines, 20 events (0 skipped, 0 malformed), event time 2026-02-11T22:17:30Z .. 2026-02-11T22:17:36Z
 * captures:
 *   solwk03.json: 10 lines, 10 events, 0 skipped, 0 malformed
 * nodes (events, by capture):
 *   solwk03: 10 (solwk03.json 10)
 * pairs (source node -> destination node, family: departures, matched, lost, unverified by reason):
 *   solwk03 -> solwk02 IPv6: 4 departures, 0 matched, 3 lost, 0 dropped, 0 late, 1 unverified (OBSERVER_DOWN 1)
 * join: 20 flows, 4 departures, 6 arrivals, 0 matched, 3 lost in transit, 0 dropped at destination, 0 late, 1 unverified
 * ignored flows: 10 observation point, 0 not join-safe, 0 same node, 0 unresolved destination, 0 excluded identity
 * </pre>
 */
public final class SummaryText {
    private SummaryText() {}

    public static void print(ReplaySummary summary, PrintStream out) {
        long lines = summary.files().stream().mapToLong(ReplaySummary.FileSummary::lines).sum();
        long events = summary.files().stream().mapToLong(ReplaySummary.FileSummary::events).sum();
        long skipped = summary.files().stream().mapToLong(f -> total(f.skipped())).sum();
        long malformed = summary.files().stream().mapToLong(ReplaySummary.FileSummary::malformed).sum();
        out.printf("replay: %d captures, %d lines, %d events (%d skipped, %d malformed)%s%n", summary.files().size(),
                lines, events, skipped, malformed, summary.firstEvent() == null ? ", no event"
                        : ", event time " + summary.firstEvent() + " .. " + summary.lastEvent());
        out.println("captures:");
        for (ReplaySummary.FileSummary file : summary.files()) {
            out.printf("  %s: %d lines, %d events, %d skipped%s, %d malformed%s%s%n", file.name(), file.lines(),
                    file.events(), total(file.skipped()), file.skipped().isEmpty() ? "" : " (" + counts(file.skipped()) + ")",
                    file.malformed(), file.reordered() == 0 ? "" : ", " + file.reordered() + " replayed late (out of "
                            + "order beyond the reorder buffer)", file.readError() == null ? ""
                            : ", ended early: " + file.readError());
        }
        out.println("nodes (events, by capture):");
        for (ReplaySummary.NodeSummary node : summary.nodes()) {
            out.printf("  %s: %d (%s)%n", node.node(), node.events(), counts(node.eventsByFile()));
        }
        out.println("pairs (source node -> destination node, family: departures, matched, lost, unverified by reason):");
        if (summary.pairs().isEmpty()) {
            out.println("  none: no departure had a destination on another known node");
        }
        for (ReplaySummary.PairSummary pair : summary.pairs()) {
            out.printf("  %s -> %s %s: %d departures, %d matched, %d lost, %d dropped, %d late, %d unverified%s%n",
                    pair.sourceNode(), pair.destinationNode(), pair.family(), pair.departures(), pair.matched(),
                    pair.lost(), pair.dropped(), pair.late(), pair.unverifiedTotal(),
                    pair.unverified().isEmpty() ? "" : " (" + counts(pair.unverified()) + ")");
        }
        Map<String, Long> join = summary.join();
        out.printf("join: %d flows, %d departures, %d arrivals, %d matched, %d lost in transit, %d dropped at "
                        + "destination, %d late, %d unverified%s%n", join.get("flows"), join.get("departures"),
                join.get("arrivals"), join.get("matched"), join.get("lost"), join.get("dropped"), join.get("late"),
                join.get("unverified"), summary.undecided() == 0 ? "" : ", " + summary.undecided() + " UNDECIDED");
        out.printf("ignored flows: %d observation point, %d not join-safe, %d same node, %d unresolved destination, "
                        + "%d excluded identity, %d without IP%n", join.get("ignored_observation_point"),
                join.get("ignored_not_join_safe"), join.get("ignored_same_node"),
                join.get("ignored_unresolved_destination"), join.get("ignored_excluded_identity"),
                join.get("ignored_no_ip"));
    }

    private static long total(Map<String, Long> counts) {
        return counts.values().stream().mapToLong(Long::longValue).sum();
    }

    private static String counts(Map<String, Long> counts) {
        return counts.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining(", "));
    }
}
