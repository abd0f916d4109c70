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
import io.transitwatch.daemon.join.JoinCounters.PerNode;
import java.util.List;

/**
 * Thread-safe (stateless): runs on the scraping HTTP thread and only reads {@link JoinCounters}.
 *
 * <p>The verdicts of every node's departures over all destinations, labelled {@code source_node}
 * (always exported, whatever the cluster size: {@link #SERIES_PER_NODE} series a node), and the
 * transit-delay histogram per {@code family} (a fixed number of series: no per-pair histograms, ADR
 * 0010).
 */
final class NodeVerdictMetrics {
    static final int SERIES_PER_NODE = 4;
    private static final double[] BUCKET_BOUNDS_SECONDS = boundsInSeconds();
    private static final int[] FAMILIES = {JoinConstants.FAMILY_IPV4, JoinConstants.FAMILY_IPV6};

    private NodeVerdictMetrics() {}

    static void collect(DaemonView daemon, MetricSnapshots.Builder out) {
        CounterSnapshot.Builder departures = counter("transitwatch_node_departures",
                "Departures joined that this node sent, to any destination node.");
        CounterSnapshot.Builder matched = counter("transitwatch_node_matched",
                "Departures this node sent whose arrival was reported within the window.");
        CounterSnapshot.Builder lost = counter("transitwatch_node_lost",
                "Departures this node sent that were lost in transit, to any destination node.");
        CounterSnapshot.Builder unverified = counter("transitwatch_node_unverified",
                "Departures this node sent that could not be judged (destination's view incomplete).");
        JoinCounters counters = daemon.counters();
        for (int node = 0, nodes = counters.nodeCount(); node < nodes; node++) {
            Labels labels = Labels.of("source_node", daemon.nodeName(counters.nodeId(node)));
            departures.dataPoint(count(counters.node(node, PerNode.SENT_DEPARTURES), labels));
            matched.dataPoint(count(counters.node(node, PerNode.SENT_MATCHED), labels));
            lost.dataPoint(count(counters.node(node, PerNode.SENT_LOST), labels));
            unverified.dataPoint(count(counters.node(node, PerNode.SENT_UNVERIFIED), labels));
        }
        HistogramSnapshot.Builder delay = HistogramSnapshot.builder().name("transitwatch_transit_delay_seconds")
                .help("Transit delay of matched departures, departure to arrival on the daemon's time line, per family.");
        for (int family : FAMILIES) {
            delay.dataPoint(delayHistogram(counters, family));
        }
        List.of(departures.build(), matched.build(), lost.build(), unverified.build(), delay.build())
                .forEach(out::metricSnapshot);
    }

    /** The join's buckets are not cumulative; the text format writer accumulates them. */
    private static HistogramDataPointSnapshot delayHistogram(JoinCounters counters, int family) {
        long[] counts = new long[JoinCounters.delayBucketCount()];
        for (int bucket = 0; bucket < counts.length; bucket++) {
            counts[bucket] = counters.delayBucket(family, bucket);
        }
        return HistogramDataPointSnapshot.builder()
                .classicHistogramBuckets(ClassicHistogramBuckets.of(BUCKET_BOUNDS_SECONDS, counts))
                .sum(seconds(counters.delaySumNanos(family)))
                .labels(Labels.of("family", JoinConstants.familyName(family)))
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
