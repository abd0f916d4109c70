package io.transitwatch.bench.e2e;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import org.HdrHistogram.Histogram;

/**
 * Stateless; {@link #take} reads process-wide JVM counters and may be called from any thread.
 *
 * <p>What a pipeline process measures about itself: CPU time per thread role (ThreadMXBean, so the
 * join thread, the ingest threads and the sink threads are told apart), the process's CPU time
 * (GC and JIT included), GC counts, the join's counters; and at the end, the live heap after a full
 * GC and the resident set size from {@code /proc/self/status}.
 */
final class Measurements {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private Measurements() {}

    /** Counters at one moment. CPU in nanoseconds per {@link Pipeline.Role} ordinal. */
    record Snapshot(long wallNanos, long joined, long matched, long lost, long unverified, long[] cpuByRole, long processCpuNanos,
            long gcCount, long gcMillis, long allocatedBytes) {}

    static Snapshot take(Pipeline pipeline) {
        long[] cpu = new long[Pipeline.Role.values().length];
        long[] ids = THREADS.getAllThreadIds();
        ThreadInfo[] infos = THREADS.getThreadInfo(ids);
        long allocated = allocatedBytes(ids);
        for (int i = 0; i < ids.length; i++) {
            long time = THREADS.getThreadCpuTime(ids[i]);
            if (infos[i] != null && time > 0) {
                cpu[pipeline.roleOf(infos[i].getThreadName()).ordinal()] += time;
            }
        }
        long gcCount = 0;
        long gcMillis = 0;
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcMillis += Math.max(0, gc.getCollectionTime());
        }
        long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
        return new Snapshot(System.nanoTime(), pipeline.joinedFlows(), pipeline.matched(), pipeline.lost(),
                pipeline.unverified(), cpu,
                process, gcCount, gcMillis, allocated);
    }

    /**
     * Bytes the given threads allocated so far, summed: the end-to-end allocation of the pipeline (ingest,
     * hand-off, join, sinks). Threads that ended between two snapshots drop out of the sum, so the
     * difference undercounts only when threads come and go during the span (the pipelines' do not).
     */
    static long allocatedBytes(long[] ids) {
        if (!(THREADS instanceof com.sun.management.ThreadMXBean allocation)
                || !allocation.isThreadAllocatedMemorySupported()) {
            return -1;
        }
        long sum = 0;
        for (long bytes : allocation.getThreadAllocatedBytes(ids)) {
            sum += Math.max(0, bytes);
        }
        return sum;
    }

    /**
     * The measured span between two snapshots as a {@code RESULT name=value ...} line (CPU in ns,
     * latency in µs, memory in bytes), with the latency histogram of the span and memory read now.
     */
    static String resultLine(String pipeline, long rate, Snapshot start, Snapshot end, Histogram latency,
            long liveHeapBytes) {
        StringBuilder line = new StringBuilder("RESULT pipeline=").append(pipeline).append(" rate=").append(rate);
        append(line, "nanos", end.wallNanos() - start.wallNanos());
        append(line, "joined", end.joined() - start.joined());
        append(line, "matched", end.matched() - start.matched());
        append(line, "lost", end.lost() - start.lost());
        append(line, "unverified", end.unverified() - start.unverified());
        for (Pipeline.Role role : Pipeline.Role.values()) {
            append(line, "cpu" + role, end.cpuByRole()[role.ordinal()] - start.cpuByRole()[role.ordinal()]);
        }
        append(line, "cpuProcess", end.processCpuNanos() - start.processCpuNanos());
        append(line, "gcCount", end.gcCount() - start.gcCount());
        append(line, "gcMillis", end.gcMillis() - start.gcMillis());
        append(line, "allocated", start.allocatedBytes() < 0 ? -1 : end.allocatedBytes() - start.allocatedBytes());
        append(line, "latencyCount", latency.getTotalCount());
        append(line, "p50", latency.getValueAtPercentile(50));
        append(line, "p99", latency.getValueAtPercentile(99));
        append(line, "max", latency.getMaxValue());
        append(line, "liveHeap", liveHeapBytes);
        append(line, "rss", procStatus("VmRSS"));
        append(line, "rssPeak", procStatus("VmHWM"));
        append(line, "load1x100", Math.round(100 * loadAverage1()));
        return line.toString();
    }

    /** The 1-minute load average: other processes on the machine take CPU from the run. */
    static double loadAverage1() {
        return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
    }

    /** Heap in use after a full collection: what the pipeline really keeps. */
    static long liveHeapBytes() {
        System.gc();
        System.gc();
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    /** A {@code kB} value of {@code /proc/self/status} in bytes (VmRSS, VmHWM); -1 where there is none. */
    static long procStatus(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field + ":")) {
                    return Long.parseLong(line.substring(field.length() + 1).replace("kB", "").trim()) * 1024;
                }
            }
            return -1;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (UnsupportedOperationException e) {
            return -1;
        }
    }

    private static void append(StringBuilder line, String name, long value) {
        line.append(' ').append(name).append('=').append(value);
    }
}
