package io.transitwatch.bench;

import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.TearDown;

/**
 * Single-threaded: the base of a JMH state, whose iteration hooks JMH calls on the benchmark thread.
 *
 * <p>Prints one {@link CpuTimeMeter} line per iteration (events per CPU-second of the benchmark
 * thread, and its share of the wall clock), beside JMH's own wall-clock score.
 */
public abstract class CpuMeteredState {
    private final CpuTimeMeter meter = new CpuTimeMeter();

    /** Events (or messages) the state has handed over so far. */
    protected abstract long eventsSoFar();

    /** What the printed line is about, e.g. {@code engine}. */
    protected abstract String meterLabel();

    @Setup(Level.Iteration)
    public void startIteration() {
        meter.start(eventsSoFar());
    }

    @TearDown(Level.Iteration)
    public void endIteration() {
        System.out.println(System.lineSeparator() + meter.stop(meterLabel(), eventsSoFar()));
    }
}
