package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.MetricBuilders.count;
import static io.transitwatch.daemon.http.MetricBuilders.counter;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.transitwatch.daemon.incident.RoundTripTally;
import java.util.Comparator;
import java.util.List;

/**
 * Thread-safe (stateless): runs on the scraping HTTP thread and only reads the {@link RoundTripTally}.
 *
 * <p>Round trips per (source node, destination, family, verdict) (DESIGN §3.7). {@code destination}
 * is a node name, {@code kube-apiserver}, {@code host} or {@code world}, never an address, so the
 * label set is bounded by the nodes. Like the pair series (ADR 0010) the export is bounded: every key
 * while there are at most {@value #MAX_KEYS}; beyond that only keys with a failure or an unverified
 * attempt, most failures first, at most {@value #MAX_KEYS} ({@value #SERIES_PER_KEY} series each).
 */
final class RoundTripMetrics {
    static final int MAX_KEYS = 200;
    static final int SERIES_PER_KEY = 4;

    private RoundTripMetrics() {}

    static void collect(DaemonView daemon, MetricSnapshots.Builder out) {
        RoundTripTally tally = daemon.alerts().roundTrips();
        CounterSnapshot.Builder verdicts = counter("transitwatch_round_trips_by_destination",
                "Connection attempts to destinations without arrival events, judged on the client's node, by "
                        + "source node, destination (node name, kube-apiserver, host or world), family and verdict "
                        + "(answered, no_reply, refused, unverified).");
        for (RoundTripTally.Reading key : exported(tally.read(daemon.dictionary()))) {
            point(verdicts, key, "answered", key.answered());
            point(verdicts, key, "no_reply", key.noReply());
            point(verdicts, key, "refused", key.refused());
            point(verdicts, key, "unverified", key.unverified());
        }
        out.metricSnapshot(verdicts.build());
        out.metricSnapshot(counter("transitwatch_round_trips_by_destination_misses",
                "Round-trip verdicts not counted per destination because its table was full (still counted per node).")
                .dataPoint(count(tally.misses(), Labels.EMPTY)).build());
    }

    /** The keys to export: all of them up to the bound, else those with failures or unverified attempts. */
    static List<RoundTripTally.Reading> exported(List<RoundTripTally.Reading> all) {
        if (all.size() <= MAX_KEYS) {
            return all;
        }
        return all.stream()
                .filter(key -> key.failed() + key.unverified() > 0)
                .sorted(Comparator.comparingLong(RoundTripTally.Reading::failed).reversed()
                        .thenComparing(Comparator.comparingLong(RoundTripTally.Reading::unverified).reversed()))
                .limit(MAX_KEYS)
                .toList();
    }

    private static void point(CounterSnapshot.Builder metric, RoundTripTally.Reading key, String verdict, long value) {
        metric.dataPoint(count(value, Labels.of("source_node", key.source(), "destination", key.destination(),
                "family", key.family(), "verdict", verdict)));
    }
}
