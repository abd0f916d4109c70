package io.transitwatch.daemon.clock;

/**
 * Thread-safe: implementations may be read from any thread.
 *
 * <p>The daemon's notion of "now", injected everywhere time matters, so that windows, watermarks,
 * backoff and grouping can be driven by tests. Hubble's event time ({@code Flow.time}) is a
 * different thing and is never read from here.
 */
@FunctionalInterface
public interface Clock {
    /** Wall-clock time in nanoseconds since the Unix epoch. */
    long epochNanos();

    /** The JVM's wall clock, with the best precision the platform gives. */
    Clock SYSTEM = () -> {
        java.time.Instant now = java.time.Instant.now();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
}
