package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.sim.SimCertificates;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client certificate Secret rotates under a running ingest, the way kubelet updates a mounted
 * Secret: the new files go into a new directory and the {@code ..data} link is swapped to it in one
 * rename. New connections present the new certificate; a stream that is up is left alone.
 */
class CertificateRotationIT {
    private static final long T0 = 1_795_274_640_000_000_000L;

    @TempDir
    Path dir;

    @Test
    void shouldPresentTheRotatedCertificateOnNewConnectionsWithoutDroppingAStreamThatIsUp() throws Exception {
        SimCertificates.Files pki = SimCertificates.generate(dir.resolve("pki"), List.of());
        Path secret = dir.resolve("secret");
        mountSecret(secret, "..2026_12_05_01_00_00.1", pki.caCert(), pki.clientCert(), pki.clientKey());
        BigInteger first = serialOf(pki.clientCert());

        // solwk02's server no longer accepts the first certificate (it expired, say): it is reached
        // only by a connection made after the rotation was read.
        try (FakeHubbleServer solwk01 = FakeHubbleServer.start(pki);
                FakeHubbleServer solwk02 = FakeHubbleServer.startRefusing(pki,
                        certificate -> certificate.getSerialNumber().equals(first));
                IngestHarness harness = new IngestHarness(IngestConfig.staticNodes(List.of(
                        new IngestConfig.StaticNode("solwk01", solwk01.address()),
                        new IngestConfig.StaticNode("solwk02", solwk02.address())))
                        .withTls(new IngestConfig.TlsFiles(secret.resolve("ca.crt"), secret.resolve("tls.crt"),
                                secret.resolve("tls.key")), null)
                        .withTlsReloadInterval(Duration.ofMillis(50)))) {
            harness.awaitSubscribed(solwk01, 1);
            IngestHarness.emitFlows(solwk01, "solwk01", T0, 10);
            harness.collector.awaitUntil("solwk01 streams", () -> harness.collector.count(NodeEvent.FLOW, "solwk01") == 10);
            harness.collector.awaitUntil("solwk02 refused", () -> !harness.node("solwk02").lastError().isEmpty());
            assertEquals(0, solwk02.requests.size());

            Path rotatedDir = dir.resolve("rotated");
            Files.createDirectories(rotatedDir);
            X509Certificate second = SimCertificates.issueClient(pki, "*.hubble-relay.cilium.io",
                    rotatedDir.resolve("client.pem"), rotatedDir.resolve("client.key"));
            assertNotEquals(first, second.getSerialNumber());
            swapSecret(secret, "..2026_12_05_02_00_00.2", pki.caCert(), rotatedDir.resolve("client.pem"),
                    rotatedDir.resolve("client.key"));

            harness.awaitSubscribed(solwk02, 1);
            IngestHarness.emitFlows(solwk02, "solwk02", T0, 10);
            IngestHarness.emitFlows(solwk01, "solwk01", T0 + 1_000_000_000L, 10);
            harness.collector.awaitUntil("both stream", () -> harness.collector.count(NodeEvent.FLOW, "solwk02") == 10
                    && harness.collector.count(NodeEvent.FLOW, "solwk01") == 20);

            assertEquals(List.of(second.getSerialNumber()), serials(solwk02), "solwk02's connection used the new one");
            assertEquals(List.of(first), serials(solwk01), "solwk01 kept its one call, made with the first certificate");
            assertEquals(0, harness.node("solwk01").reconnects(), "the stream that was up was not dropped");
            assertEquals(0, harness.collector.count(NodeEvent.NODE_DOWN, "solwk01"));
        }
    }

    /** Kubelet's layout: {@code ..<timestamp>/} with the files, {@code ..data -> ..<timestamp>}, {@code tls.crt -> ..data/tls.crt}. */
    private static void mountSecret(Path secret, String version, Path ca, Path cert, Path key) throws IOException {
        Files.createDirectories(secret);
        writeVersion(secret.resolve(version), ca, cert, key);
        Files.createSymbolicLink(secret.resolve("..data"), Path.of(version));
        for (String file : List.of("ca.crt", "tls.crt", "tls.key")) {
            Files.createSymbolicLink(secret.resolve(file), Path.of("..data", file));
        }
    }

    /** Kubelet's update: the new version's directory, then {@code ..data} replaced by a rename of a new link. */
    private static void swapSecret(Path secret, String version, Path ca, Path cert, Path key) throws IOException {
        writeVersion(secret.resolve(version), ca, cert, key);
        Path newLink = secret.resolve("..data_tmp");
        Files.createSymbolicLink(newLink, Path.of(version));
        Files.move(newLink, secret.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static void writeVersion(Path version, Path ca, Path cert, Path key) throws IOException {
        Files.createDirectories(version);
        Files.copy(ca, version.resolve("ca.crt"));
        Files.copy(cert, version.resolve("tls.crt"));
        Files.copy(key, version.resolve("tls.key"));
    }

    private static BigInteger serialOf(Path pem) throws Exception {
        try (var in = Files.newInputStream(pem)) {
            return ((X509Certificate) java.security.cert.CertificateFactory.getInstance("X.509")
                    .generateCertificate(in)).getSerialNumber();
        }
    }

    private static List<BigInteger> serials(FakeHubbleServer server) {
        return server.flowsClientCertificates.stream().map(X509Certificate::getSerialNumber).toList();
    }
}
