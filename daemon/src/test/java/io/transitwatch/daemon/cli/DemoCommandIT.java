package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.sim.ScenarioPresets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code transitwatch demo} as a user runs it: its mistakes cost one line and exit 2, never a stack trace. */
class DemoCommandIT {
    @TempDir
    Path dir;

    @Test
    void shouldListTheScenariosWhenTheScenarioIsUnknown() {
        Run run = Run.of("--scenario", "nope", "--http-port", "-1");

        assertEquals(2, run.exit, run.toString());
        assertEquals(List.of("transitwatch demo: unknown --scenario 'nope'; choose one of: "
                + String.join(", ", ScenarioPresets.names())), run.stderrLines(), run.toString());
        assertTrue(run.stderr.contains("seed, ") && run.stderr.contains("pair-blackhole"), run.toString());
        assertEquals("", run.stdout, run.toString());
    }

    @Test
    void shouldNameTheKeyThatGivesTheSlackWebhookWhenItIsMissing() {
        Run run = Run.of("--sink", "slack", "--http-port", "-1");

        assertEquals(2, run.exit, run.toString());
        assertEquals(List.of("transitwatch demo: --sink slack needs the Slack webhook URL: add "
                + "--set slack.webhook-url-file=FILE, FILE holding the incoming-webhook URL"), run.stderrLines(),
                run.toString());
    }

    @Test
    void shouldNameTheOptionThatGivesTheKafkaBrokersWhenTheyAreMissing() {
        Run run = Run.of("--sink", "kafka", "--http-port", "-1");

        assertEquals(2, run.exit, run.toString());
        assertEquals(1, run.stderrLines().size(), run.toString());
        assertTrue(run.stderr.startsWith("transitwatch demo: --sink kafka needs the brokers: add --kafka-bootstrap "
                + "HOST:PORT"), run.toString());
    }

    @Test
    void shouldPrintAnInvalidSetAsOneLineWithTheKey() {
        Run run = Run.of("--set", "join.window=5x", "--http-port", "-1");

        assertEquals(2, run.exit, run.toString());
        assertEquals(1, run.stderrLines().size(), run.toString());
        assertTrue(run.stderr.startsWith("transitwatch demo: join.window: "), run.toString());
    }

    @Test
    void shouldSayWhichPortIsBusyAndHowToChooseAnother() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int port = taken.getLocalPort();

            Run run = Run.of("--http-port", Integer.toString(port));

            assertEquals(2, run.exit, run.toString());
            assertEquals(List.of("transitwatch demo: port " + port + " on 127.0.0.1 is already in use; choose "
                    + "another with --http-port PORT (0 picks a free one, -1 turns HTTP off)"), run.stderrLines(),
                    run.toString());
        }
    }

    @Test
    void shouldListenOnLoopbackByDefaultAndSayWhereItListens() {
        Run run = Run.of("--duration", "0s", "--http-port", "0");

        assertEquals(0, run.exit, run.toString());
        List<String> lines = run.stderrLines();
        assertEquals("transitwatch demo: scenario seed, relay mode; alerts on stdout, for PT0S", lines.get(0),
                run.toString());
        assertTrue(lines.get(1).matches("transitwatch demo: web page http://127\\.0\\.0\\.1:(\\d+)/ "
                + "\\(listening on 127\\.0\\.0\\.1:\\1; also /metrics, /healthz, /readyz, /api/\\.\\.\\.\\)"),
                run.toString());
        assertFalse(run.stderr.contains("Exception"), run.toString());
    }

    @Test
    void shouldNotSayStdoutWhenAlertsGoToKafkaOrSlack() throws IOException {
        Path webhook = Files.writeString(dir.resolve("webhook"), "https://hooks.slack.com/services/T0/B0/x\n");

        assertEquals("alerts on stdout", DemoCommand.destinations(Demo.check(List.of())));
        assertEquals("alerts to Kafka at 127.0.0.1:19092", DemoCommand.destinations(
                Demo.check(List.of("sinks=kafka", "kafka.bootstrap-servers=127.0.0.1:19092"))));
        assertEquals("incidents to Slack", DemoCommand.destinations(
                Demo.check(List.of("sinks=slack", "slack.webhook-url-file=" + webhook))));
        assertEquals("alerts on stdout, incidents to Slack", DemoCommand.destinations(
                Demo.check(List.of("sinks=stdout,slack", "slack.webhook-url-file=" + webhook))));
    }

    @Test
    void shouldDocumentTheHttpAddressAndItsLoopbackDefault() {
        Run run = Run.of("--help");

        assertEquals(0, run.exit, run.toString());
        assertTrue(run.stdout.contains("--http-address=ADDRESS"), run.toString());
        assertTrue(run.stdout.contains("Default: 127.0.0.1"), run.toString());
        assertTrue(run.stdout.contains("Exit codes:"), run.toString());
    }

    @Test
    void shouldReportAnAddressItCannotListenOnInOneLine() {
        String problem = DemoCommand.portProblem("192.0.2.1", 8080, new BindException("Cannot assign requested address"));

        assertEquals("cannot listen on 192.0.2.1:8080 (Cannot assign requested address); choose another "
                + "--http-address, or another port with --http-port PORT (0 picks a free one, -1 turns HTTP off)", problem);
        assertEquals(null, DemoCommand.bindProblem("127.0.0.1", -1));
    }

    /** One {@code transitwatch demo ARGS} run in-process, with its exit code, stdout and stderr. */
    private record Run(int exit, String stdout, String stderr) {
        static Run of(String... args) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            PrintStream stdout = new PrintStream(out, true, StandardCharsets.UTF_8);
            PrintStream stderr = new PrintStream(err, true, StandardCharsets.UTF_8);
            int exit = new CommandLine(new DemoCommand(stdout, stderr))
                    .setCaseInsensitiveEnumValuesAllowed(true)
                    .setOut(new PrintWriter(stdout, true))
                    .setErr(new PrintWriter(stderr, true))
                    .execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        }

        List<String> stderrLines() {
            return stderr.lines().toList();
        }

        @Override
        public String toString() {
            return "exit " + exit + "\n--- stdout\n" + stdout + "--- stderr\n" + stderr;
        }
    }
}
