package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.sim.SimCertificates;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Relay mode over TLS against a server whose certificate carries only Cilium's Relay name
 * ({@code *.hubble-relay.cilium.io}, as {@code hubble-relay-server-certs}): the default server name
 * connects; verifying the address the client dials does not, and says why.
 */
class CiliumServerNameIT {
    private static final long T0 = 1_795_274_640_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldStreamFromTheRelayWithCiliumsNameByDefault() throws Exception {
        SimCertificates.Files certs = SimCertificates.generateRelayOnly(dir);
        try (FakeHubbleServer relay = FakeHubbleServer.start(certs);
                IngestHarness harness = new IngestHarness(IngestConfig.relay(relay.address())
                        .withTls(new IngestConfig.TlsFiles(certs.caCert(), certs.clientCert(), certs.clientKey()), null))) {
            harness.awaitSubscribed(relay, 1);
            IngestHarness.emitFlows(relay, "solwk01", T0, 10);
            harness.collector.awaitUntil("10 flows", () -> harness.collector.count(NodeEvent.FLOW, "solwk01") == 10);
            assertEquals(0, harness.ingest.state().node(IngestState.RELAY).reconnects());
        }
    }

    @Test
    void shouldSayWhichNameTheRelayCertificateDoesNotCarry() throws Exception {
        SimCertificates.Files certs = SimCertificates.generateRelayOnly(dir);
        String serviceName = "hubble-relay.kube-system.svc.cluster.local";
        try (FakeHubbleServer relay = FakeHubbleServer.start(certs);
                IngestHarness harness = new IngestHarness(IngestConfig.relay(relay.address())
                        .withTls(new IngestConfig.TlsFiles(certs.caCert(), certs.clientCert(), certs.clientKey()),
                                serviceName))) {
            NodeIngestState state = harness.ingest.state().node(IngestState.RELAY);
            harness.collector.awaitUntil("relay failed", () -> !state.lastError().isEmpty());
            assertEquals("relay (" + relay.address() + "): TLS handshake failed: server certificate is not valid for "
                    + "server name " + serviceName, state.lastError());
            assertFalse(state.connected());
            assertEquals(0, relay.requests.size(), "no call got through the handshake");
        }
    }
}
