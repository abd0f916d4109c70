package io.transitwatch.daemon.join;

import io.transitwatch.daemon.clock.Clock;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Thread-safe lifecycle ({@link #start()} and {@link #close()} from any thread); the duty cycle runs
 * on the one join thread it owns, the single writer of all join state.
 *
 * <p>The join's duty cycle, Agrona-agent style: read the clock once, drain up to a batch of events
 * from the source into the engine, decide what is due, and park briefly only when there was nothing
 * to do. Verdicts are time-driven (a blackholed pair is silent), so the loop keeps ticking when no
 * events come. An exception from the engine is counted and handed to the error handler; the loop
 * goes on, except for an {@link Error}, which stops it.
 */
public final class JoinLoop implements AutoCloseable {
    private static final int BATCH = 4096;
    private static final int DECISION_BUDGET = 8192;
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final EventSource source;
    private final JoinEngine engine;
    private final Clock clock;
    private final Consumer<Throwable> errorHandler;
    private final Thread thread;
    private final AtomicLong errors = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean started;

    public JoinLoop(EventSource source, JoinEngine engine, Clock clock, ThreadFactory threads,
            Consumer<Throwable> errorHandler) {
        this.source = source;
        this.engine = engine;
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.thread = threads.newThread(this::run);
    }

    public void start() {
        started = true;
        thread.start();
    }

    /** Whether the join thread is running (for readiness). */
    public boolean isRunning() {
        return started && thread.isAlive();
    }

    public long errorCount() {
        return errors.get();
    }

    /** Stops the loop after a last drain of what is already in the source, and waits for the thread. */
    @Override
    public void close() {
        running = false;
        LockSupport.unpark(thread);
        if (started) {
            try {
                thread.join(TimeUnit.SECONDS.toMillis(10));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        while (running) {
            if (dutyCycle() == 0) {
                LockSupport.parkNanos(IDLE_PARK_NANOS);
            }
        }
        // Drain what the ingest handed over before it stopped; bounded, in case the engine keeps failing.
        for (int round = 0; round < 1_000 && dutyCycle() > 0; round++) {
            Thread.onSpinWait();
        }
    }

    private int dutyCycle() {
        try {
            long now = clock.epochNanos();
            engine.setTime(now);
            int polled = source.poll(engine, BATCH);
            return polled + engine.advance(now, polled < BATCH, DECISION_BUDGET);
        } catch (Error fatal) {
            errors.incrementAndGet();
            errorHandler.accept(fatal);
            running = false;
            throw fatal;
        } catch (Throwable t) {
            errors.incrementAndGet();
            errorHandler.accept(t);
            return 1;
        }
    }
}
