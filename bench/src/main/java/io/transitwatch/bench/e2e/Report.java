package io.transitwatch.bench.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Stateless. Turns measured runs into the Markdown of docs/benchmarks.md: the machine, one table
 * row per (offered rate, pipeline), and the ratio at saturation.
 */
public final class Report {
    private Report() {}

    /**
     * One measured run: the pipeline's {@code RESULT} line and the load server's counters over the
     * same span.
     */
    record Row(Arguments result, LoadServer.Stats serverStart, LoadServer.Stats serverEnd) {
        String pipeline() {
            return result.get("pipeline", "?");
        }

        long rate() {
            return result.longValue("rate", 0);
        }

        double seconds() {
            return result.longValue("nanos", 1) / 1e9;
        }

        double offeredPerSecond() {
            return (serverEnd.offered() - serverStart.offered()) / serverSeconds();
        }

        double sentPerSecond() {
            return (serverEnd.sent() - serverStart.sent()) / serverSeconds();
        }

        long skipped() {
            return serverEnd.skipped() - serverStart.skipped();
        }

        double joinedPerSecond() {
            return result.longValue("joined", 0) / seconds();
        }

        /** Kept up: nothing fell out of the server's ring, and the join processed ≥ 98% of what was offered. */
        boolean keptUp() {
            return skipped() == 0 && joinedPerSecond() >= 0.98 * offeredPerSecond();
        }

        /** Share of the span in which the server had flows due but the client's flow control said wait. */
        double pushBack() {
            int streams = Math.max(1, serverEnd.openStreams());
            return (serverEnd.notReadyNanos() - serverStart.notReadyNanos()) / (double) streams
                    / (serverEnd.nanos() - serverStart.nanos());
        }

        double serverCpu() {
            return (serverEnd.cpuNanos() - serverStart.cpuNanos()) / (double) (serverEnd.nanos() - serverStart.nanos());
        }

        double cpu(String role) {
            return result.longValue("cpu" + role, 0) / 1e9 / seconds();
        }

        /** Bytes allocated by the pipeline's threads per joined flow, end to end, as text ("?" where unknown). */
        String allocatedPerFlow() {
            long allocated = result.longValue("allocated", -1);
            long joined = result.longValue("joined", 0);
            return allocated < 0 || joined == 0 ? "?" : String.format(Locale.ROOT, "%.1f B", allocated / (double) joined);
        }

        double flowsPerCpuSecond(String role) {
            long cpu = result.longValue("cpu" + role, 0);
            return cpu == 0 ? 0 : result.longValue("joined", 0) / (cpu / 1e9);
        }

        private double serverSeconds() {
            return (serverEnd.nanos() - serverStart.nanos()) / 1e9;
        }
    }

    /** Rates, whether the pipeline kept up, and where the CPU went (100% = one core). */
    static String table(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        md.append("| offered flows/s | pipeline | sent by server/s | joined flows/s | kept up? | skipped by server "
                + "| client push-back | join thread CPU | ingest threads CPU | sink threads CPU | other threads CPU (GC, JIT) "
                + "| whole process CPU | load server CPU | machine load (1 min) |\n");
        md.append("|---:|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            md.append(String.format(Locale.ROOT,
                    "| %s | %s | %s | **%s** | %s | %s | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.0f%% | %.2f |\n",
                    count(row.rate()), row.pipeline(), count(row.sentPerSecond()), count(row.joinedPerSecond()),
                    row.keptUp() ? "yes" : "**no**", count(row.skipped()), 100 * row.pushBack(),
                    100 * row.cpu("JOIN"), 100 * row.cpu("INGEST"), 100 * row.cpu("SINK"),
                    100 * (row.cpu("Process") - row.cpu("JOIN") - row.cpu("INGEST") - row.cpu("SINK")),
                    100 * row.cpu("Process"), 100 * row.serverCpu(),
                    row.result().longValue("load1x100", 0) / 100.0));
        }
        return md.toString();
    }

    /** Flows per CPU-second, GC, verdicts, LOST verdict latency and memory. */
    static String costTable(List<Row> rows) {
        StringBuilder md = new StringBuilder();
        md.append("| offered flows/s | pipeline | flows per join-thread CPU-s | flows per ingest CPU-s "
                + "| flows per process CPU-s | allocated per flow | GC (count, ms) | LOST / UNVERIFIED verdicts "
                + "| LOST verdict latency p50 / p99 | live heap after GC | RSS (peak) |\n");
        md.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Row row : rows) {
            Arguments r = row.result();
            md.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | **%s** | %s | %d, %d | %s / %s | %s / %s | %s | %s (%s) |\n",
                    count(row.rate()), row.pipeline(), count(row.flowsPerCpuSecond("JOIN")),
                    count(row.flowsPerCpuSecond("INGEST")), count(row.flowsPerCpuSecond("Process")),
                    row.allocatedPerFlow(),
                    r.longValue("gcCount", 0), r.longValue("gcMillis", 0), count(r.longValue("lost", 0)),
                    count(r.longValue("unverified", 0)), millis(row, "p50"), millis(row, "p99"),
                    bytes(r.longValue("liveHeap", -1)), bytes(r.longValue("rss", -1)), bytes(r.longValue("rssPeak", -1))));
        }
        return md.toString();
    }

    /** Highest joined rate of each pipeline over the rates tried, and TransitWatch's ratio to each baseline. */
    static String ratio(List<Row> rows) {
        Optional<Row> ours = best(rows, "transitwatch");
        if (ours.isEmpty()) {
            return "";
        }
        StringBuilder text = new StringBuilder();
        rows.stream().map(Row::pipeline).filter(name -> !name.equals("transitwatch")).distinct().forEach(name -> {
            Row o = ours.get();
            Row b = best(rows, name).orElseThrow();
            text.append(String.format(Locale.ROOT, "Saturation: TransitWatch joined at most %s flows/s (offered %s/s), "
                            + "%s %s flows/s (offered %s/s): **%.2f×**. Per CPU-second of the whole process at those "
                            + "rates: %s vs %s flows (%.2f×); per CPU-second of the join thread: %s vs %s (%.2f×).%n%n",
                    count(o.joinedPerSecond()), count(o.rate()), name, count(b.joinedPerSecond()), count(b.rate()),
                    o.joinedPerSecond() / b.joinedPerSecond(), count(o.flowsPerCpuSecond("Process")),
                    count(b.flowsPerCpuSecond("Process")),
                    o.flowsPerCpuSecond("Process") / b.flowsPerCpuSecond("Process"), count(o.flowsPerCpuSecond("JOIN")),
                    count(b.flowsPerCpuSecond("JOIN")), o.flowsPerCpuSecond("JOIN") / b.flowsPerCpuSecond("JOIN")));
        });
        return text.toString();
    }

    static Optional<Row> best(List<Row> rows, String pipeline) {
        return rows.stream().filter(row -> row.pipeline().equals(pipeline))
                .max(Comparator.comparingDouble(Row::joinedPerSecond));
    }

    /** nproc, CPU model, memory, kernel, JDK and the load average, from /proc and the JVM. */
    public static String machine() {
        return String.format(Locale.ROOT, "%d cores (`nproc`), %s, %s RAM, Linux %s, %s %s; load average at start: %s",
                Runtime.getRuntime().availableProcessors(), procLine("/proc/cpuinfo", "model name"),
                bytes(Long.parseLong(procLine("/proc/meminfo", "MemTotal").replace("kB", "").trim()) * 1024),
                System.getProperty("os.version"), System.getProperty("java.vm.name"),
                System.getProperty("java.runtime.version"), loadAverage());
    }

    public static String loadAverage() {
        try {
            String[] fields = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return fields[0] + " " + fields[1] + " " + fields[2];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String procLine(String file, String key) {
        try {
            return Files.readAllLines(Path.of(file)).stream().filter(line -> line.startsWith(key)).findFirst()
                    .map(line -> line.substring(line.indexOf(':') + 1).trim()).orElse("?");
        } catch (IOException e) {
            return "?";
        }
    }

    private static String millis(Row row, String percentile) {
        if (row.result().longValue("latencyCount", 0) == 0) {
            return "–";
        }
        return String.format(Locale.ROOT, "%.0f ms", row.result().longValue(percentile, 0) / 1e3);
    }

    public static String count(double value) {
        if (value >= 1e6) {
            return String.format(Locale.ROOT, "%.2f M", value / 1e6);
        }
        if (value >= 1e3) {
            return String.format(Locale.ROOT, "%.1f k", value / 1e3);
        }
        return String.format(Locale.ROOT, "%.0f", value);
    }

    static String bytes(long value) {
        if (value < 0) {
            return "?";
        }
        if (value >= 1L << 30) {
            return String.format(Locale.ROOT, "%.2f GiB", value / (double) (1L << 30));
        }
        return String.format(Locale.ROOT, "%.0f MiB", value / (double) (1L << 20));
    }
}
