package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.HttpTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.lifecycle.Daemon;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A daemon whose Hubble Relay does not answer: alive, but not ready, and {@code /readyz} says why;
 * HTTP off with {@code http.port=-1}; a taken port fails the start with the key to change; the
 * address it listens on as it really is.
 * (Ready once a stream is up: {@link HttpDemoIT#probesAreUp()}.)
 */
class HttpReadinessIT {
    private static final PrintStream NO_OUTPUT = new PrintStream(OutputStream.nullOutputStream());

    @Test
    void aliveButNotReadyWhileNoHubbleStreamIsUp() throws IOException {
        try (Daemon daemon = Daemon.start(settings(closedPort(), "http.port=0"), Clock.SYSTEM, NO_OUTPUT)) {
            int port = daemon.httpPort();
            assertTrue(port > 0);
            assertEquals("127.0.0.1:" + port, daemon.httpListenAddress());
            HttpResponse<String> live = get(port, "/healthz");
            assertEquals(200, live.statusCode(), live.body());
            HttpResponse<String> ready = get(port, "/readyz");
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().startsWith("not ready: no Hubble stream is up"), ready.body());
            assertEquals(200, get(port, "/metrics").statusCode());
            assertTrue(get(port, "/api/status").body().contains("\"ready\":false"));
        }
    }

    @Test
    void httpPortMinusOneTurnsHttpOff() throws IOException {
        try (Daemon daemon = Daemon.start(settings(closedPort(), "http.port=-1"), Clock.SYSTEM, NO_OUTPUT)) {
            assertEquals(-1, daemon.httpPort());
            assertEquals(null, daemon.url());
            assertEquals(null, daemon.httpListenAddress());
        }
    }

    @Test
    void aWildcardAddressIsReportedAsEveryInterface() throws IOException {
        List<String> sets = List.of("hubble.mode=relay", "hubble.relay.address=127.0.0.1:" + closedPort(),
                "http.address=0.0.0.0", "http.port=0");
        try (Daemon daemon = Daemon.start(ConfigLoader.load(null, Map.of(), sets), Clock.SYSTEM, NO_OUTPUT)) {
            assertEquals("every interface, port " + daemon.httpPort(), daemon.httpListenAddress());
            assertEquals("http://127.0.0.1:" + daemon.httpPort() + "/", daemon.url());
        }
    }

    @Test
    void aTakenPortFailsTheStartNamingTheKey() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            UncheckedIOException error = assertThrows(UncheckedIOException.class, () -> Daemon.start(
                    settings(closedPort(), "http.port=" + taken.getLocalPort()), Clock.SYSTEM, NO_OUTPUT));
            assertTrue(error.getMessage().contains("http.port"), error.getMessage());
        }
    }

    private static io.transitwatch.daemon.config.Settings settings(int relayPort, String httpPort) {
        List<String> sets = new ArrayList<>(List.of("hubble.mode=relay", "hubble.relay.address=127.0.0.1:" + relayPort,
                "hubble.backoff.initial=200ms", "http.address=127.0.0.1", httpPort));
        return ConfigLoader.load(null, Map.of(), sets);
    }

    /** A loopback port nothing listens on (bound, then released). */
    private static int closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
