package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.lifecycle.SinkAssembly;
import io.transitwatch.daemon.replay.CaptureInput;
import io.transitwatch.daemon.replay.CaptureWriter;
import io.transitwatch.daemon.replay.Replay;
import io.transitwatch.daemon.replay.ReplaySummary;
import io.transitwatch.daemon.replay.SummaryJson;
import io.transitwatch.daemon.sim.ClusterTopology;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.Simulator;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.daemon.testsupport.JsonSchemas;
import io.transitwatch.sinks.stdout.StdoutSink;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The demo's stdout for 60 s of the {@code seed} scenario (IPv6 solwk03 → solwk02 blackholed), on
 * simulated time: the demo's simulator plays 60 s of traffic on a manual clock into a capture, and
 * the capture runs through the daemon's join ({@link Replay}, which judges exactly as the live join,
 * see {@code RecordReplayIT}) into the stdout sink the demo's options configure ({@link
 * SinkAssembly#stdout}, with the settings {@link Demo#check} gives the demo). So the test takes
 * seconds, not a minute, and prints what {@code transitwatch demo --duration 60s} would; the demo's
 * own lines and the logs go to stderr.
 */
class DemoStdoutIT {
    private static final long T0 = Instant.parse("2026-02-11T22:00:00Z").getEpochSecond() * 1_000_000_000L;
    private static final int SIMULATED_SECONDS = 60;
    private static final Pattern FIRING = Pattern.compile("^FIRING .* incident=(\\w+)$");

    @TempDir
    static Path dir;
    private static Path capture;

    @BeforeAll
    static void recordSixtySecondsOfTheSeedScenario() throws IOException {
        capture = dir.resolve("seed.json.gz");
        ManualClock clock = new ManualClock(T0);
        try (CaptureWriter recorder = CaptureWriter.open(capture)) {
            try (Simulator sim = Simulator.start(SimulatorConfig.builder().mode(SimMode.RELAY).host("127.0.0.1")
                    .port(0).scenario(Scenario.preset("seed")).clock(clock).trafficThread(false).emissions(recorder)
                    .build())) {
                for (int tick = 0; tick < SIMULATED_SECONDS * 100; tick++) {
                    clock.advanceMillis(10);
                    sim.advanceTraffic();
                }
            }
        }
    }

    @Test
    void byDefaultTheSeedScenarioPrintsUnderAHundredLinesInIncidentsWithOneFiringLineEach() throws IOException {
        Output out = demoStdout();

        assertTrue(out.summary.join().get("lost") > 200,
                "the blackholed pair must lose enough to summarise: " + out.summary.join());
        System.out.println("[demo stdout, seed, 60 s] " + out.lines.size() + " lines for "
                + out.summary.join().get("lost") + " lost tuples:\n" + out.text());
        assertTrue(out.lines.size() < 100, out.lines.size() + " lines:\n" + out.text());
        List<String> firing = out.lines.stream().filter(line -> line.startsWith("FIRING ")).toList();
        Set<String> incidents = new HashSet<>();
        for (String line : firing) {
            Matcher m = FIRING.matcher(line);
            assertTrue(m.matches(), line);
            assertTrue(incidents.add(m.group(1)), "one FIRING line per incident: " + out.text());
        }
        assertTrue(firing.stream().anyMatch(line -> line.startsWith("FIRING solwk03 \u2192 solwk02 IPv6 ")), out.text());
        assertTrue(out.lines.stream().anyMatch(line -> line.startsWith("UPDATE solwk03 \u2192 solwk02 IPv6 ")),
                out.text());
        long counted = counted(out, "LOST_IN_TRANSIT");
        long shown = out.lines.stream().filter(line -> line.startsWith("LOST_IN_TRANSIT ")).count();
        assertTrue(counted > 0 && shown <= 3, out.text());
        assertEquals(out.summary.join().get("lost"), shown + counted, "every lost tuple is shown or counted: " + out.text());
        // The seed's second fault: solwk01's IPv6 attempts to the API server, one incident whichever
        // control-plane node answers for it, its alerts summarised under that incident like a pair's.
        assertTrue(firing.stream().anyMatch(line -> line.startsWith("FIRING solwk01 \u2192 kube-apiserver IPv6 ")),
                out.text());
        long noReplyShown = out.lines.stream().filter(line -> line.startsWith("NO_REPLY ")).count();
        long noReplyCounted = counted(out, "NO_REPLY");
        assertTrue(noReplyShown <= 3 && noReplyCounted > 0, out.text());
        assertEquals(out.summary.join().get("no_reply"), noReplyShown + noReplyCounted,
                "every unanswered attempt is shown or counted: " + out.text());
        assertTrue(out.lines.stream().filter(line -> line.startsWith("+"))
                        .allMatch(line -> line.contains(" more LOST_IN_TRANSIT solwk03 \u2192 solwk02 IPv6 ")
                                || line.contains(" more NO_REPLY solwk01 \u2192 kube-apiserver IPv6 ")),
                "counts only for the two incidents: " + out.text());
    }

    private static long counted(Output out, String verdict) {
        return out.lines.stream().filter(line -> line.startsWith("+") && line.contains(" more " + verdict + " "))
                .mapToLong(line -> Long.parseLong(line.substring(1, line.indexOf(' ')))).sum();
    }

    @Test
    void withAlertsEveryEachLostTupleHasItsLineAgain() throws IOException {
        Output out = demoStdout("--alerts", "every");

        long lostLines = out.lines.stream().filter(line -> line.startsWith("LOST_IN_TRANSIT ")).count();
        assertEquals(out.summary.join().get("lost"), lostLines, "one line per lost tuple");
        long noReplyLines = out.lines.stream().filter(line -> line.startsWith("NO_REPLY ")).count();
        assertEquals(out.summary.join().get("no_reply"), noReplyLines, "one line per unanswered attempt");
        assertTrue(out.lines.size() > 100, out.lines.size() + " lines");
        assertTrue(out.lines.stream().noneMatch(line -> line.startsWith("+")), "nothing summarised");
    }

    @Test
    void everyJsonLineOfTheDemoValidatesAgainstItsSchema() throws IOException {
        for (String alerts : List.of("summary", "every")) {
            Output out = demoStdout("--format", "json", "--alerts", alerts);
            Set<String> kinds = new HashSet<>();
            for (String line : out.lines) {
                assertEquals(List.of(), JsonSchemas.errors(line), line);
                kinds.add(line.substring(0, line.indexOf(',')));
            }
            assertTrue(kinds.contains("{\"schema\":\"transitwatch.alert/v1\""), kinds.toString());
            assertTrue(kinds.contains("{\"schema\":\"transitwatch.incident/v1\""), kinds.toString());
            assertEquals(alerts.equals("summary"), kinds.contains("{\"schema\":\"transitwatch.alert-summary/v1\""),
                    kinds.toString());
        }
    }

    @Test
    void replayJsonOutputAndItsSummaryValidateAgainstTheirSchemas() {
        ByteArrayOutputStream stdout = new ByteArrayOutputStream();
        ByteArrayOutputStream stderr = new ByteArrayOutputStream();
        int exit = new CommandLine(new ReplayCommand(new ByteArrayInputStream(new byte[0]),
                new PrintStream(stdout, true, StandardCharsets.UTF_8), new PrintStream(stderr, true, StandardCharsets.UTF_8)))
                .execute("--format", "json", "--set", "topology.pod-cidrs=" + podCidrs(), capture.toString());

        assertEquals(0, exit, stderr.toString(StandardCharsets.UTF_8));
        List<String> lines = stdout.toString(StandardCharsets.UTF_8).lines().toList();
        assertTrue(lines.size() > 3, String.join("\n", lines));
        assertTrue(lines.get(lines.size() - 1).startsWith("{\"schema\":\"" + SummaryJson.SCHEMA + "\""));
        for (String line : lines) {
            assertEquals(List.of(), JsonSchemas.errors(line), line);
        }
    }

    /** The demo's pod CIDRs, as Demo passes them: {@code solcp01=10.101.224.0/24,fd00:101:224::/64;...}. */
    private static String podCidrs() {
        ClusterTopology topology = ClusterTopology.defaults();
        return topology.podCidrsV4().keySet().stream()
                .map(node -> node + "=" + topology.podCidrsV4().get(node) + "," + topology.podCidrsV6().get(node))
                .collect(Collectors.joining(";"));
    }

    /** What {@code transitwatch demo ARGS} prints on stdout for the recorded 60 s, and what the join counted. */
    private static Output demoStdout(String... args) throws IOException {
        DemoCommand command = new DemoCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        Settings settings = Demo.check(command.overrides());
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StdoutSink sink = SinkAssembly.stdout(settings, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        ReplaySummary summary = Replay.run(settings, List.of(CaptureInput.of(capture.toString(), null)),
                Replay.DEFAULT_REORDER_EVENTS, event -> sink.publish(List.of(event)), System.err);
        sink.flush(); // as the demo's shutdown does
        return new Output(new ArrayList<>(bytes.toString(StandardCharsets.UTF_8).lines().toList()), summary);
    }

    private record Output(List<String> lines, ReplaySummary summary) {
        String text() {
            return String.join("\n", lines);
        }
    }
}
