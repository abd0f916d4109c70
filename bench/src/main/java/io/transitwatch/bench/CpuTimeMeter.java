package io.transitwatch.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;

/**
 * Single-threaded: used by the benchmark thread around each measurement iteration.
 *
 * <p>Events per second of the benchmark thread's own CPU time. On a shared 2-core machine other
 * processes take the core away now and then; JMH's score is per wall-clock second and drops with
 * them, this figure does not (cache pollution by the other processes still shows). Both are printed.
 */
public final class CpuTimeMeter {
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private long cpuStart;
    private long wallStart;
    private long eventsStart;

    public void start(long eventsSoFar) {
        eventsStart = eventsSoFar;
        wallStart = System.nanoTime();
        cpuStart = threads.getCurrentThreadCpuTime();
    }

    /** One line: events per CPU-second and the share of wall time the thread was on a CPU. */
    public String stop(String what, long eventsSoFar) {
        long cpu = threads.getCurrentThreadCpuTime() - cpuStart;
        long wall = System.nanoTime() - wallStart;
        long events = eventsSoFar - eventsStart;
        return String.format("[%s] %,.0f events/cpu-s, on CPU %.0f%% of the iteration", what,
                events * 1e9 / Math.max(1, cpu), 100.0 * cpu / Math.max(1, wall));
    }
}
