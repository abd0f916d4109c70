package io.transitwatch.sinks.slack;

import java.time.Duration;
import java.time.Instant;

/**
 * Not thread-safe: used only by the Slack notifier thread. Limits messages to a sustained rate
 * with a small burst, reading time from the caller so that tests drive it with a manual clock.
 */
final class TokenBucket {
    private static final double NANOS_PER_SECOND = 1_000_000_000.0;

    private final double tokensPerNano;
    private final int capacity;
    private double tokens;
    private Instant refilledAt;

    TokenBucket(double tokensPerSecond, int capacity, Instant start) {
        this.tokensPerNano = tokensPerSecond / NANOS_PER_SECOND;
        this.capacity = capacity;
        this.tokens = capacity;
        this.refilledAt = start;
    }

    /** Takes a token if one is available at {@code now}. */
    boolean tryTake(Instant now) {
        refill(now);
        if (tokens >= 1.0) {
            tokens -= 1.0;
            return true;
        }
        return false;
    }

    /** When the next token will be available (now, if one is). */
    Instant nextTokenAt(Instant now) {
        refill(now);
        if (tokens >= 1.0) {
            return now;
        }
        long nanos = (long) Math.ceil((1.0 - tokens) / tokensPerNano);
        return now.plusNanos(nanos);
    }

    private void refill(Instant now) {
        if (now.isAfter(refilledAt)) {
            long elapsed = Duration.between(refilledAt, now).toNanos();
            tokens = Math.min(capacity, tokens + elapsed * tokensPerNano);
            refilledAt = now;
        }
    }
}
