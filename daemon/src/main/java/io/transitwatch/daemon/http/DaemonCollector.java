package io.transitwatch.daemon.http;

import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.function.LongSupplier;

/**
 * Thread-safe: each scrape runs on an HTTP thread; concurrent scrapes only read.
 *
 * <p>The {@code /metrics} collector. Nothing in TransitWatch pushes to a metrics library: the join,
 * the ingest and the sinks keep plain counters that their own threads write, and this collector
 * reads them all when Prometheus scrapes, building client_java snapshots that the library's
 * writer turns into the text format 0.0.4. The hot path never sees a metric call.
 */
final class DaemonCollector implements MultiCollector {
    static final String CONTENT_TYPE = PrometheusTextFormatWriter.CONTENT_TYPE;

    private final DaemonView daemon;
    private final PairMetrics pairs;
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();

    DaemonCollector(DaemonView daemon) {
        this(daemon, System::nanoTime);
    }

    /** {@code nanoTime}: the time base of "recent" when choosing which pairs to export. */
    DaemonCollector(DaemonView daemon, LongSupplier nanoTime) {
        this.daemon = daemon;
        this.pairs = new PairMetrics(nanoTime);
    }

    @Override
    public MetricSnapshots collect() {
        MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
        pairs.collect(daemon, snapshots);
        NodeVerdictMetrics.collect(daemon, snapshots);
        RoundTripMetrics.collect(daemon, snapshots);
        ObserverMetrics.collect(daemon, snapshots);
        JoinMetrics.collect(daemon, snapshots);
        SinkMetrics.collect(daemon.dispatcher().counters(), snapshots);
        KubernetesMetrics.collect(daemon.discovery().get(), daemon.counters().egressPointsSeen(daemon::nodeName),
                snapshots);
        return snapshots.build();
    }

    /** One scrape in the Prometheus text format 0.0.4. */
    byte[] scrape() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(64 * 1024);
        writer.write(out, collect(), EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toByteArray();
    }
}
