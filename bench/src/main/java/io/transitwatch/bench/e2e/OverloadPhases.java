package io.transitwatch.bench.e2e;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.util.StringJoiner;
import org.HdrHistogram.Histogram;

/**
 * Single-threaded: runs on the main thread of a {@link PipelineRun} child JVM.
 *
 * <p>The pipeline's side of the overload run ({@link EndToEndBenchmark} {@code --overload-rate}):
 * measured phases one after another in the same JVM, at rates the harness sets on the load server
 * between them (normal load, 2× saturation, normal load again). Per phase it prints {@code PHASE
 * name}, waits for the harness's {@code go} on stdin (sent once the server runs at the phase's
 * rate), measures for the phase's seconds while sampling the heap in use every 100 ms and the join's
 * counters every second, prints {@code PHASE_END name} (the harness reads the server's counters),
 * then the phase's {@code RESULT} line with {@code phase}, {@code heapPeak}, {@code heapMax} and the
 * per-second series {@code joinedBySecond} (flows joined per second, each second's count scaled to
 * its measured length) and {@code unverifiedBySecond}, from which the harness tells when the
 * pipeline was back to normal.
 */
final class OverloadPhases {
    private static final long SAMPLE_MILLIS = 100;

    private OverloadPhases() {}

    /** {@code phases}: {@code name:seconds,name:seconds,...}. */
    static void run(Pipeline pipeline, String kind, String phases) throws IOException, InterruptedException {
        BufferedReader harness = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (String phase : phases.split(",")) {
            String name = phase.substring(0, phase.indexOf(':'));
            long seconds = Long.parseLong(phase.substring(phase.indexOf(':') + 1));
            System.out.println("PHASE " + name);
            System.out.flush();
            String go = harness.readLine();
            if (go == null || !go.startsWith("go")) {
                throw new IOException("expected 'go' from the harness, got " + go);
            }
            long rate = Arguments.fields(go).longValue("rate", 0);
            Measurements.Snapshot start = Measurements.take(pipeline);
            pipeline.latency().reset();
            long heapPeak = 0;
            StringJoiner joinedBySecond = new StringJoiner(",");
            StringJoiner unverifiedBySecond = new StringJoiner(",");
            long joined = start.joined();
            long unverified = start.unverified();
            // Seconds on deadlines from the phase's start, not ten sleeps each: a sleep oversleeps on a busy
            // machine, and the series' seconds would grow longer and drift. A second's joined count is scaled
            // to the second it took between its two counter reads.
            long phaseStart = System.nanoTime();
            long binStart = phaseStart;
            for (long second = 1; second <= seconds; second++) {
                for (long sample = 1; sample <= 1_000 / SAMPLE_MILLIS; sample++) {
                    sleepUntil(phaseStart + (second - 1) * 1_000_000_000L + sample * SAMPLE_MILLIS * 1_000_000L);
                    heapPeak = Math.max(heapPeak, memory.getHeapMemoryUsage().getUsed());
                }
                long binEnd = System.nanoTime();
                long joinedNow = pipeline.joinedFlows();
                long unverifiedNow = pipeline.unverified();
                joinedBySecond.add(Long.toString(Math.round((joinedNow - joined) * 1e9 / (binEnd - binStart))));
                unverifiedBySecond.add(Long.toString(unverifiedNow - unverified));
                joined = joinedNow;
                unverified = unverifiedNow;
                binStart = binEnd;
            }
            Measurements.Snapshot end = Measurements.take(pipeline);
            Histogram latency = pipeline.latency().sinceReset();
            System.out.println("PHASE_END " + name);
            System.out.flush();
            System.out.println(Measurements.resultLine(kind, rate, start, end, latency, -1) + " phase=" + name
                    + " heapPeak=" + heapPeak + " heapMax=" + memory.getHeapMemoryUsage().getMax()
                    + " joinedBySecond=" + joinedBySecond + " unverifiedBySecond=" + unverifiedBySecond);
            System.out.flush();
        }
        System.err.println(pipeline.diagnostics());
    }

    private static void sleepUntil(long deadlineNanos) throws InterruptedException {
        long left = deadlineNanos - System.nanoTime();
        if (left > 0) {
            Thread.sleep(left / 1_000_000, (int) (left % 1_000_000));
        }
    }
}
