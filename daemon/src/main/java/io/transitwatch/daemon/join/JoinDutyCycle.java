package io.transitwatch.daemon.join;

/**
 * Single-threaded: run by the join thread only — the {@link JoinLoop}'s thread in the daemon, the
 * caller's thread in replay and in the benchmarks, which run exactly this loop.
 *
 * <p>One turn of the join, Agrona-agent style: the caller reads the clock once and passes it in; up
 * to a batch of events goes from the source into the engine; then the engine decides what is due,
 * at most a budget of verdicts. A source that had fewer events than a batch is drained: nothing of
 * any stream waits on our side, so idle streams' watermarks may advance with time (the "caught up"
 * of {@link JoinEngine#advance}); a full batch means more is waiting, and only events move them.
 */
public final class JoinDutyCycle {
    /** Events handed to the engine per turn at most. */
    public static final int BATCH = 4096;
    /** Verdicts decided per turn at most, so that a burst of expiries cannot stall the intake. */
    public static final int DECISION_BUDGET = 8192;

    private final EventSource source;
    private final JoinEngine engine;
    private final int batch;

    public JoinDutyCycle(EventSource source, JoinEngine engine) {
        this(source, engine, BATCH);
    }

    /** A cycle with a batch of {@code batch} events (the benchmarks use smaller ones). */
    public JoinDutyCycle(EventSource source, JoinEngine engine, int batch) {
        if (batch < 1) {
            throw new IllegalArgumentException("batch must be >= 1, was " + batch);
        }
        this.source = source;
        this.engine = engine;
        this.batch = batch;
    }

    /**
     * One turn at the daemon's time {@code nowNanos}.
     *
     * @return events handed over plus entries decided or expired; 0 means there was nothing to do
     */
    public int run(long nowNanos) {
        engine.setTime(nowNanos);
        int polled = source.poll(engine, batch);
        return polled + engine.advance(nowNanos, polled < batch, DECISION_BUDGET);
    }

    /**
     * Decides everything due at {@code nowNanos} once no more events will come before it (the end of
     * a replay, a drained test): turns of the decision budget until one decides nothing.
     */
    public void settle(long nowNanos) {
        engine.setTime(nowNanos);
        while (engine.advance(nowNanos, true, DECISION_BUDGET) > 0) {
            // one budget per round, as the live loop would spread them over its turns
        }
    }
}
