package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.MetricBuilders.count;
import static io.transitwatch.daemon.http.MetricBuilders.counter;
import static io.transitwatch.daemon.http.MetricBuilders.seconds;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinCounters.PerPair;
import java.util.List;
import java.util.Map;

/**
 * Thread-safe (stateless): runs on the scraping HTTP thread and only reads {@link JoinCounters}.
 *
 * <p>The verdict counters and the transit-delay histogram per (source node, destination node,
 * family), labelled {@code source_node}, {@code destination_node} and {@code family}.
 */
final class PairMetrics {
    private static final double[] BUCKET_BOUNDS_SECONDS = boundsInSeconds();

    private PairMetrics() {}

    static void collect(DaemonView daemon, MetricSnapshots.Builder out) {
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
        HistogramSnapshot.Builder delay = HistogramSnapshot.builder().name("transitwatch_transit_delay_seconds")
                .help("Transit delay of matched departures, departure to arrival on the daemon's time line.");
        JoinCounters counters = daemon.counters();
        for (int slot = 0, pairs = counters.pairCount(); slot < pairs; slot++) {
            Labels labels = labels(daemon, slot);
            departures.dataPoint(count(counters.pair(slot, PerPair.DEPARTURES), labels));
            matched.dataPoint(count(counters.pair(slot, PerPair.MATCHED), labels));
            lost.dataPoint(count(counters.pair(slot, PerPair.LOST), labels));
            dropped.dataPoint(count(counters.pair(slot, PerPair.DROPPED), labels));
            late.dataPoint(count(counters.pair(slot, PerPair.LATE), labels));
            for (Map.Entry<String, PerPair> reason : ReasonLabels.UNVERIFIED.entrySet()) {
                unverified.dataPoint(count(counters.pair(slot, reason.getValue()), labels.add("reason", reason.getKey())));
            }
            delay.dataPoint(delayHistogram(counters, slot, labels));
        }
        List.of(departures.build(), matched.build(), lost.build(), dropped.build(), late.build(),
                unverified.build(), delay.build()).forEach(out::metricSnapshot);
    }

    private static Labels labels(DaemonView daemon, int slot) {
        JoinCounters counters = daemon.counters();
        return Labels.of("source_node", daemon.nodeName(counters.pairSourceNode(slot)),
                "destination_node", daemon.nodeName(counters.pairDestinationNode(slot)),
                "family", JoinConstants.familyName(counters.pairFamily(slot)));
    }

    /** The join's buckets are not cumulative; the text format writer accumulates them. */
    private static HistogramDataPointSnapshot delayHistogram(JoinCounters counters, int slot, Labels labels) {
        long[] counts = new long[JoinCounters.delayBucketCount()];
        for (int bucket = 0; bucket < counts.length; bucket++) {
            counts[bucket] = counters.pairDelayBucket(slot, bucket);
        }
        return HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(BUCKET_BOUNDS_SECONDS, counts))
                .sum(seconds(counters.pair(slot, PerPair.TRANSIT_NANOS_SUM)))
                .labels(labels)
                .build();
    }

    private static double[] boundsInSeconds() {
        long[] nanos = JoinCounters.DELAY_BUCKETS_NANOS;
        double[] bounds = new double[nanos.length + 1];
        for (int i = 0; i < nanos.length; i++) {
            bounds[i] = seconds(nanos[i]);
        }
        bounds[nanos.length] = Double.POSITIVE_INFINITY;
        return bounds;
    }
}
