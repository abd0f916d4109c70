package io.transitwatch.daemon.replay;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Immutable. What a replay read and what the join made of it, printed at the end of
 * {@code transitwatch replay} ({@link SummaryText}, {@link SummaryJson}).
 *
 * @param files      per capture, in the order given
 * @param nodes      per observing node, by name
 * @param pairs      per (source node, destination node, family) that had departures, by name
 * @param join       every counter of the join ({@code JoinCounters.Global}), lower-case names
 * @param firstEvent event time of the first event replayed, null when there was none
 * @param lastEvent  event time of the last event replayed, null when there was none
 * @param undecided  departures still waiting for a verdict at the end (0 unless the join is broken)
 */
public record ReplaySummary(List<FileSummary> files, List<NodeSummary> nodes, List<PairSummary> pairs,
        Map<String, Long> join, Instant firstEvent, Instant lastEvent, int undecided) {

    /**
     * One capture.
     *
     * @param lines      lines read, blank ones included
     * @param events     Hubble events decoded (flows, lost-event notices, node status changes per node)
     * @param skipped    valid lines without anything for the join, by what they were ({@code agent_event}, ...)
     * @param malformed  lines that were not Hubble events (each reported on stderr with its line number)
     * @param reordered  events that came later than the reorder buffer could wait for, replayed late
     * @param readError  why the capture ended before its end (a truncated gzip stream), null when it did not
     * @param nodeEvents events per observing node
     */
    public record FileSummary(String name, long lines, long events, Map<String, Long> skipped, long malformed,
            long reordered, String readError, Map<String, Long> nodeEvents) {}

    /** One observing node: its events in total and per capture. */
    public record NodeSummary(String node, long events, Map<String, Long> eventsByFile) {}

    /**
     * One node pair and family: how its departures were decided.
     *
     * @param unverified per {@code UnverifiedReason} name, only reasons that occurred
     */
    public record PairSummary(String sourceNode, String destinationNode, String family, long departures,
            long matched, long lost, long dropped, long late, Map<String, Long> unverified) {

        public long unverifiedTotal() {
            return unverified.values().stream().mapToLong(Long::longValue).sum();
        }
    }
}
