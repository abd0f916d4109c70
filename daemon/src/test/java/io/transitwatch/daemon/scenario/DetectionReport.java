package io.transitwatch.daemon.scenario;

import io.transitwatch.daemon.join.JoinCounters.Global;
import io.transitwatch.daemon.join.JoinCounters.PerPair;
import io.transitwatch.daemon.scenario.DetectionMatrix.Case;
import io.transitwatch.daemon.scenario.DetectionMatrix.Expect;
import io.transitwatch.daemon.scenario.ScenarioRun.PairCounts;
import io.transitwatch.daemon.scenario.ScenarioRun.Score;
import io.transitwatch.daemon.sim.Expectation;
import io.transitwatch.daemon.sim.RoundTripExpectation;
import io.transitwatch.daemon.sim.RoundTripRecord;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.TruthRecord;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.Verdict;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Not thread-safe; a command-line program in the daemon's test scope (it scores with the scenario
 * suite's {@link ScenarioRun}, which does not belong in the daemon's jar). Runs every scenario of
 * {@link DetectionMatrix} in relay and per-node mode, one after the other, and writes
 * {@code docs/detection.md}: a header saying how and where it ran, the table of {@link DetectionRow}s
 * and, per scenario, what it does and why its numbers are what they are. Exits 1 if a row misses its
 * thresholds or a run failed (the doc is written anyway).
 *
 * <p>{@code tools/detection-report} runs it through Maven; arguments: {@code --out FILE} (required),
 * {@code --command TEXT} (the command line quoted in the doc), {@code --traffic SECONDS},
 * {@code --seed N}, {@code --only NAME,...} and
 * {@code --modes relay,nodes} (to try a subset; the doc then lists only those rows).
 */
final class DetectionReport {
    private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'", Locale.ROOT);

    private final Options options;
    private final List<Outcome> outcomes = new ArrayList<>();

    /** One scenario × mode: its row (null if the run failed) and what the explanation says about it. */
    private record Outcome(Case scenario, SimMode mode, DetectionRow row, String details) {}

    private record Options(Path out, String command, Duration traffic, long seed, List<String> only,
            List<SimMode> modes) {
        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i++) {
                if (!args[i].startsWith("--") || i + 1 == args.length) {
                    throw new IllegalArgumentException("usage: --out FILE [--command TEXT] [--traffic SECONDS] "
                            + "[--seed N] [--only NAME,...] [--modes relay,nodes]; at '" + args[i] + "'");
                }
                values.put(args[i].substring(2), args[++i]);
            }
            String out = values.remove("out");
            if (out == null) {
                throw new IllegalArgumentException("--out FILE is required");
            }
            String command = values.remove("command");
            Duration traffic = Duration.ofSeconds(Long.parseLong(values.getOrDefault("traffic", "15")));
            long seed = Long.parseLong(values.getOrDefault("seed", Long.toString(Scenario.DEFAULT_SEED)));
            List<String> only = values.containsKey("only") ? Arrays.asList(values.get("only").split(",")) : List.of();
            only.forEach(DetectionMatrix::get); // fail fast on a misspelt name
            List<SimMode> modes = Arrays.stream(values.getOrDefault("modes", "relay,nodes").split(","))
                    .map(m -> SimMode.valueOf(m.toUpperCase(Locale.ROOT))).toList();
            for (String key : List.of("traffic", "seed", "only", "modes")) {
                values.remove(key);
            }
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("unknown options " + values.keySet());
            }
            return new Options(Path.of(out), command, traffic, seed, only, modes);
        }
    }

    private DetectionReport(Options options) {
        this.options = options;
    }

    public static void main(String[] args) throws IOException {
        Options options = Options.parse(args);
        int failed = new DetectionReport(options).run();
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Runs the matrix and writes the doc; returns how many rows fail. */
    private int run() throws IOException {
        String loadBefore = loadAverage();
        ZonedDateTime date = ZonedDateTime.now(ZoneOffset.UTC);
        long started = System.nanoTime();
        List<Case> cases = DetectionMatrix.CASES.stream()
                .filter(c -> options.only().isEmpty() || options.only().contains(c.name())).toList();
        int total = cases.size() * options.modes().size();
        for (Case scenario : cases) {
            for (SimMode mode : options.modes()) {
                System.err.printf(Locale.ROOT, "[detection-report] %d/%d %s, %s (load %s)%n", outcomes.size() + 1,
                        total, scenario.name(), mode(mode), loadAverage());
                Outcome outcome = runOne(scenario, mode);
                System.err.println("[detection-report] " + (outcome.row() == null ? "ERROR " + outcome.details()
                        : outcome.row().markdown()));
                outcomes.add(outcome);
            }
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        String doc = document(date, loadBefore, loadAverage(), elapsed);
        Path out = options.out().toAbsolutePath();
        Files.createDirectories(out.getParent());
        Files.writeString(out, doc, StandardCharsets.UTF_8);
        long failed = outcomes.stream().filter(o -> o.row() == null || !o.row().failures().isEmpty()).count();
        System.err.printf(Locale.ROOT, "[detection-report] wrote %s in %s: %d of %d rows pass%n", out,
                minutes(elapsed), outcomes.size() - failed, outcomes.size());
        return (int) failed;
    }

    private Outcome runOne(Case scenario, SimMode mode) throws IOException {
        Scenario configured = scenario.scenario().toBuilder().seed(options.seed()).build();
        Path tls = Files.createTempDirectory("detection-report-tls");
        try {
            ScenarioRun run = ScenarioRun.run(mode, configured, options.traffic(), tls);
            return new Outcome(scenario, mode, row(scenario, mode, run), details(mode, run));
        } catch (RuntimeException | AssertionError e) {
            e.printStackTrace();
            return new Outcome(scenario, mode, null, e.toString());
        } finally {
            deleteRecursively(tls);
        }
    }

    private static DetectionRow row(Case scenario, SimMode mode, ScenarioRun run) {
        Score score = run.score();
        int lostAlerts = (int) run.alerts().stream().filter(a -> ScenarioRun.FAILURE_VERDICTS.contains(a.verdict()))
                .count();
        int scored = score.truePositives() + score.falsePositives().size();
        return new DetectionRow(scenario.name(), mode(mode), score.judgedLost(), score.detected(), lostAlerts,
                score.falsePositives().size(), run.alerts().size() - lostAlerts,
                scored == 0 ? Double.NaN : score.precision(), score.judgedLost() == 0 ? Double.NaN : score.recall(),
                unverifiedShare(run), score.latency(0.5), score.latency(0.99));
    }

    /** UNVERIFIED verdicts over every departure verdict (MATCHED, LOST, DROPPED, UNVERIFIED) of the run. */
    private static double unverifiedShare(ScenarioRun run) {
        long decided = run.counter(Global.MATCHED) + run.counter(Global.LOST) + run.counter(Global.DROPPED)
                + run.counter(Global.UNVERIFIED);
        return decided == 0 ? Double.NaN : (double) run.counter(Global.UNVERIFIED) / decided;
    }

    /** The measured facts behind a row, for the scenario's explanation. */
    private static String details(SimMode mode, ScenarioRun run) {
        Score score = run.score();
        List<TruthRecord> judged = run.judged(r -> true);
        Map<String, Long> lostByKind = run.judged(r -> r.expected() == Expectation.LOST).stream()
                .collect(Collectors.groupingBy(r -> r.key().kind().name().replace('_', '-'), LinkedHashMap::new,
                        Collectors.counting()));
        Map<Verdict, Long> alerts = run.alerts().stream().collect(Collectors.groupingBy(Alert::verdict,
                () -> new EnumMap<>(Verdict.class), Collectors.counting()));
        Map<String, Long> unverified = new LinkedHashMap<>();
        for (PerPair counter : PerPair.values()) {
            if (counter.name().startsWith("UNVERIFIED_")) {
                long n = run.pairs(p -> true).stream().mapToLong(p -> p.get(counter)).sum();
                if (n > 0) {
                    unverified.put(counter.name().substring("UNVERIFIED_".length()), n);
                }
            }
        }
        StringBuilder out = new StringBuilder();
        Map<RoundTripExpectation, Long> trips = run.judgedRoundTrips(r -> true).stream()
                .collect(Collectors.groupingBy(RoundTripRecord::expected,
                        () -> new EnumMap<>(RoundTripExpectation.class), Collectors.counting()));
        out.append(String.format(Locale.ROOT, "**%s**: %,d judged departures, %,d of them LOST%s; ", mode(mode),
                judged.size(), lostByKind.values().stream().mapToLong(Long::longValue).sum(),
                lostByKind.isEmpty() ? "" : " (" + counts(lostByKind) + ")"));
        out.append(String.format(Locale.ROOT, "%,d judged round trips%s; ",
                trips.values().stream().mapToLong(Long::longValue).sum(),
                trips.isEmpty() ? "" : " (" + counts(trips) + ")"));
        out.append("alerts ").append(alerts.isEmpty() ? "none" : counts(alerts)).append("; ");
        out.append(String.format(Locale.ROOT, "join verdicts: %,d MATCHED, %,d LOST, %,d DROPPED, %,d UNVERIFIED; "
                + "round trips %,d ANSWERED, %,d NO_REPLY, %,d REFUSED",
                run.counter(Global.MATCHED), run.counter(Global.LOST), run.counter(Global.DROPPED),
                run.counter(Global.UNVERIFIED), run.counter(Global.ANSWERED), run.counter(Global.NO_REPLY),
                run.counter(Global.REFUSED)));
        if (!unverified.isEmpty()) {
            out.append(" (").append(counts(unverified)).append(')');
        }
        Map<String, Long> unverifiedTo = run.pairs(p -> p.unverified() > 0).stream().collect(Collectors
                .groupingBy(PairCounts::destination, LinkedHashMap::new, Collectors.summingLong(PairCounts::unverified)));
        if (!unverifiedTo.isEmpty()) {
            out.append(", UNVERIFIED by destination: ").append(counts(unverifiedTo));
        }
        out.append("; ");
        if (!score.latencyNanos().isEmpty()) {
            out.append(String.format(Locale.ROOT, "latency %s – %s; ",
                    DetectionRow.seconds(Duration.ofNanos(score.latencyNanos().get(0))),
                    DetectionRow.seconds(Duration.ofNanos(score.latencyNanos().get(score.latencyNanos().size() - 1)))));
        }
        if (score.recordsAtWindowEdge() > 0) {
            out.append(String.format(Locale.ROOT, "%d records (%d alerts) within %d ms of the window's end not "
                    + "scored; ", score.recordsAtWindowEdge(), score.alertsAtWindowEdge(), ScenarioRun.EDGE.toMillis()));
        }
        if (score.duplicateAlerts() > 0) {
            out.append(score.duplicateAlerts()).append(" tuples alerted more than once; ");
        }
        if (!score.missed().isEmpty()) {
            out.append("missed: ").append(String.join(", ", score.missed().stream().limit(3).toList())).append("; ");
        }
        if (!score.falsePositives().isEmpty()) {
            out.append("false: ").append(score.falsePositives().stream().limit(3).map(a -> a.verdict() + " "
                    + a.source().node() + "→" + a.destination().node() + " " + a.kind())
                    .collect(Collectors.joining(", "))).append("; ");
        }
        out.append(String.format(Locale.ROOT, "run %.1f s.", run.elapsedMillis() / 1000.0));
        return out.toString();
    }

    private String document(ZonedDateTime date, String loadBefore, String loadAfter, Duration elapsed) {
        StringBuilder doc = new StringBuilder();
        doc.append("# Detection quality\n\n");
        doc.append("Generated by `").append(options.command() == null ? "DetectionReport" : options.command())
                .append("` — do not edit by hand. It runs every scenario below against the simulated cluster, in ")
                .append("relay mode (one stream from Hubble Relay) and per-node mode (Peer discovery, one mTLS ")
                .append("stream per node), with the real daemon over real gRPC in real time, and scores its alerts ")
                .append("against the simulator's ground truth. `DetectionDocTest` (part of `./test`) fails if a ")
                .append("row below misses its thresholds or a scenario has no row.\n\n");
        doc.append("| | |\n|---|---|\n");
        doc.append("| command | `").append(options.command() == null ? "DetectionReport" : options.command())
                .append("` |\n");
        doc.append("| date | ").append(DATE.format(date)).append(" |\n");
        doc.append("| machine | ").append(Runtime.getRuntime().availableProcessors()).append(" cores (")
                .append(cpuModel()).append("), load average ").append(loadBefore).append(" before, ")
                .append(loadAfter).append(" after; Java ").append(System.getProperty("java.version")).append(" |\n");
        doc.append("| seed | ").append(options.seed()).append(" |\n");
        doc.append(String.format(Locale.ROOT, "| traffic | %d s of new connections per run, counted from the moment "
                + "the daemon had every node's stream up, at %.0f connections/s cluster-wide unless the scenario "
                + "says otherwise (plus the steady kustomize → source-controller polling, 5/s per family); then "
                + "%d s to settle |\n", options.traffic().toSeconds(), DetectionMatrix.RATE,
                ScenarioRun.SETTLE.toSeconds()));
        doc.append("| window | ").append(ScenarioRun.WINDOW.toSeconds()).append(" s (`join.window`); latency limit ")
                .append(DetectionRow.seconds(DetectionRow.MAX_LATENCY_P99)).append(" |\n");
        doc.append("| run time | ").append(minutes(elapsed)).append(" for ").append(outcomes.size())
                .append(" runs, one after the other |\n\n");

        long failing = outcomes.stream().filter(o -> o.row() == null || !o.row().failures().isEmpty()).count();
        doc.append("## Results\n\n");
        doc.append(failing == 0 ? "Every row meets its thresholds.\n\n"
                : failing + " of " + outcomes.size() + " rows miss their thresholds.\n\n");
        doc.append(DetectionRow.HEADER).append('\n');
        for (Outcome outcome : outcomes) {
            doc.append(outcome.row() != null ? outcome.row().markdown()
                    : "| " + outcome.scenario().name() + " | " + mode(outcome.mode()) + " | run failed: "
                            + outcome.details().replace('|', '/') + " |").append('\n');
        }
        doc.append('\n');
        doc.append(thresholds()).append('\n');
        doc.append(columns()).append('\n');

        doc.append("## Scenarios\n");
        Map<Case, List<Outcome>> byCase = outcomes.stream()
                .collect(Collectors.groupingBy(Outcome::scenario, LinkedHashMap::new, Collectors.toList()));
        byCase.forEach((scenario, runs) -> {
            doc.append("\n### ").append(scenario.name()).append("\n\n");
            doc.append("**What it does.** ").append(scenario.what())
                    .append(String.format(Locale.ROOT, " %.0f new connections/s.", scenario.scenario()
                            .connectionsPerSecond())).append("\n\n");
            doc.append("**Why the numbers are what they are.** ").append(scenario.why()).append("\n\n");
            for (Outcome run : runs) {
                doc.append("- ").append(run.row() == null ? "**" + mode(run.mode()) + "**: run failed: "
                        + run.details() : run.details()).append('\n');
            }
        });
        return doc.toString();
    }

    private static String columns() {
        return String.format(Locale.ROOT, """
            **How each number is measured** (`ScenarioRun`, shared with the scenario tests):

            - *judged failed*: ground-truth records the join must have decided that are failures: departures
              whose packet (and every retransmission) did not reach the destination within the window while the
              destination's Hubble was healthy (LOST: SYN, SYN-ACK, UDP, and first ACK / PSH segments when the
              agents report them), and round trips to destinations without arrival events (API server, host,
              world; DESIGN §3.7) that no reply reached within the window while the client's Hubble was healthy
              (NO_REPLY) or that a RST answered (REFUSED). A record is judged if it left at least %d s after the
              daemon had every node's stream up, its window ended at least %d s before the daemon stopped, and its
              arrival (reply), if any, is not within %d ms of the window's end (event times carry up to 20 ms of
              perf-read delay on each side, so such a record may rightly fall either side for any join: it is
              neither scored nor held against one).
            - *detected*: judged failures with the alert of their verdict for their key (LOST_IN_TRANSIT: the
              DESIGN §3.2 tuple; NO_REPLY / REFUSED: the client's address and port, DESIGN §3.7).
            - *failure alerts*: every LOST_IN_TRANSIT, NO_REPLY and REFUSED alert of the run, judged or not (so
              also for departures in the first second and the last seconds, outside the judged span: there are
              more alerts than detections); *false positives*: those whose key the ground truth does not have
              with that failure, and every alert after the first of its key (retransmissions are attempts of one
              entry, so one lost handshake is one alert). *precision* = true / (true + false) (alerts at the
              window edge left out); n/a without any failure alert. *recall* = detected / judged failed; n/a
              without a judged failure.
            - *other alerts*: LATE (an arrival after the LOST verdict, resolving it) and DROPPED_AT_DESTINATION.
            - *UNVERIFIED*: share of the join's departure verdicts (MATCHED + LOST + DROPPED + UNVERIFIED) that were
              UNVERIFIED, over the whole run including start-up; the reasons are listed per scenario.
            - *latency*: for each detected departure, from its departure (the true time the source node reported
              it) to the moment the first LOST_IN_TRANSIT alert of its tuple reached the daemon's stdout, both on
              the clock the simulator and the daemon share; nearest-rank p50 and p99. A decision waits for the
              destination's watermark to pass departure + window (DESIGN §3.3), so the floor is the window. Per
              node, a destination's stream delivers within milliseconds and its watermark follows it closely:
              about window + 30 ms. Through Relay, events wait in Relay's sort buffer (the simulator uses Relay's
              defaults: up to 100 responses, drained after at most 1 s), and the join's watermark allows for the
              largest lateness it saw (DESIGN §3.3, ADR 0002): decisions come up to about 1.5 s later, hence the
              larger p99 of the relay rows.
            """, ScenarioRun.OBSERVATION_MARGIN.toSeconds(),
                ScenarioRun.TAIL_MARGIN.toSeconds(), ScenarioRun.EDGE.toMillis());
    }

    private static String thresholds() {
        Map<Expect, String> names = new EnumMap<>(Expect.class);
        for (Expect expect : Expect.values()) {
            names.put(expect, DetectionMatrix.CASES.stream().filter(c -> c.expect() == expect).map(Case::name)
                    .collect(Collectors.joining(", ")));
        }
        return String.format(Locale.ROOT, """
                **Thresholds** (issues #6, #11). Scenarios that lose packets (or leave attempts unanswered, or refuse
                them) while the observer is healthy
                (%s): precision ≥ %s, recall ≥ %s, p99 detection latency ≤ window + %d s. Scenarios that lose
                nothing (%s): no alert of any kind. Scenarios with an unhealthy destination observer (%s): no alert
                (0 LOST above all); recall is n/a, the UNVERIFIED share shows what the join could not see.
                """, names.get(Expect.LOSS), DetectionRow.percent(DetectionRow.MIN_PRECISION),
                DetectionRow.percent(DetectionRow.MIN_RECALL), DetectionRow.LATENCY_ALLOWANCE.toSeconds(),
                names.get(Expect.NO_LOSS), names.get(Expect.OBSERVER_UNHEALTHY));
    }

    private static String counts(Map<?, Long> counts) {
        return counts.entrySet().stream().map(e -> String.format(Locale.ROOT, "%s %,d", e.getKey(), e.getValue()))
                .collect(Collectors.joining(", "));
    }

    private static String mode(SimMode mode) {
        return mode.name().toLowerCase(Locale.ROOT);
    }

    private static String minutes(Duration d) {
        return String.format(Locale.ROOT, "%d min %02d s", d.toMinutes(), d.toSecondsPart());
    }

    private static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " / " + fields[1] + " / " + fields[2];
        } catch (IOException | RuntimeException e) {
            return String.format(Locale.ROOT, "%.2f", ManagementFactory.getOperatingSystemMXBean()
                    .getSystemLoadAverage());
        }
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name")).findFirst()
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown CPU");
        } catch (IOException | RuntimeException e) {
            return System.getProperty("os.arch");
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
