package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import java.lang.System.Logger.Level;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Owns the {@code transitwatch-sim-traffic} thread: every {@link #TICK_MILLIS} ms it reads the
 * injected clock once, plays the generator up to that instant, then runs the after-tick hook (which
 * wakes the streams that have something to send). Started and stopped by the simulator.
 */
public final class TrafficDriver implements AutoCloseable {
    public static final long TICK_MILLIS = 10;
    private static final System.Logger LOG = System.getLogger(TrafficDriver.class.getName());

    private final TrafficGenerator generator;
    private final Clock clock;
    private final Runnable afterTick;
    private final AtomicLong failures = new AtomicLong();
    private final ScheduledExecutorService thread =
            new ScheduledThreadPoolExecutor(1, NamedThreadFactory.daemon("sim-traffic"));

    public TrafficDriver(TrafficGenerator generator, Clock clock, Runnable afterTick) {
        this.generator = generator;
        this.clock = clock;
        this.afterTick = afterTick;
    }

    public void start() {
        thread.scheduleWithFixedDelay(this::tick, 0, TICK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** Ticks that failed (and were logged); the thread keeps ticking after a RuntimeException. */
    public long failures() {
        return failures.get();
    }

    private void tick() {
        try {
            generator.advanceTo(clock.epochNanos());
            afterTick.run();
        } catch (RuntimeException e) {
            if (failures.incrementAndGet() <= 10) {
                LOG.log(Level.ERROR, "simulated traffic tick failed", e);
            }
        }
    }

    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(5, TimeUnit.SECONDS)) {
                LOG.log(Level.WARNING, "traffic thread did not stop within 5 s");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
