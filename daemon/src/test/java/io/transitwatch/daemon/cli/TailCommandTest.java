package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.TransitWatch;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code tail} with TLS files it cannot read says so in one line and exits 1, before connecting anywhere. */
class TailCommandTest {
    @TempDir
    Path dir;

    @Test
    void shouldNameTheMissingTlsFileInOneLine() {
        Path missing = dir.resolve("ca.crt");
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        PrintStream original = System.err;
        int exit;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            exit = TransitWatch.commandLine().execute("tail", "--relay", "127.0.0.1:4245", "--tls-ca", missing.toString());
        } finally {
            System.setErr(original);
        }
        String text = err.toString(StandardCharsets.UTF_8);
        assertEquals(1, exit, text);
        assertEquals("transitwatch tail: cannot start: cannot read the TLS files (hubble.tls.*): "
                + "java.nio.file.NoSuchFileException: " + missing, text.strip());
    }
}
