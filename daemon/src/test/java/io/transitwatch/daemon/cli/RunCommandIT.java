package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code transitwatch run}: what {@code --help} says about exit codes, and that a SIGTERM really ends
 * in a clean shutdown with exit code 0. The signal test runs the daemon in its own JVM (a signal is
 * about the process): it waits for the "started" log line, sends SIGTERM, and reads to the end.
 */
class RunCommandIT {

    @Test
    void shouldStateTheExitCodesInHelp() {
        StringWriter out = new StringWriter();
        int exit = new CommandLine(new RunCommand()).setOut(new PrintWriter(out, true)).execute("--help");

        assertEquals(0, exit);
        String help = out.toString().replaceAll("\\s+", " ");
        assertTrue(help.contains("Exit codes: 0 stopped by SIGTERM or SIGINT (Ctrl-C) after a clean shutdown 1 "),
                help);
        assertTrue(help.contains(" 130/143 a second SIGINT/SIGTERM during the shutdown, or the shutdown took more "
                + "than 30 s"), help);
        assertTrue(help.contains("prints \"shutdown complete\""), help);
    }

    @Test
    void shouldExitZeroAndSayShutdownCompleteAfterSigterm() throws IOException, InterruptedException {
        // A relay nobody listens on and no HTTP: the daemon starts, retries the stream, and waits for a signal.
        Process process = new ProcessBuilder(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
                "-cp", System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")),
                "io.transitwatch.daemon.TransitWatch", "run",
                "--set", "hubble.relay.address=127.0.0.1:1", "--set", "http.port=-1"))
                .redirectErrorStream(true)
                .start();
        StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(
                new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null && !line.contains("daemon.lifecycle.Daemon started: ")) {
                output.append(line).append('\n');
            }
            assertNotNull(line, "the daemon did not start:\n" + output);
            output.append(line).append('\n');

            process.toHandle().destroy(); // SIGTERM; Process.destroy() would also close our end of the output

            while ((line = lines.readLine()) != null) {
                output.append(line).append('\n');
            }
        } catch (IOException | RuntimeException | Error e) {
            process.destroyForcibly();
            throw e;
        }
        assertEquals(0, process.waitFor(), output.toString());
        assertTrue(output.toString().contains("RunCommand shutdown complete"), output.toString());
        assertFalse(output.toString().contains("Exception"), output.toString());
    }
}
