package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.TransitWatch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code transitwatch tail --node ... --duration ...} end to end against a fake node server. */
class TailCommandIT {
    private static final long T0 = 1_795_274_640_000_000_000L;

    @Test
    void printsOneLinePerEventAndStopsAfterTheDuration() throws Exception {
        PrintStream originalOut = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        AtomicInteger exit = new AtomicInteger(-1);
        try (FakeHubbleServer server = FakeHubbleServer.start(null)) {
            Thread tail = io.transitwatch.daemon.threads.NamedThreadFactory.daemon("test-tail").newThread(() ->
                    exit.set(new CommandLine(TransitWatch.class).setCaseInsensitiveEnumValuesAllowed(true).execute(
                            "tail", "--node", "solwk01=" + server.address(), "--format", "json", "--duration", "3s")));
            System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
            tail.start();
            long deadline = System.nanoTime() + 60_000_000_000L;
            while (server.requests.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            IngestHarness.emitFlows(server, "solwk01", T0, 3);
            tail.join(60_000);
        } finally {
            System.setOut(originalOut);
        }
        assertEquals(0, exit.get());
        String[] lines = captured.toString(StandardCharsets.UTF_8).trim().split("\n");
        assertEquals(5, lines.length, String.join("\n", lines)); // NODE_UP, 3 flows, NODE_DOWN at shutdown
        assertTrue(lines[0].contains("\"kind\":\"NODE_UP\""));
        assertTrue(lines[1].contains("\"kind\":\"FLOW\"") && lines[1].contains("\"node\":\"solwk01\""));
        assertTrue(lines[4].contains("\"kind\":\"NODE_DOWN\"") && lines[4].contains("ingest stopped"));
    }
}
