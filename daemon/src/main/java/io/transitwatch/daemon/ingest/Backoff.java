package io.transitwatch.daemon.ingest;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Single thread: owned by one stream, used on whichever thread schedules its reconnect.
 *
 * <p>Exponential reconnect delay with jitter, like grpc-java's {@code ExponentialBackoffPolicy}:
 * starts at {@code min}, grows by 1.6 per attempt up to {@code max}, each delay drawn uniformly
 * within ±20 %, so that nodes that failed together do not reconnect in lock-step.
 */
final class Backoff {
    private static final double MULTIPLIER = 1.6;
    private static final double JITTER = 0.2;

    private final long minNanos;
    private final long maxNanos;
    private final RandomGenerator random;
    private long nextNanos;

    Backoff(Duration min, Duration max, RandomGenerator random) {
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.random = random;
        this.nextNanos = minNanos;
    }

    /** The delay before the next attempt; each call lengthens the following one. */
    long nextDelayNanos() {
        long current = nextNanos;
        nextNanos = (long) Math.min(current * MULTIPLIER, maxNanos);
        double jitter = 1 + JITTER * (2 * random.nextDouble() - 1);
        return Math.max(1, (long) (current * jitter));
    }

    /** After a connection that worked: the next failure starts again from {@code min}. */
    void reset() {
        nextNanos = minNanos;
    }
}
