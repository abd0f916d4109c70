package io.transitwatch.daemon.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.http.RoleView.RoleMetric;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A scaled-mode role's HTTP port over real HTTP on loopback: what the chart's probes and scrapes get. */
class RoleEndpointTest {
    private volatile String notLive;
    private volatile String notReady = "no Hubble stream of shard 0 of 2 is up";
    private volatile long published = 3;

    private final RoleView role = RoleView.of(() -> notLive, () -> notReady, () -> List.of(
            RoleMetric.counter("transitwatch_test_events_published", "Events published", published),
            RoleMetric.gauge("transitwatch_test_lag_seconds", "Lag", 1.5)));

    @Test
    void probesFollowTheRoleAndMetricsAreReadAtEachScrape() {
        try (RoleEndpoint http = RoleEndpoint.start(new InetSocketAddress("127.0.0.1", 0), role,
                NamedThreadFactory.daemon("http-test"))) {
            int port = http.port();
            assertEquals(200, HttpTestSupport.get(port, "/healthz").statusCode());
            HttpResponse<String> notYet = HttpTestSupport.get(port, "/readyz");
            assertEquals(503, notYet.statusCode());
            assertEquals("no Hubble stream of shard 0 of 2 is up\n", notYet.body());

            notReady = null;
            assertEquals(200, HttpTestSupport.get(port, "/readyz").statusCode());
            String metrics = HttpTestSupport.get(port, "/metrics").body();
            assertTrue(metrics.contains("# TYPE transitwatch_test_events_published_total counter\n"), metrics);
            assertTrue(metrics.startsWith("# HELP transitwatch_test_events_published_total Events published\n") && metrics.contains("\ntransitwatch_test_events_published_total 3.0\n"), metrics);
            assertTrue(metrics.contains("\ntransitwatch_test_lag_seconds 1.5\n"), metrics);
            published = 7;
            assertTrue(HttpTestSupport.get(port, "/metrics").body().contains("\ntransitwatch_test_events_published_total 7.0\n"));

            notLive = "a record could not be written to Kafka: timeout";
            HttpResponse<String> dead = HttpTestSupport.get(port, "/healthz");
            assertEquals(503, dead.statusCode());
            assertEquals("a record could not be written to Kafka: timeout\n", dead.body());
            assertEquals(503, HttpTestSupport.get(port, "/readyz").statusCode(), "not live is not ready either");
            assertEquals(404, HttpTestSupport.get(port, "/api/status").statusCode(), "the web page is the single process's");
            assertEquals(405, HttpTestSupport.send(port, "/metrics", "POST").statusCode());
        }
    }
}
