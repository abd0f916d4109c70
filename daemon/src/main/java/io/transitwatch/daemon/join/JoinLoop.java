package io.transitwatch.daemon.join;

import io.transitwatch.daemon.clock.Clock;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Thread-safe lifecycle ({@link #start()} and {@link #close()} from any thread; {@link #isRunning()},
 * {@link #isStalled()}, {@link #cycleAgeNanos()}, {@link #errorCount()} and {@link #stoppedBy()} read
 * from any thread); the duty cycle runs on the one join thread it owns, the single writer of all
 * join state and the only caller of the error handler.
 *
 * <p>The join's duty cycle, Agrona-agent style: read the clock once, drain up to a batch of events
 * from the source into the engine, decide what is due, and park briefly only when there was nothing
 * to do. Verdicts are time-driven (a blackholed pair is silent), so the loop keeps ticking when no
 * events come.
 *
 * <h2>Failures</h2>
 * Whatever a cycle throws — an event the engine fails on (the hand-off ring skips that event and
 * rethrows), or a failure while deciding verdicts — is counted ({@link #errorCount()}, exposed as
 * {@code transitwatch_join_errors_total}) and handed to the error handler, which the lifecycle code
 * supplies (it logs, throttled; this package logs nothing). The loop then backs off instead of
 * spinning: it parks 1 ms after the first failed cycle, twice as long after each further
 * consecutive one, at most 1 s, and runs at full speed again after the first clean cycle. An
 * {@link Error} is counted and handed over too, and then ends the join thread: {@link #isRunning()}
 * turns false (the liveness and readiness probes fail) and {@link #stoppedBy()} tells why.
 *
 * <h2>Stalls</h2>
 * A thread that is alive but stuck in one cycle (a deadlock, an endless loop, an error handler that
 * blocks) decides nothing, and its being alive would keep the probes green while every alert stops.
 * Each cycle therefore records when it started; {@link #isStalled()} is true once the current cycle
 * has run for {@link #STALL_AFTER_NANOS} without a next one starting. A cycle is bounded (a batch of
 * events, a bounded number of verdicts, an error pause of at most 1 s), so it takes milliseconds:
 * that much time in one cycle is no slowness but a stuck thread, the case a restart cures.
 */
public final class JoinLoop implements AutoCloseable {
    private static final long IDLE_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The pause after the first of consecutive failed cycles; it doubles with each further one. */
    static final long MIN_ERROR_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    /** The longest pause between failed cycles. */
    static final long MAX_ERROR_PAUSE_NANOS = TimeUnit.SECONDS.toNanos(1);
    /**
     * How long one cycle may run before the loop counts as stalled: far above a cycle's milliseconds
     * and a garbage collection's pause, far below the minutes an operator would wait for an alert.
     */
    public static final long STALL_AFTER_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final JoinDutyCycle dutyCycle;
    private final Clock clock;
    private final Consumer<Throwable> errorHandler;
    private final Thread thread;
    private final AtomicLong errors = new AtomicLong();
    /** Clock time at which the current (or last) cycle started; 0 before the first. Written once per cycle. */
    private final AtomicLong cycleStartedNanos = new AtomicLong();
    private volatile boolean running = true;
    private volatile boolean started;
    private volatile Throwable stoppedBy;
    private long errorPauseNanos; // join thread only; 0 while cycles succeed
    private Error reportedFatal; // join thread only

    /**
     * @param errorHandler called on the join thread with every throwable a cycle threw, after it was
     *     counted; must not block for long (it delays the join)
     */
    public JoinLoop(EventSource source, JoinEngine engine, Clock clock, ThreadFactory threads,
            Consumer<Throwable> errorHandler) {
        this.dutyCycle = new JoinDutyCycle(source, engine);
        this.clock = clock;
        this.errorHandler = errorHandler;
        this.thread = threads.newThread(this::run);
    }

    public void start() {
        started = true;
        thread.start();
    }

    /** Whether the join thread is running (for liveness and readiness): false once it stopped, for whatever reason. */
    public boolean isRunning() {
        return started && stoppedBy == null && thread.isAlive();
    }

    /**
     * How long the cycle now running has been running (or, between cycles, since the last one
     * started), on the loop's clock; 0 before the first cycle.
     */
    public long cycleAgeNanos() {
        long started = cycleStartedNanos.get();
        return started == 0 ? 0 : Math.max(0, clock.epochNanos() - started);
    }

    /** Whether the join thread, though running, has been in one cycle for {@link #STALL_AFTER_NANOS} or more. */
    public boolean isStalled() {
        return isRunning() && cycleAgeNanos() >= STALL_AFTER_NANOS;
    }

    /** Where the join thread is now, innermost frame first (for a stall's report); empty once it ended. */
    public StackTraceElement[] stack() {
        return thread.getStackTrace();
    }

    /** Throwables the duty cycle threw since start (events skipped, cycles cut short, and a fatal one). */
    public long errorCount() {
        return errors.get();
    }

    /** What ended the join thread ({@link Error}, or a failure of the error handler itself), or null. */
    public Throwable stoppedBy() {
        return stoppedBy;
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
        try {
            while (running) {
                if (cycle() == 0) {
                    LockSupport.parkNanos(IDLE_PARK_NANOS);
                }
            }
            // Drain what the ingest handed over before it stopped; bounded, in case the engine keeps failing.
            for (int round = 0; round < 1_000 && cycle() > 0; round++) {
                Thread.onSpinWait();
            }
        } catch (Throwable t) { // an Error (counted and reported), or the error handler's own failure
            stoppedBy = t;
            if (t != reportedFatal) {
                throw t; // reported by no one yet: the thread's uncaught-exception handler prints it
            }
        }
    }

    /** One duty cycle and its failure handling: the work done, or 1 after a reported failure. */
    private int cycle() {
        try {
            int work = dutyCycle();
            errorPauseNanos = 0;
            return work;
        } catch (Error fatal) {
            running = false;
            report(fatal);
            reportedFatal = fatal;
            throw fatal;
        } catch (Throwable t) {
            report(t);
            backOff();
            return 1;
        }
    }

    private int dutyCycle() {
        long now = clock.epochNanos();
        cycleStartedNanos.lazySet(now); // a plain store in effect: readers only need it within a cycle's time
        return dutyCycle.run(now);
    }

    private void report(Throwable failure) {
        errors.incrementAndGet();
        try {
            errorHandler.accept(failure);
        } catch (Throwable handlerFailure) {
            if (handlerFailure != failure) {
                handlerFailure.addSuppressed(failure); // so that the original is printed with it
            }
            throw handlerFailure;
        }
    }

    /** Parks for a pause that doubles with each consecutive failed cycle; not while closing (close() unparks). */
    private void backOff() {
        errorPauseNanos = errorPauseNanos == 0 ? MIN_ERROR_PAUSE_NANOS
                : Math.min(errorPauseNanos * 2, MAX_ERROR_PAUSE_NANOS);
        if (running) {
            LockSupport.parkNanos(errorPauseNanos);
        }
    }
}
