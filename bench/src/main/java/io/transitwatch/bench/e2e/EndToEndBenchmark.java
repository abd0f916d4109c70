package io.transitwatch.bench.e2e;

import io.transitwatch.daemon.ingest.GrpcTransport;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Single-threaded main. The end-to-end benchmark: TransitWatch's daemon and the baseline pipeline
 * consume the same workload from the same load server over gRPC, at increasing offered rates, each
 * run in a fresh JVM ({@link PipelineRun}) so that heap, RSS and JIT state belong to that run alone.
 * The load server is its own JVM ({@link LoadServer#main}); at each run's measurement marks its
 * counters (offered, sent, skipped, push-back, its CPU) are read, so the comparison is over the same
 * span. Optionally one more run of each pipeline at one rate with a JFR profile of its measured span. Writes {@code report.md} in the output
 * directory and prints it.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.transitwatch.bench.e2e.EndToEndBenchmark \
 *     --mode relay --rates 10000,100000,250000,500000,1000000 --warmup 10 --measure 20 --profile-rate 1000000
 * </pre>
 *
 * <p>{@code --overload-rate R} adds the overload run ({@link Overload}): TransitWatch alone, R/4 (half
 * of saturation when R is twice it) for {@code --overload-normal} seconds, R for {@code
 * --overload-seconds}, R/4 again, in one JVM. {@code --overload-rate twice-saturation} takes R from
 * this invocation's sweep: twice the highest rate TransitWatch joined in it, so that the phases are
 * 50 % and 200 % of this host's saturation, as issue #12 defines them, on a slow host as on a fast one.
 * {@code --rates none} skips the rate sweep.
 */
public final class EndToEndBenchmark {
    public static final String PIPELINE_JVM = "-Xms1g -Xmx1g -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError";
    public static final String SERVER_JVM = "-Xms2g -Xmx2g -XX:+UseG1GC";

    private static final String TWICE_SATURATION = "twice-saturation";

    private EndToEndBenchmark() {}

    public static void main(String[] args) throws IOException, InterruptedException {
        Arguments options = Arguments.parse(args);
        String mode = options.get("mode", "relay");
        String rateList = options.get("rates", "10000,100000,1000000,2000000");
        long[] rates = rateList.equals("none") ? new long[0]
                : Arrays.stream(rateList.split(",")).mapToLong(Long::parseLong).toArray();
        String overloadOption = options.get("overload-rate", "0");
        boolean overloadFromSaturation = overloadOption.equals(TWICE_SATURATION);
        if (overloadFromSaturation && rates.length == 0) {
            throw new IllegalArgumentException("--overload-rate " + TWICE_SATURATION
                    + " needs a rate sweep to measure saturation in: give --rates, not --rates none");
        }
        long overloadRate = overloadFromSaturation ? 0 : Long.parseLong(overloadOption);
        List<String> pipelines = List.of(options.get("pipelines", "transitwatch,baseline,baseline-batched").split(","));
        String pipelineJvm = options.get("jvm", PIPELINE_JVM);
        long profileRate = options.longValue("profile-rate", 0);
        Path out = Path.of(options.get("out", "bench/target/e2e"));
        Files.createDirectories(out);
        String machine = Report.machine();
        System.out.println(machine);

        List<Report.Row> rows = new ArrayList<>();
        StringBuilder profiles = new StringBuilder();
        String overload = "";
        String workload;
        try (Child server = Child.start(command(options.get("server-jvm", SERVER_JVM), "LoadServer",
                "--mode", mode, "--lap-events", options.get("lap-events", "500000"),
                "--ring", options.get("ring", "65535")), out.resolve("load-server.log"))) {
            workload = server.readLineStartingWith("WORKLOAD ").substring("WORKLOAD ".length());
            Arguments ready = Arguments.fields(server.readLineStartingWith("READY "));
            System.out.println(workload);
            List<String> runArgs = List.of("--mode", mode, "--target", ready.get("target", null), "--pod-cidrs",
                    ready.get("pod-cidrs", null), "--warmup", options.get("warmup", "10"), "--measure",
                    options.get("measure", "20"));
            for (long rate : rates) {
                for (String pipeline : pipelines) {
                    run(server, pipeline, rate, pipelineJvm, runArgs, out, null).ifPresent(row -> {
                        rows.add(row);
                        System.out.println(Report.table(List.of(row)).lines().skip(2).findFirst().orElse(""));
                    });
                }
            }
            if (profileRate > 0) {
                for (String pipeline : pipelines) {
                    Path jfr = out.resolve(pipeline + "-" + profileRate + ".jfr").toAbsolutePath();
                    List<String> profileArgs = new ArrayList<>(runArgs);
                    profileArgs.addAll(List.of("--jfr", jfr.toString()));
                    run(server, pipeline, profileRate, pipelineJvm, profileArgs, out, "profile").ifPresent(row -> {
                        try {
                            List<ProfileSummary.Sample> samples = ProfileSummary.read(jfr);
                            profiles.append("\n**").append(pipeline).append("** at ").append(Report.count(profileRate))
                                    .append(" flows/s offered (joined ").append(Report.count(row.joinedPerSecond()))
                                    .append("/s), `").append(jfr.getFileName()).append("`:\n")
                                    .append(ProfileSummary.summarize(samples));
                            if (pipeline.equals("transitwatch")) {
                                // The recording slows the pipeline: its shares are applied to the run without it.
                                Report.Row unprofiled = rows.stream().filter(swept -> swept.pipeline().equals(pipeline)
                                        && swept.rate() == profileRate).findFirst().orElse(row);
                                profiles.append(decodeAndJoin(unprofiled, unprofiled == row,
                                        ProfileSummary.shareWithFrame(samples, "ingest", "io.transitwatch.daemon.")));
                            }
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    });
                }
            }
            if (overloadFromSaturation) {
                overloadRate = Report.best(rows, "transitwatch")
                        .map(row -> 2 * Math.round(row.joinedPerSecond() / 1_000.0) * 1_000)
                        .orElseThrow(() -> new IllegalStateException(
                                "no TransitWatch run of the sweep produced a result, so there is no saturation to "
                                        + "take the overload rate from; see the logs in " + out));
                System.out.println("overload rate: twice this run's saturation, " + overloadRate + " flows/s");
            }
            if (overloadRate > 0) {
                overload = Overload.run(server, overloadRate, options.longValue("overload-normal", 20),
                        options.longValue("overload-seconds", 60), command(pipelineJvm, "PipelineRun"), runArgs,
                        ready, out, pipelineJvm);
                if (overloadFromSaturation) {
                    overload += String.format("%nThe overload rate is twice this run's saturation: TransitWatch joined "
                            + "at most %s flows/s in the sweep above, so the phases ran at 50 %% and 200 %% of it.%n",
                            Report.count(overloadRate / 2.0));
                }
            }
            server.send("quit");
        }
        String report = "Machine: " + machine + "; load average at end: " + Report.loadAverage() + "\n\nWorkload: "
                + workload + ", mode " + mode + ", gRPC transport " + GrpcTransport.kind()
                + " (all pipelines), pipeline JVM `" + pipelineJvm + "`\n\n" + Report.table(rows) + "\n"
                + Report.costTable(rows) + "\n" + Report.ratio(rows) + profiles + overload;
        Files.writeString(out.resolve("report.md"), report);
        System.out.println();
        System.out.println(report);
    }

    /**
     * Decode + join end to end (issue #12's first figure): the join thread's CPU plus the part of the
     * ingest thread's CPU that its profile puts in TransitWatch's own code, against the flows joined.
     * The share is of the ingest's Java samples; its time in the kernel (socket reads) is not sampled
     * and is counted in full, so the figure errs against us.
     */
    static String decodeAndJoin(Report.Row row, boolean profiledRun, double ownShareOfIngest) {
        double cpu = row.cpu("JOIN") + ownShareOfIngest * row.cpu("INGEST");
        double transport = (1 - ownShareOfIngest) * row.cpu("INGEST");
        return String.format(Locale.ROOT, "- **decode + join, end to end**: %.0f %% of the ingest "
                        + "samples have a TransitWatch frame in their stack (the copy out of gRPC's buffers, decode, "
                        + "hand-off); applied to %s, decode and join took %.0f %% of a core (join %.0f %%, ingest's own "
                        + "%.0f %%) for %s flows/s: **%s flows per CPU-second**; gRPC's and Netty's part of the ingest "
                        + "took %.0f %% (%.2f µs per flow)%n",
                100 * ownShareOfIngest, profiledRun ? "this profiled run" : "the sweep's run at the same rate",
                100 * cpu, 100 * row.cpu("JOIN"), 100 * ownShareOfIngest * row.cpu("INGEST"),
                Report.count(row.joinedPerSecond()), Report.count(row.joinedPerSecond() / cpu), 100 * transport,
                1e6 * transport / row.joinedPerSecond());
    }

    /** One measured run in a fresh JVM; empty if it produced no result (its log says why). */
    private static java.util.Optional<Report.Row> run(Child server, String pipeline, long rate, String jvm,
            List<String> runArgs, Path out, String tag) throws IOException, InterruptedException {
        server.send("rate " + rate);
        server.readLineStartingWith("OK");
        List<String> args = new ArrayList<>(List.of("--pipeline", pipeline, "--rate", Long.toString(rate)));
        args.addAll(runArgs);
        String name = pipeline + "-" + rate + (tag == null ? "" : "-" + tag);
        LoadServer.Stats start = null;
        LoadServer.Stats end = null;
        String result = null;
        try (Child child = Child.start(command(jvm, "PipelineRun", args.toArray(String[]::new)),
                out.resolve(name + ".log"))) {
            for (String line; (line = child.readLine()) != null; ) {
                if (line.equals("MEASURE_START")) {
                    start = server.stats();
                } else if (line.equals("MEASURE_END")) {
                    end = server.stats();
                } else if (line.startsWith("RESULT ")) {
                    result = line;
                }
            }
        }
        Thread.sleep(2_000); // let the server retire the closed streams and the machine settle
        if (result == null || start == null || end == null) {
            System.out.println("run " + name + " produced no result; see " + out.resolve(name + ".log"));
            return java.util.Optional.empty();
        }
        return java.util.Optional.of(new Report.Row(Arguments.fields(result), start, end));
    }

    /** The command line of a {@link LoadServer} JVM with {@code args}, from this JVM's classpath. */
    public static List<String> loadServerCommand(String jvm, String... args) {
        return command(jvm, "LoadServer", args);
    }

    private static List<String> command(String jvm, String mainClass, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(Arrays.asList(jvm.trim().split("\\s+")));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(EndToEndBenchmark.class.getPackageName() + "." + mainClass);
        command.addAll(Arrays.asList(args));
        return command;
    }

    /** A child JVM: lines to its stdin, lines from its stdout, its stderr into a log file. */
    public static final class Child implements AutoCloseable {
        private final Process process;
        private final PrintWriter in;
        private final BufferedReader out;

        private Child(Process process) {
            this.process = process;
            this.in = new PrintWriter(process.getOutputStream(), true, StandardCharsets.UTF_8);
            this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        }

        public static Child start(List<String> command, Path log) throws IOException {
            return new Child(new ProcessBuilder(command).redirectError(log.toFile()).start());
        }

        public void send(String line) {
            in.println(line);
        }

        public String readLine() throws IOException {
            return out.readLine();
        }

        public String readLineStartingWith(String prefix) throws IOException {
            for (String line; (line = out.readLine()) != null; ) {
                if (line.startsWith(prefix)) {
                    return line;
                }
            }
            throw new IOException("child ended before printing " + prefix);
        }

        public LoadServer.Stats stats() throws IOException {
            send("stats");
            return LoadServer.Stats.parse(readLineStartingWith("STATS "));
        }

        /** Closes its stdin (the load server quits) and waits for it to exit, a minute at most. */
        @Override
        public void close() {
            in.close();
            try {
                if (!process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroy();
                    process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                process.destroy();
                Thread.currentThread().interrupt();
            }
        }
    }
}
