package io.transitwatch.bench.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Single-threaded: run by the {@link EndToEndBenchmark} main thread.
 *
 * <p>The overload run of issue #12: TransitWatch in one JVM ({@link OverloadPhases}) at a normal
 * load (a quarter of the overload rate: 50% of saturation when that rate is twice saturation), then
 * at the overload rate, then at the normal load again. The report says, per phase: what was offered,
 * joined and skipped; the join thread's CPU per joined flow, and its ratio to the normal phase (goal:
 * ≤ 1.5×); the peak heap in use against the heap's limit; LOST verdicts next to the real losses the
 * server offered in the phase (a LOST above those is a false one); UNVERIFIED; and, for the last
 * phase, after how many seconds every following second joined ≥ 98% of the offered rate and decided
 * no more UNVERIFIED (goal: ≤ 10 s).
 */
final class Overload {
    private record Phase(String name, Report.Row row) {}

    private Overload() {}

    static String run(EndToEndBenchmark.Child server, long overloadRate, long normalSeconds, long overloadSeconds,
            List<String> pipelineCommand, List<String> runArgs, Arguments ready, Path out, String jvm)
            throws IOException {
        long normalRate = overloadRate / 4;
        String phases = "normal:" + normalSeconds + ",overload:" + overloadSeconds + ",recovery:" + normalSeconds;
        setRate(server, normalRate);
        List<String> command = new ArrayList<>(pipelineCommand);
        command.addAll(List.of("--pipeline", "transitwatch", "--rate", Long.toString(normalRate)));
        command.addAll(runArgs);
        command.addAll(List.of("--phases", phases));
        List<Phase> measured = new ArrayList<>();
        try (EndToEndBenchmark.Child child = EndToEndBenchmark.Child.start(command, out.resolve("overload.log"))) {
            LoadServer.Stats start = null;
            LoadServer.Stats end = null;
            for (String line; (line = child.readLine()) != null; ) {
                if (line.startsWith("PHASE ")) {
                    long rate = line.endsWith(" overload") ? overloadRate : normalRate;
                    server.send("rerate " + rate); // the daemon's open stream changes pace, as Hubble's load would
                    server.readLineStartingWith("OK");
                    start = server.stats();
                    child.send("go rate=" + rate);
                } else if (line.startsWith("PHASE_END ")) {
                    end = server.stats();
                } else if (line.startsWith("RESULT ")) {
                    Arguments result = Arguments.fields(line);
                    measured.add(new Phase(result.get("phase", "?"), new Report.Row(result, start, end)));
                    System.out.println("overload phase " + result.get("phase", "?") + ": " + line);
                }
            }
        }
        return report(measured, overloadRate, normalRate, ready, jvm);
    }

    private static void setRate(EndToEndBenchmark.Child server, long rate) throws IOException {
        server.send("rate " + rate);
        server.readLineStartingWith("OK");
    }

    private static String report(List<Phase> phases, long overloadRate, long normalRate, Arguments ready, String jvm) {
        if (phases.size() != 3) {
            return "\n### Overload run\n\nIncomplete: " + phases.size() + " of 3 phases measured; see overload.log.\n";
        }
        double lostPerMessage = ready.longValue("lost-per-lap", 0) / (double) Math.max(1, ready.longValue("messages", 1));
        double normalJoinCpu = joinNanosPerFlow(phases.get(0).row());
        StringBuilder md = new StringBuilder(String.format(Locale.ROOT,
                "%n### Overload run%n%nTransitWatch alone, one JVM (`%s`): %s flows/s offered, then %s flows/s, then %s "
                        + "again.%n%n| phase | offered flows/s | joined flows/s | skipped by server | join thread CPU per "
                        + "flow | vs normal | heap peak / limit | LOST / real losses offered | UNVERIFIED | allocated per flow |%n"
                        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n",
                jvm, Report.count(normalRate), Report.count(overloadRate), Report.count(normalRate)));
        for (Phase phase : phases) {
            Report.Row row = phase.row();
            Arguments r = row.result();
            double realLost = (row.serverEnd().offered() - row.serverStart().offered()) * lostPerMessage;
            double joinCpu = joinNanosPerFlow(row);
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.0f ns | %.2f× | %s / %s | %d / %.0f | %s | %s |%n",
                    phase.name(), Report.count(row.offeredPerSecond()), Report.count(row.joinedPerSecond()),
                    Report.count(row.skipped()), joinCpu, joinCpu / normalJoinCpu,
                    Report.bytes(r.longValue("heapPeak", -1)), Report.bytes(r.longValue("heapMax", -1)),
                    r.longValue("lost", 0), realLost, Report.count(r.longValue("unverified", 0)), row.allocatedPerFlow()));
        }
        Arguments recovery = phases.get(2).row().result();
        long[] joined = series(recovery.get("joinedBySecond", ""));
        long[] unverified = series(recovery.get("unverifiedBySecond", ""));
        int backAt = backToNormalAt(joined, unverified, normalRate);
        md.append(String.format(Locale.ROOT, "%nRecovery: %s. Joined per second after the load dropped: %s; "
                        + "UNVERIFIED decided per second: %s.%n",
                backAt == joined.length ? "**not back to normal within the phase**"
                        : "back to normal (from then on no UNVERIFIED decided, and every two adjacent seconds "
                                + "joined ≥ 98% of two seconds of the offered rate) after **" + backAt + " s**",
                Arrays.toString(joined), Arrays.toString(unverified)));
        return md.toString();
    }

    /**
     * The first second of a phase from which the pipeline was back to normal: from it on, no
     * UNVERIFIED verdict, and the flows joined in every two adjacent seconds at least 98 % of two
     * seconds at {@code rate}; {@code joined.length} if none. Two seconds, not one: on two cores
     * shared with the load server, the join thread is now and then descheduled across a counter
     * read, which moves a few percent of one second's flows into the next (the normal phase, before
     * any overload, shows it too); a pipeline that falls behind falls short over both seconds.
     */
    static int backToNormalAt(long[] joined, long[] unverified, long rate) {
        int seconds = joined.length;
        for (int from = 0; from < seconds; from++) {
            if (normalFrom(from, joined, unverified, rate)) {
                return from;
            }
        }
        return seconds;
    }

    private static boolean normalFrom(int from, long[] joined, long[] unverified, long rate) {
        int seconds = joined.length;
        for (int second = from; second < seconds; second++) {
            if (unverified[second] != 0) {
                return false;
            }
        }
        if (from == seconds - 1) {
            return joined[from] >= 0.98 * rate;
        }
        for (int second = from; second < seconds - 1; second++) {
            if (joined[second] + joined[second + 1] < 0.98 * 2 * rate) {
                return false;
            }
        }
        return true;
    }

    private static double joinNanosPerFlow(Report.Row row) {
        long joined = row.result().longValue("joined", 0);
        return joined == 0 ? 0 : row.result().longValue("cpuJOIN", 0) / (double) joined;
    }

    private static long[] series(String values) {
        return values.isEmpty() ? new long[0] : Arrays.stream(values.split(",")).mapToLong(Long::parseLong).toArray();
    }
}
