package io.transitwatch.bench.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import jdk.jfr.Configuration;
import jdk.jfr.Recording;
import org.HdrHistogram.Histogram;

/**
 * Single-threaded main. One measured run of one pipeline in a fresh JVM, started by
 * {@link EndToEndBenchmark}: start the pipeline against the load server, let it warm up, print
 * {@code MEASURE_START}, measure, print {@code MEASURE_END} (the benchmark reads the load server's
 * counters at both marks), then print the {@code RESULT} line of {@link Measurements#resultLine}.
 *
 * <p>{@code --pipeline transitwatch|baseline --mode relay|direct --target T --pod-cidrs P --rate R
 * --warmup SECONDS --measure SECONDS [--window-ms 5000] [--jfr FILE] [--phases name:seconds,...]}; with
 * {@code --jfr}, a JFR recording with the JDK's {@code profile} settings covers exactly the measured
 * span; with {@code --phases}, the overload run of {@link OverloadPhases} replaces the one measured span.
 */
public final class PipelineRun {
    private PipelineRun() {}

    public static void main(String[] args) throws InterruptedException, IOException, ParseException {
        Arguments arguments = Arguments.parse(args);
        String kind = arguments.get("pipeline", "transitwatch");
        Pipeline.Target target = new Pipeline.Target(
                LoadServer.Mode.valueOf(arguments.get("mode", "relay").toUpperCase(java.util.Locale.ROOT)),
                arguments.get("target", null), arguments.get("pod-cidrs", null),
                Duration.ofMillis(arguments.longValue("window-ms", 5_000)));
        try (Pipeline pipeline = Pipeline.start(kind, target)) {
            Thread.sleep(arguments.longValue("warmup", 10) * 1_000);
            String phases = arguments.get("phases", null);
            if (phases != null) {
                OverloadPhases.run(pipeline, kind, phases);
                System.exit(0);
            }
            Recording profile = profile(arguments.get("jfr", null));
            System.out.println("MEASURE_START");
            System.out.flush();
            Measurements.Snapshot start = Measurements.take(pipeline);
            pipeline.latency().reset();
            Thread.sleep(arguments.longValue("measure", 20) * 1_000);
            Measurements.Snapshot end = Measurements.take(pipeline);
            Histogram latency = pipeline.latency().sinceReset();
            if (profile != null) {
                profile.stop();
                profile.close();
            }
            System.out.println("MEASURE_END");
            System.out.flush();
            long liveHeap = Measurements.liveHeapBytes();
            System.out.println(Measurements.resultLine(kind, arguments.longValue("rate", 0), start, end, latency,
                    liveHeap));
            System.out.flush();
            System.err.println(pipeline.diagnostics());
        }
        System.exit(0);
    }

    /** A JFR recording with the {@code profile} settings, started now and written to {@code file} when stopped. */
    private static Recording profile(String file) throws IOException, ParseException {
        if (file == null) {
            return null;
        }
        Recording recording = new Recording(Configuration.getConfiguration("profile"));
        recording.setDestination(Path.of(file));
        recording.start();
        return recording;
    }
}
