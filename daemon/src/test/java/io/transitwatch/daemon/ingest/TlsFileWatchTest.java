package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.sim.SimCertificates;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A check re-reads the TLS files when their bytes change, keeps the previous pair when they are broken. */
class TlsFileWatchTest {
    @TempDir
    Path dir;

    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Logger logger = Logger.getLogger(TlsFileWatch.class.getName());
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureLog() {
        logger.addHandler(capture);
    }

    @AfterEach
    void releaseLog() {
        logger.removeHandler(capture);
    }

    private static BigInteger presented(TlsFileWatch watch) {
        String alias = watch.keyManager().chooseEngineClientAlias(new String[] {"EC"}, null, null);
        return watch.keyManager().getCertificateChain(alias)[0].getSerialNumber();
    }

    @Test
    void shouldTakeANewPairOnlyWhenItCanBeReadWhole() throws Exception {
        SimCertificates.Files pki = SimCertificates.generate(dir, List.of());
        TlsFileWatch watch = new TlsFileWatch(new IngestConfig.TlsFiles(pki.caCert(), pki.clientCert(), pki.clientKey()));
        BigInteger first = presented(watch);

        watch.run();
        assertEquals(first, presented(watch));
        assertEquals(List.of(), logged, "unchanged files: nothing to say");

        Files.writeString(pki.clientCert(), "-----BEGIN CERTIFICATE-----\nnot base64\n");
        watch.run();
        watch.run();
        assertEquals(first, presented(watch), "a broken certificate keeps the previous pair");
        assertEquals(1, logged.size(), "logged once, not once per check");
        assertTrue(logged.get(0).getMessage().contains("cannot be used"), logged.get(0).getMessage());

        BigInteger second = SimCertificates.issueClient(pki, "*.hubble-relay.cilium.io", pki.clientCert(),
                pki.clientKey()).getSerialNumber();
        watch.run();
        assertEquals(second, presented(watch));
        assertEquals(2, logged.size());
        assertTrue(logged.get(1).getMessage().startsWith("TLS files reloaded"), logged.get(1).getMessage());
    }

    @Test
    void shouldFailAtStartWhenAFileIsMissing() {
        SimCertificates.Files pki = SimCertificates.generate(dir, List.of());
        assertThrows(NoSuchFileException.class, () -> new TlsFileWatch(
                new IngestConfig.TlsFiles(pki.caCert(), dir.resolve("missing.pem"), pki.clientKey())));
        assertThrows(UncheckedIOException.class, () -> new HubbleIngest(IngestConfig.relay("relay:443").withTls(
                new IngestConfig.TlsFiles(dir.resolve("missing-ca.pem"), null, null), null),
                new io.transitwatch.daemon.handoff.StringDictionary(16), io.transitwatch.daemon.clock.Clock.SYSTEM,
                io.transitwatch.daemon.threads.NamedThreadFactory::daemon).close());
    }
}
