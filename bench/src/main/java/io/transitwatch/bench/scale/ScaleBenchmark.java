package io.transitwatch.bench.scale;

import io.transitwatch.bench.e2e.Arguments;
import io.transitwatch.bench.e2e.EndToEndBenchmark;
import io.transitwatch.bench.e2e.Report;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Single-threaded main. The scaled mode's benchmark (issue #13): a KRaft broker, the e2e
 * {@code LoadServer} in direct mode (one Hubble server per node) and the roles, each its own JVM on
 * this machine, every process's CPU metered apart ({@code /proc/PID/stat}). Three phases, each on
 * fresh topics of one broker (run in the order 1, 3, 2, so that the collector's topic is older than a
 * correlator's replay when phase 2 reads it):
 *
 * <ol>
 *   <li><b>collector</b>: one {@code transitwatch collect} at a high offered rate into the events
 *       topic; events/s, events per collector CPU-second, Kafka bytes per event;</li>
 *   <li><b>correlators</b>: 1, then 2 {@code transitwatch correlate} (a fresh group each, same
 *       command) read that whole topic from its start; events/s and events per correlator CPU-second;</li>
 *   <li><b>latency</b>: collect → Kafka → correlate at a moderate rate; LOST_IN_TRANSIT alerts as a
 *       {@code read_committed} consumer reads them, minus when the lost departure was first seen;
 *       p50 / p99 / max against the goal W + 3 s.</li>
 * </ol>
 *
 * Writes {@code report.md} in {@code --out} and prints it; one log per process there.
 *
 * <pre>
 * tools/scale-bench                 # the full run (defaults below)
 * java -cp bench/target/benchmarks.jar io.transitwatch.bench.scale.ScaleBenchmark --collector-rate 20000 \
 *     --warmup 3 --measure 5 --latency-rate 5000 --latency-warmup 5 --latency-seconds 10   # a quick try
 * </pre>
 */
public final class ScaleBenchmark {
    /** The chart's correlator heap: 75 % of its 2 GiB (one join per partition: docs/scaling.md, "Sizing"). */
    static final String ROLE_JVM = "-Xms1536m -Xmx1536m -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError";

    private ScaleBenchmark() {}

    /** The run's parameters; every one has a command-line option of the same name (see {@link #main}). */
    record Options(int partitions, long windowSeconds, long collectorRate, long warmupSeconds, long measureSeconds,
            int[] correlatorCounts, long latencyRate, int latencyCorrelators, long latencyWarmupSeconds,
            long latencySeconds, String compression, String roleJvm, String brokerJvm, String serverJvm,
            int lapEvents, Path out) {

        static Options parse(String[] args) {
            Arguments options = Arguments.parse(args);
            return new Options(options.integer("partitions", 12), options.longValue("window", 5),
                    options.longValue("collector-rate", 250_000), options.longValue("warmup", 10),
                    options.longValue("measure", 20),
                    Arrays.stream(options.get("correlators", "1,2").split(",")).mapToInt(Integer::parseInt).toArray(),
                    options.longValue("latency-rate", 20_000), options.integer("latency-correlators", 2),
                    options.longValue("latency-warmup", 10), options.longValue("latency-seconds", 40),
                    options.get("compression", ""), options.get("role-jvm", ROLE_JVM),
                    options.get("broker-jvm", ChildJvms.BROKER_JVM),
                    options.get("server-jvm", EndToEndBenchmark.SERVER_JVM),
                    options.integer("lap-events", 500_000), Path.of(options.get("out", "bench/target/scale")));
        }

        /** The producer's compression as the roles run with it: the product's default unless overridden. */
        String compressionName() {
            return compression.isEmpty() ? "zstd (the default of kafka.producer.*)" : compression;
        }
    }

    /** Held so that the levels stay: JUL keeps loggers only weakly. */
    private static final List<Logger> QUIET = new ArrayList<>();

    public static void main(String[] args) throws IOException, InterruptedException {
        Options options = Options.parse(args);
        for (String name : List.of("org.apache.kafka", "kafka")) {
            Logger logger = Logger.getLogger(name);
            // the harness's own clients: INFO per partition, and a WARNING per retry while the broker starts
            logger.setLevel(Level.SEVERE);
            QUIET.add(logger);
        }
        Files.createDirectories(options.out());
        String machine = Report.machine();
        System.out.println(machine);
        long started = System.nanoTime();
        StringBuilder report = new StringBuilder();
        try (ChildJvms jvms = new ChildJvms(options.out());
                EndToEndBenchmark.Child server = EndToEndBenchmark.Child.start(
                        EndToEndBenchmark.loadServerCommand(options.serverJvm(), "--mode", "direct",
                                "--lap-events", Integer.toString(options.lapEvents())),
                        options.out().resolve("load-server.log"))) {
            String workload = server.readLineStartingWith("WORKLOAD ").substring("WORKLOAD ".length());
            Arguments ready = Arguments.fields(server.readLineStartingWith("READY "));
            String bootstrap = jvms.startBroker(options.brokerJvm());
            System.out.println("broker on " + bootstrap + "; load server: " + workload);
            try (KafkaMeter kafka = new KafkaMeter(bootstrap)) {
                ScalePhases phases = new ScalePhases(options, jvms, kafka, server, ready);
                ScalePhases.CollectorResult collector = phases.collector();
                System.out.println(ScaleReport.collector(collector));
                // the latency phase runs while the collector's topic ages past a correlator's replay (see
                // ScalePhases.correlators), so that a partition moved to a second member is not replayed from offset 0
                ScalePhases.LatencyResult latency = phases.latency();
                System.out.println(ScaleReport.latency(latency, options));
                List<ScalePhases.CorrelatorResult> correlators = new ArrayList<>();
                for (int count : options.correlatorCounts()) {
                    correlators.add(phases.correlators(count, collector));
                    System.out.println(ScaleReport.correlators(correlators));
                }
                report.append(ScaleReport.header(machine, workload, options, bootstrap))
                        .append(ScaleReport.collector(collector)).append('\n')
                        .append(ScaleReport.correlators(correlators)).append('\n')
                        .append(ScaleReport.latency(latency, options));
            }
            server.send("quit");
        }
        report.append(String.format(Locale.ROOT, "%nWhole run: %.0f s; load average at end: %s%n",
                (System.nanoTime() - started) / 1e9, Report.loadAverage()));
        Files.writeString(options.out().resolve("report.md"), report);
        System.out.println();
        System.out.println(report);
    }
}
