package io.transitwatch.daemon.http;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;

/**
 * Thread-safe (stateless): shorthands for building Prometheus client_java snapshots. Counter names
 * are given without {@code _total}; the text format writer appends it.
 */
final class MetricBuilders {
    static final double NANOS_PER_SECOND = 1e9;

    private MetricBuilders() {}

    static CounterSnapshot.Builder counter(String name, String help) {
        return CounterSnapshot.builder().name(name).help(help);
    }

    static GaugeSnapshot.Builder gauge(String name, String help) {
        return GaugeSnapshot.builder().name(name).help(help);
    }

    static CounterDataPointSnapshot count(long value, Labels labels) {
        return CounterDataPointSnapshot.builder().value(value).labels(labels).build();
    }

    static GaugeDataPointSnapshot level(double value, Labels labels) {
        return GaugeDataPointSnapshot.builder().value(value).labels(labels).build();
    }

    static double seconds(long nanos) {
        return nanos / NANOS_PER_SECOND;
    }
}
