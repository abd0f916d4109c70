package io.transitwatch.daemon.http;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.json.EventJson;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/** Thread-safe (stateless): starting the demo with HTTP on a free port, requests, and waiting with a deadline. */
public final class HttpTestSupport {
    /** How long the demo may take to show the seed scenario's blackhole; generous for a loaded CI machine. */
    static final Duration DETECTION_DEADLINE = Duration.ofSeconds(90);
    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private HttpTestSupport() {}

    /** The seed scenario (IPv6 solwk03 -> solwk02 blackholed) over Relay, HTTP on a free loopback port. */
    static Demo startSeedDemo() {
        return startSeedDemo(SimMode.RELAY);
    }

    /** The seed scenario over Relay or one stream per node, HTTP on a free loopback port. */
    static Demo startSeedDemo(SimMode mode) {
        try {
            List<String> settings = new ArrayList<>(List.of("http.port=0", "http.address=127.0.0.1"));
            return Demo.start(mode, Scenario.preset("seed"), settings,
                    Files.createTempDirectory("transitwatch-http-test"),
                    new PrintStream(OutputStream.nullOutputStream()), Clock.SYSTEM);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** GET {@code path} from the daemon's HTTP endpoint on 127.0.0.1:{@code port}. */
    public static HttpResponse<String> get(int port, String path) {
        return send(port, path, "GET");
    }

    static HttpResponse<String> send(int port, String path, String method) {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(10)).method(method, HttpRequest.BodyPublishers.noBody()).build();
        try {
            return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** The non-zero {@code transitwatch_lost_total} lines of a scrape. */
    static String lostCounters(int port) {
        StringBuilder lost = new StringBuilder();
        get(port, "/metrics").body().lines().filter(line -> line.startsWith("transitwatch_lost_total") && !line.endsWith(" 0.0"))
                .forEach(line -> lost.append(line).append('\n'));
        return lost.toString();
    }

    /**
     * Evidence for a failure message when the daemon reports loss the seed scenario did not inject:
     * the lost counters now, and each such alert with the simulator's ground truth for its tuple.
     */
    static String unexpectedLoss(Demo demo) {
        StringBuilder text = new StringBuilder("lost counters now:\n").append(lostCounters(demo.daemon().httpPort()));
        for (Alert alert : demo.daemon().alerts().recentAlerts()) {
            boolean blackholed = alert.source().node().equals("solwk03") && alert.destination().node().equals("solwk02")
                    && alert.family().equals("IPv6");
            if (!blackholed) {
                text.append("alert: ").append(EventJson.encode(alert)).append("\nsimulator's ground truth: ")
                        .append(demo.simulator().groundTruth().records(r -> r.key().sourceIp().equals(alert.source().ip())
                                && r.key().destinationIp().equals(alert.destination().ip())
                                && r.key().sourcePort() == alert.source().port()
                                && r.key().destinationPort() == alert.destination().port())).append('\n');
            }
        }
        return text.toString();
    }

    /** Polls {@code poll} until it returns non-null, failing with {@code what} after {@code deadline}. */
    static <T> T await(String what, Duration deadline, Supplier<T> poll) throws InterruptedException {
        long end = System.nanoTime() + deadline.toNanos();
        while (true) {
            T value = poll.get();
            if (value != null) {
                return value;
            }
            if (System.nanoTime() - end > 0) {
                throw new AssertionError("gave up after " + deadline.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(250);
        }
    }
}
