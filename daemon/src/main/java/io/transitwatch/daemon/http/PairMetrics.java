package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.MetricBuilders.count;
import static io.transitwatch.daemon.http.MetricBuilders.counter;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinCounters.PerPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Thread-safe: scrapes run on HTTP threads and are serialised on this object's lock (the state is
 * what the previous scrape saw); only reads {@link JoinCounters}.
 *
 * <p>The verdict counters per (source node, destination node, family), labelled {@code source_node},
 * {@code destination_node} and {@code family}, with a bounded number of series whatever the cluster
 * size (ADR 0010): while at most {@link #MAX_EXPORTED_PAIRS} pairs are active, every pair is
 * exported; beyond that, only the pairs whose loss, drops, late arrivals or unverified departures
 * rose within {@link #RECENT_PROBLEM_NANOS}, at most {@link #MAX_EXPORTED_PAIRS} of them, those with
 * the most lost, dropped or late verdicts first, then those with the most unverified ones. A healthy
 * pair of a big cluster is visible through the per-node series ({@link NodeVerdictMetrics}) and the
 * web page, not as series of its own.
 */
final class PairMetrics {
    /** Most pairs exported per scrape: {@value} pairs × {@link #SERIES_PER_PAIR} series. */
    static final int MAX_EXPORTED_PAIRS = 200;
    /** departures, matched, lost, dropped, late, and unverified by each reason. */
    static final int SERIES_PER_PAIR = 5 + ReasonLabels.UNVERIFIED.size();
    /** How long a pair stays exported (in a big cluster) after its problem counts last rose. */
    static final long RECENT_PROBLEM_NANOS = TimeUnit.MINUTES.toNanos(15);

    private final LongSupplier nanoTime;
    private long[] problemsSeen = new long[0];
    private long[] problemsRoseAt = new long[0];
    private int[] destinationSeen = new int[0];

    PairMetrics(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
    }

    synchronized void collect(DaemonView daemon, MetricSnapshots.Builder out) {
        CounterSnapshot.Builder departures = counter("transitwatch_departures",
                "Departures joined: packets the source node reported sent toward a pod on the destination node.");
        CounterSnapshot.Builder matched = counter("transitwatch_matched",
                "Departures whose arrival the destination node reported within the window.");
        CounterSnapshot.Builder lost = counter("transitwatch_lost",
                "Departures lost in transit: never reported at the destination while its observer was healthy.");
        CounterSnapshot.Builder dropped = counter("transitwatch_dropped",
                "Departures that arrived and were dropped at the destination (DROPPED_AT_DESTINATION).");
        CounterSnapshot.Builder late = counter("transitwatch_late",
                "Arrivals seen after their departure had been declared lost (the loss alert is resolved).");
        CounterSnapshot.Builder unverified = counter("transitwatch_unverified",
                "Departures that could not be decided because the destination's view was incomplete, by reason.");
        JoinCounters counters = daemon.counters();
        for (int slot : exported(counters)) {
            Labels labels = labels(daemon, slot);
            departures.dataPoint(count(counters.pair(slot, PerPair.DEPARTURES), labels));
            matched.dataPoint(count(counters.pair(slot, PerPair.MATCHED), labels));
            lost.dataPoint(count(counters.pair(slot, PerPair.LOST), labels));
            dropped.dataPoint(count(counters.pair(slot, PerPair.DROPPED), labels));
            late.dataPoint(count(counters.pair(slot, PerPair.LATE), labels));
            for (Map.Entry<String, PerPair> reason : ReasonLabels.UNVERIFIED.entrySet()) {
                unverified.dataPoint(count(counters.pair(slot, reason.getValue()), labels.add("reason", reason.getKey())));
            }
        }
        List.of(departures.build(), matched.build(), lost.build(), dropped.build(), late.build(),
                unverified.build()).forEach(out::metricSnapshot);
    }

    /** The slots to export, in slot order. */
    private List<Integer> exported(JoinCounters counters) {
        int slots = counters.pairCount();
        long now = nanoTime.getAsLong();
        List<Integer> inUse = new ArrayList<>();
        List<Integer> troubled = new ArrayList<>();
        grow(slots);
        for (int slot = 0; slot < slots; slot++) {
            if (!counters.pairInUse(slot)) {
                continue;
            }
            inUse.add(slot);
            long problems = problems(counters, slot);
            int destination = counters.pairDestinationNode(slot);
            if (destinationSeen[slot] != destination || problems < problemsSeen[slot]) {
                // The slot counts another pair now (recycled): start over.
                problemsSeen[slot] = 0;
                destinationSeen[slot] = destination;
                problemsRoseAt[slot] = Long.MIN_VALUE;
            }
            if (problems > problemsSeen[slot]) {
                problemsSeen[slot] = problems;
                problemsRoseAt[slot] = now;
            }
            if (problemsRoseAt[slot] != Long.MIN_VALUE && now - problemsRoseAt[slot] <= RECENT_PROBLEM_NANOS) {
                troubled.add(slot);
            }
        }
        if (inUse.size() <= MAX_EXPORTED_PAIRS) {
            return inUse;
        }
        if (troubled.size() > MAX_EXPORTED_PAIRS) {
            // loss first: a pair that lost packets is never hidden behind pairs whose views were only incomplete
            troubled.sort(Comparator.comparingLong((Integer slot) -> -verdictProblems(counters, slot))
                    .thenComparingLong(slot -> -problemsSeen[slot]).thenComparingInt(s -> s));
            troubled = new ArrayList<>(troubled.subList(0, MAX_EXPORTED_PAIRS));
            troubled.sort(null);
        }
        return troubled;
    }

    private void grow(int slots) {
        if (slots > problemsSeen.length) {
            int length = Math.max(slots, problemsSeen.length * 2);
            problemsSeen = Arrays.copyOf(problemsSeen, length);
            int from = problemsRoseAt.length;
            problemsRoseAt = Arrays.copyOf(problemsRoseAt, length);
            Arrays.fill(problemsRoseAt, from, length, Long.MIN_VALUE);
            destinationSeen = Arrays.copyOf(destinationSeen, length);
        }
    }

    /** Lost, dropped and late verdicts: what the packets did, not what the join could not tell. */
    private static long verdictProblems(JoinCounters counters, int slot) {
        return counters.pair(slot, PerPair.LOST) + counters.pair(slot, PerPair.DROPPED)
                + counters.pair(slot, PerPair.LATE);
    }

    private static long problems(JoinCounters counters, int slot) {
        long sum = verdictProblems(counters, slot);
        for (PerPair reason : ReasonLabels.ALL_UNVERIFIED) {
            sum += counters.pair(slot, reason);
        }
        return sum;
    }

    private static Labels labels(DaemonView daemon, int slot) {
        JoinCounters counters = daemon.counters();
        return Labels.of("source_node", daemon.nodeName(counters.pairSourceNode(slot)),
                "destination_node", daemon.nodeName(counters.pairDestinationNode(slot)),
                "family", JoinConstants.familyName(counters.pairFamily(slot)));
    }
}
