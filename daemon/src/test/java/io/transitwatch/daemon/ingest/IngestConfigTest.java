package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The TLS server name defaults to what Cilium's certificates carry for the mode; a given one wins. */
class IngestConfigTest {
    private static final IngestConfig.TlsFiles FILES =
            new IngestConfig.TlsFiles(Path.of("ca.crt"), Path.of("tls.crt"), Path.of("tls.key"));

    @Test
    void shouldDefaultToANameUnderRelaysCertificateInRelayMode() {
        assertEquals("instance.hubble-relay.cilium.io",
                IngestConfig.relay("hubble-relay:443").withTls(FILES, null).tlsServerName());
    }

    @Test
    void shouldDefaultToThePeerServiceNameRelayUsesInDirectMode() {
        assertEquals("hubble-peer.default.hubble-grpc.cilium.io",
                IngestConfig.peer("hubble-peer:443").withTls(FILES, null).tlsServerName());
        assertEquals("hubble-peer.default.hubble-grpc.cilium.io", IngestConfig.staticNodes(
                List.of(IngestConfig.StaticNode.parse("solwk01=10.0.0.21:4244"))).withTls(FILES, "").tlsServerName());
    }

    @Test
    void shouldKeepAGivenNameAndNoneWithoutTls() {
        assertEquals("relay.example.org", IngestConfig.relay("relay.example.org:443")
                .withTls(FILES, "relay.example.org").tlsServerName());
        assertNull(IngestConfig.relay("hubble-relay:80").tlsServerName());
    }
}
