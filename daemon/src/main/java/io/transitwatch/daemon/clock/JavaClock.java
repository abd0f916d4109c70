package io.transitwatch.daemon.clock;

import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/** Thread-safe: a {@link java.time.Clock} view of the daemon's {@link Clock}, for libraries that take one. */
public final class JavaClock extends java.time.Clock {
    private final Clock clock;

    private JavaClock(Clock clock) {
        this.clock = clock;
    }

    public static java.time.Clock of(Clock clock) {
        return new JavaClock(clock);
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public java.time.Clock withZone(ZoneId zone) {
        return this;
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochSecond(0, clock.epochNanos());
    }
}
