package io.transitwatch.daemon.http;

import com.sun.net.httpserver.HttpServer;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.transitwatch.daemon.http.Exchanges.Response;
import io.transitwatch.daemon.http.RoleView.RoleMetric;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe lifecycle ({@link #start} and {@link #close} from any thread, once each); requests run
 * on one request thread made by the factory the caller passes (at most {@value #REQUEST_QUEUE} more
 * wait), plus the JDK server's own dispatcher and timer threads, which {@link #close} ends too.
 *
 * <p>The HTTP port of a scaled-mode role: the chart probes every pod on {@code /healthz} and
 * {@code /readyz} and scrapes {@code /metrics}, so each role serves them, and only them (the web
 * page and the {@code /api} views are the single process's; in {@code scaled} the incidents and the
 * roles' metrics are the cluster's view, docs/scaling.md):
 * <pre>
 *   /healthz   200 while the role works, else 503 with the reason   (liveness)
 *   /readyz    200 when it is ready, else 503 with the reason       (readiness)
 *   /metrics   its counters, Prometheus text format 0.0.4, read at scrape time
 * </pre>
 */
public final class RoleEndpoint implements AutoCloseable {
    static final int REQUEST_QUEUE = 16;

    private final HttpServer server;
    private final ExecutorService requests;
    private boolean closed;

    private RoleEndpoint(HttpServer server, ExecutorService requests) {
        this.server = server;
        this.requests = requests;
    }

    /**
     * Binds {@code address} and starts serving {@code role}.
     *
     * @throws java.io.UncheckedIOException naming the address and the keys to change when it cannot be bound
     */
    public static RoleEndpoint start(InetSocketAddress address, RoleView role, ThreadFactory requestThreads) {
        HttpServer server = HttpEndpoint.bind(address);
        PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
        server.createContext("/healthz", Exchanges.readOnly("/healthz", exchange -> probe(role.notLiveReason(), "ok")));
        server.createContext("/readyz", Exchanges.readOnly("/readyz", exchange -> {
            String notLive = role.notLiveReason();
            return probe(notLive != null ? notLive : role.notReadyReason(), "ready");
        }));
        server.createContext("/metrics", Exchanges.readOnly("/metrics",
                exchange -> new Response(200, PrometheusTextFormatWriter.CONTENT_TYPE, scrape(role, writer))));
        ExecutorService requests = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(REQUEST_QUEUE), requestThreads);
        server.setExecutor(requests);
        server.start();
        return new RoleEndpoint(server, requests);
    }

    /** The bound port (the chosen one when {@code http.port} was 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static Response probe(String failing, String passing) {
        return failing == null ? Response.text(200, passing + "\n") : Response.text(503, failing + "\n");
    }

    static byte[] scrape(RoleView role, PrometheusTextFormatWriter writer) throws IOException {
        MetricSnapshots.Builder snapshots = MetricSnapshots.builder();
        for (RoleMetric metric : role.metrics()) {
            snapshots.metricSnapshot(metric.counter()
                    ? MetricBuilders.counter(metric.name(), metric.help())
                            .dataPoint(MetricBuilders.count((long) metric.value(), Labels.EMPTY)).build()
                    : MetricBuilders.gauge(metric.name(), metric.help())
                            .dataPoint(MetricBuilders.level(metric.value(), Labels.EMPTY)).build());
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(4096);
        writer.write(out, snapshots.build(), EscapingScheme.UNDERSCORE_ESCAPING);
        return out.toByteArray();
    }

    /** Stops accepting, lets a running request finish for up to a second, then ends every thread. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        HttpEndpoint.stop(server, requests);
    }
}
