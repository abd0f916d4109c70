package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A server that rejects the field mask is asked again without it; the fallback is logged once and visible. */
class RequestFallbackIT {
    private static final long T0 = 1_795_274_640_000_000_000L;

    private final Logger streamLogger = Logger.getLogger(ReconnectingStream.class.getName());
    private final List<LogRecord> warnings = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            if (record.getLevel().intValue() >= Level.WARNING.intValue()) {
                warnings.add(record);
            }
        }

        @Override
        public void flush() { }

        @Override
        public void close() { }
    };

    @BeforeEach
    void captureLogs() {
        streamLogger.addHandler(capture);
    }

    @AfterEach
    void releaseLogs() {
        streamLogger.removeHandler(capture);
    }

    private long fallbackWarnings() {
        return warnings.stream().filter(r -> r.getMessage().contains("rejected the GetFlows request")).count();
    }

    @Test
    void fallsBackWithoutTheFieldMaskOnceAndKeepsItAcrossReconnects() throws Exception {
        FakeHubbleServer server = FakeHubbleServer.start(null);
        server.rejectFieldMask = true;
        try (IngestHarness harness = new IngestHarness(IngestConfig.staticNodes(
                List.of(new IngestConfig.StaticNode("solcp01", server.address()))))) {
            harness.awaitSubscribed(server, 2);
            IngestHarness.emitFlows(server, "solcp01", T0, 5);
            harness.collector.awaitUntil("flows", () -> harness.collector.count(NodeEvent.FLOW, "solcp01") == 5);

            assertTrue(server.requests.get(0).hasFieldMask());
            assertFalse(server.requests.get(1).hasFieldMask());
            assertEquals(3, server.requests.get(1).getWhitelistCount(), "filters are kept");
            assertEquals(RequestProfile.NO_FIELD_MASK, harness.node("solcp01").requestProfile());
            assertFalse(harness.ingest.state().fieldMaskSupported("solcp01"));
            assertEquals(0, harness.collector.count(NodeEvent.NODE_DOWN, "solcp01"), "a rejected request is not an outage");

            server = server.restart(null, true);
            harness.awaitSubscribed(server, 1);
            IngestHarness.emitFlows(server, "solcp01", T0 + 1_000_000_000L, 5);
            harness.collector.awaitUntil("more flows", () -> harness.collector.count(NodeEvent.FLOW, "solcp01") == 10);
            assertFalse(server.requests.get(0).hasFieldMask(), "the fallback sticks to the node");
            assertEquals(1, fallbackWarnings(), "logged once per node: " + warnings);
        } finally {
            server.close();
        }
    }
}
