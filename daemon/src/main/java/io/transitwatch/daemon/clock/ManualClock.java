package io.transitwatch.daemon.clock;

import java.util.concurrent.atomic.AtomicLong;

/** Thread-safe: a clock that only moves when told to, for tests and offline replay. */
public final class ManualClock implements Clock {
    private final AtomicLong nanos;

    public ManualClock(long startEpochNanos) {
        this.nanos = new AtomicLong(startEpochNanos);
    }

    @Override
    public long epochNanos() {
        return nanos.get();
    }

    public void set(long epochNanos) {
        nanos.set(epochNanos);
    }

    public long advanceNanos(long delta) {
        return nanos.addAndGet(delta);
    }

    public long advanceMillis(long millis) {
        return advanceNanos(millis * 1_000_000L);
    }
}
