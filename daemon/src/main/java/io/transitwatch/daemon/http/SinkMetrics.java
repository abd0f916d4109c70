package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.MetricBuilders.count;
import static io.transitwatch.daemon.http.MetricBuilders.counter;
import static io.transitwatch.daemon.http.MetricBuilders.gauge;
import static io.transitwatch.daemon.http.MetricBuilders.level;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.transitwatch.sinks.dispatch.SinkCounters;
import java.util.List;

/**
 * Thread-safe (stateless): runs on the scraping HTTP thread and only reads {@link SinkCounters}.
 *
 * <p>What each sink did with the alerts and incident changes offered to it, labelled {@code sink}.
 */
final class SinkMetrics {
    private SinkMetrics() {}

    static void collect(List<SinkCounters> sinks, MetricSnapshots.Builder out) {
        CounterSnapshot.Builder sent = counter("transitwatch_sink_sent", "Events the sink took over.");
        CounterSnapshot.Builder failed = counter("transitwatch_sink_failed",
                "Events in batches the sink refused, threw on or did not take in time.");
        CounterSnapshot.Builder dropped = counter("transitwatch_sink_dropped",
                "Events never handed to the sink: its queue was full or the daemon was stopping.");
        GaugeSnapshot.Builder queued = gauge("transitwatch_sink_queued", "Events waiting in the sink's queue.");
        for (SinkCounters sink : sinks) {
            Labels labels = Labels.of("sink", sink.sinkName());
            sent.dataPoint(count(sink.sent(), labels));
            failed.dataPoint(count(sink.failed(), labels));
            dropped.dataPoint(count(sink.dropped(), labels));
            queued.dataPoint(level(sink.queued(), labels));
        }
        List.of(sent.build(), failed.build(), dropped.build(), queued.build()).forEach(out::metricSnapshot);
    }
}
