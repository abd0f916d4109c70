package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.sim.SimCertificates;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** TLS problems are reported per node, in words, and never disturb the other nodes. */
class TlsFailureIT {
    private static final long T0 = 1_795_274_640_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void aServerSignedByAnotherCaIsDownWithTheReasonWhileTheOthersStream() throws Exception {
        SimCertificates.Files ours = SimCertificates.generate(dir.resolve("ours"), List.of());
        SimCertificates.Files foreign = SimCertificates.generate(dir.resolve("foreign"), List.of());
        try (FakeHubbleServer good = FakeHubbleServer.start(ours); FakeHubbleServer bad = FakeHubbleServer.start(foreign);
                IngestHarness harness = new IngestHarness(IngestConfig.staticNodes(List.of(
                        new IngestConfig.StaticNode("solwk01", good.address()),
                        new IngestConfig.StaticNode("solwk02", bad.address())))
                        .withTls(new IngestConfig.TlsFiles(ours.caCert(), ours.clientCert(), ours.clientKey()), null))) {
            harness.collector.awaitUntil("solwk02 down", () -> harness.collector.count(NodeEvent.NODE_DOWN, "solwk02") == 1);
            String reason = harness.collector.of(NodeEvent.NODE_DOWN, "solwk02").get(0).reason();
            assertEquals("solwk02 (" + bad.address() + "): TLS handshake failed: server certificate not trusted by CA "
                    + ours.caCert(), reason);
            assertEquals(reason, harness.node("solwk02").lastError());

            harness.awaitSubscribed(good, 1);
            IngestHarness.emitFlows(good, "solwk01", T0, 20);
            harness.collector.awaitUntil("solwk01 flows", () -> harness.collector.count(NodeEvent.FLOW, "solwk01") == 20);
            assertEquals(1, harness.collector.count(NodeEvent.NODE_DOWN, "solwk02"), "reported once, not once per retry");
            assertEquals(0, harness.collector.count(NodeEvent.NODE_DOWN, "solwk01"));
            assertFalse(harness.node("solwk02").connected());
        }
    }

    @Test
    void aServerThatRequiresAClientCertificateSaysSo() throws Exception {
        SimCertificates.Files certs = SimCertificates.generate(dir, List.of());
        try (FakeHubbleServer server = FakeHubbleServer.start(certs);
                IngestHarness harness = new IngestHarness(IngestConfig.staticNodes(
                        List.of(new IngestConfig.StaticNode("solwk03", server.address())))
                        .withTls(new IngestConfig.TlsFiles(certs.caCert(), null, null), null))) {
            harness.collector.awaitUntil("down", () -> harness.collector.count(NodeEvent.NODE_DOWN, "solwk03") == 1);
            String reason = harness.collector.of(NodeEvent.NODE_DOWN, "solwk03").get(0).reason();
            assertEquals("solwk03 (" + server.address() + "): TLS handshake failed: client certificate required by server"
                    + " (none configured: set a client certificate and key)", reason);
        }
    }
}
