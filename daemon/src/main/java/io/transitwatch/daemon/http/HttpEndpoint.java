package io.transitwatch.daemon.http;

import com.sun.net.httpserver.HttpServer;
import io.transitwatch.daemon.http.Exchanges.Response;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe lifecycle ({@link #start} and {@link #close} from any thread, once each); requests run
 * on {@value #REQUEST_THREADS} request threads (at most {@value #REQUEST_QUEUE} more wait; beyond
 * that a connection is closed unanswered) and the matrix sampler on one more, all made by the
 * thread factories the caller passes. The JDK's server adds its own two threads ({@code HTTP-Dispatcher},
 * which accepts connections and hands requests over, and the {@code idle-timeout-task} timer, names
 * fixed by the JDK); {@link #close} ends them with the rest.
 *
 * <p>TransitWatch's one HTTP port (DESIGN §7), on the JDK's {@code com.sun.net.httpserver}:
 * <pre>
 *   /healthz        200 while the join thread runs               (liveness)
 *   /readyz         200 when a Hubble stream is up and the join runs, else 503 with the reason
 *   /metrics        Prometheus text format 0.0.4, read from the counters at scrape time
 *   /api/matrix     per pair and family: recent and total verdict counts, loss ratio, cell state
 *                   (loss, ok, idle, unknown); per node: watched or why not; coverage
 *   /api/round-trips per (client node, destination: node, kube-apiserver, host or world, family): answered,
 *                   no reply, refused, unverified over the recent window and since start; row state
 *                   (no_reply, refused, ok, idle, unknown) judged on the client node's watch
 *   /api/incidents  FIRING incidents          /api/alerts    recent alerts (both as the sinks' JSON)
 *   /api/observers  health of each Hubble source, watched or why not
 *   /api/status     readiness, totals and coverage
 *   /               the web page (index.html, app.js, style.css, favicon.svg from the classpath)
 * </pre>
 * Everything here reads; nothing is called from the ingest or join threads.
 */
public final class HttpEndpoint implements AutoCloseable {
    static final int REQUEST_THREADS = 2;
    static final int REQUEST_QUEUE = 64;
    private static final System.Logger LOG = System.getLogger(HttpEndpoint.class.getName());
    private static final Duration SAMPLE_INTERVAL = Duration.ofSeconds(5);
    private static final Duration RECENT_WINDOW = Duration.ofMinutes(1);
    private static final int STOP_DELAY_SECONDS = 1;

    private final HttpServer server;
    private final ExecutorService requests;
    private final ScheduledExecutorService sampler;
    private boolean closed;

    private HttpEndpoint(HttpServer server, ExecutorService requests, ScheduledExecutorService sampler) {
        this.server = server;
        this.requests = requests;
        this.sampler = sampler;
    }

    /**
     * Binds {@code address} and starts serving.
     *
     * @param requestThreads makes the request threads
     * @param samplerThreads makes the thread that samples per-pair counters for the recent window
     * @throws UncheckedIOException naming the address and the keys to change when it cannot be bound
     */
    public static HttpEndpoint start(InetSocketAddress address, DaemonView daemon, ThreadFactory requestThreads,
            ThreadFactory samplerThreads) {
        Map<String, WebResources.Resource> page = WebResources.loadAll();
        HttpServer server = bind(address);
        PairHistory history = new PairHistory(RECENT_WINDOW.toNanos());
        DaemonCollector metrics = new DaemonCollector(daemon);
        route(server, "/healthz", exchange -> probe(Health.liveness(daemon)));
        route(server, "/readyz", exchange -> probe(Health.readiness(daemon)));
        route(server, "/metrics", exchange -> new Response(200, DaemonCollector.CONTENT_TYPE, metrics.scrape()));
        route(server, "/api/matrix", exchange -> Response.json(MatrixApi.write(daemon, history, System.nanoTime())));
        route(server, "/api/round-trips", exchange -> Response.json(RoundTripsApi.write(daemon, history,
                System.nanoTime())));
        route(server, "/api/incidents", exchange -> Response.json(EventsApi.incidents(daemon)));
        route(server, "/api/alerts", exchange -> Response.json(EventsApi.alerts(daemon)));
        route(server, "/api/observers", exchange -> Response.json(StatusApi.observers(daemon,
                RecentView.read(daemon, history, System.nanoTime()))));
        route(server, "/api/status", exchange -> Response.json(StatusApi.status(daemon,
                RecentView.read(daemon, history, System.nanoTime()))));
        for (Map.Entry<String, WebResources.Resource> file : page.entrySet()) {
            WebResources.Resource resource = file.getValue();
            route(server, file.getKey(), exchange -> {
                exchange.getResponseHeaders().set("Content-Security-Policy", WebResources.CONTENT_SECURITY_POLICY);
                return new Response(200, resource.contentType(), resource.body());
            });
        }
        // Bounded: when the queue is full the JDK server closes the new connection and keeps serving.
        ExecutorService requests = new ThreadPoolExecutor(REQUEST_THREADS, REQUEST_THREADS, 0, TimeUnit.SECONDS,
                new ArrayBlockingQueue<>(REQUEST_QUEUE), requestThreads);
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(samplerThreads);
        server.setExecutor(requests);
        sampler.scheduleAtFixedRate(() -> sample(daemon, history), 0, SAMPLE_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        server.start();
        return new HttpEndpoint(server, requests, sampler);
    }

    /** The bound port (the chosen one when {@code http.port} was 0). */
    public int port() {
        return server.getAddress().getPort();
    }

    public InetSocketAddress address() {
        return server.getAddress();
    }

    /** Stops accepting, lets running requests finish for up to a second, then ends every thread. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        sampler.shutdownNow();
        stop(server, requests, sampler);
    }

    /**
     * A server on {@code address}, not yet started.
     *
     * @throws UncheckedIOException naming the address and the keys to change when it cannot be bound
     */
    static HttpServer bind(InetSocketAddress address) {
        try {
            return HttpServer.create(address, 0);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + address + " (" + e.getMessage()
                    + "); set http.port to a free port, 0 for any, or -1 to turn HTTP off", e);
        }
    }

    /** Stops accepting, lets running requests finish for up to a second, then ends the executors' threads. */
    static void stop(HttpServer server, ExecutorService... executors) {
        server.stop(STOP_DELAY_SECONDS);
        for (ExecutorService executor : executors) {
            executor.shutdownNow();
        }
        try {
            for (ExecutorService executor : executors) {
                executor.awaitTermination(STOP_DELAY_SECONDS, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void route(HttpServer server, String path, Exchanges.Responder responder) {
        server.createContext(path, Exchanges.readOnly(path, responder));
    }

    private static Response probe(Health.Status status) {
        return Response.text(status.httpStatus(), status.reason() + "\n");
    }

    private static void sample(DaemonView daemon, PairHistory history) {
        try {
            history.record(System.nanoTime(), PairReading.readAll(daemon), NodeReading.readAll(daemon),
                    daemon.alerts().roundTrips().read(daemon.dictionary()));
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "http: sampling the pair counters failed: " + e, e);
        }
    }
}
