package io.transitwatch.daemon.lifecycle;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.ingest.HubbleIngest;
import io.transitwatch.daemon.ingest.IngestConfig;
import io.transitwatch.daemon.ingest.IngestState;
import io.transitwatch.daemon.ingest.NodeIngestState;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.List;
import java.util.logging.Handler;
import java.util.logging.Logger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * A Relay name that does not resolve, through the daemon's log handler: what an operator reads
 * over many retries is a handful of single lines, not grpc-java's stack trace per attempt. The
 * clock stands still, so only the retry count (not time) can let lines through.
 */
class UnresolvableRelayLogIT {
    private static final long T0 = 1_795_274_640_000_000_000L;
    private static final int ATTEMPTS = 64;

    @Test
    void shouldLogARelayThatDoesNotResolveInAFewLinesWithoutStackTraces() {
        ManualClock clock = new ManualClock(T0);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        Handler handler = Logging.oneLineHandler(captured, clock);
        Logger root = Logger.getLogger("");
        root.addHandler(handler);
        long attempts;
        try (HubbleIngest ingest = new HubbleIngest(IngestConfig.relay("relay.invalid:80")
                .withBackoff(Duration.ofMillis(1), Duration.ofMillis(4)), new StringDictionary(64), clock,
                NamedThreadFactory::daemon)) {
            ingest.start();
            NodeIngestState relay = ingest.state().node(IngestState.RELAY);
            Awaitility.await("retries").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(5))
                    .until(() -> relay.reconnects() >= ATTEMPTS);
            ingest.close();
            attempts = relay.reconnects() + 1;
        } finally {
            root.removeHandler(handler);
            handler.close();
        }
        List<String> lines = captured.toString(Charset.defaultCharset()).lines().toList();
        String log = String.join("\n", lines);

        assertTrue(lines.stream().noneMatch(line -> line.startsWith(" ") || line.startsWith("\t")),
                "no stack trace frames:\n" + log);
        assertTrue(lines.stream().noneMatch(line -> line.contains("\tat ") || line.contains(" at java.base/")), log);
        List<String> streamLines = lines.stream().filter(line -> line.contains("ingest.ReconnectingStream relay:")).toList();
        assertTrue(streamLines.get(0).contains("relay: stream down: relay (relay.invalid:80): UNAVAILABLE"),
                "the first failure says what and where:\n" + log);
        // Attempts 1, 2, 4, 8, ...: one line each, the clock standing still gives no reminders; and one
        // more where the reason's wording changes (the JDK's negative DNS cache answers from the second
        // lookup on: "relay.invalid" instead of "relay.invalid: Name or service not known").
        int powersOfTwo = 1 + (63 - Long.numberOfLeadingZeros(attempts));
        assertTrue(streamLines.size() >= powersOfTwo && streamLines.size() <= powersOfTwo + 2,
                attempts + " attempts:\n" + log);
        int expected = streamLines.size();
        long foreign = lines.stream().filter(line -> line.contains(" io.grpc.") || line.contains(" io.netty")).count();
        assertTrue(foreign <= 3, "grpc-java's own lines, at most one per logger:\n" + log);
        assertTrue(lines.size() <= expected + foreign + 2, log);
    }
}
