package io.transitwatch.sinks.internal;

import java.time.Duration;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Thread-safe: a {@link System.Logger} front that lets through at most {@code maxPerWindow}
 * records per window and counts the rest, so that a sink failing on every alert (broker down,
 * webhook revoked) writes a few lines a minute instead of thousands.
 *
 * <p>The first record let through after a quiet spell says how many were suppressed before it,
 * so nothing is silently lost from the operator's view. Shaped after OpenTelemetry's
 * {@code ThrottlingLogger}; the time source is injected so tests can step through windows.
 */
public final class ThrottledLogger {
    private final System.Logger logger;
    private final LongSupplier nanoTime;
    private final int maxPerWindow;
    private final long windowNanos;
    private final Object lock = new Object();
    private long windowStart;
    private int loggedInWindow;
    private long suppressedSinceLastLog;
    private long suppressedTotal;

    /**
     * @param logger       where records go
     * @param nanoTime     monotonic time source, e.g. {@code System::nanoTime}
     * @param maxPerWindow records let through per window, at least 1
     * @param window       length of a window, e.g. one minute
     */
    public ThrottledLogger(System.Logger logger, LongSupplier nanoTime, int maxPerWindow, Duration window) {
        this.logger = Objects.requireNonNull(logger, "logger");
        this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
        if (maxPerWindow < 1) {
            throw new IllegalArgumentException("maxPerWindow must be >= 1, was " + maxPerWindow);
        }
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, was " + window);
        }
        this.maxPerWindow = maxPerWindow;
        this.windowNanos = window.toNanos();
        this.windowStart = nanoTime.getAsLong();
    }

    /** Five records a minute: the default for sink failures. */
    public static ThrottledLogger perMinute(System.Logger logger, LongSupplier nanoTime) {
        return new ThrottledLogger(logger, nanoTime, 5, Duration.ofMinutes(1));
    }

    public void log(System.Logger.Level level, String message) {
        log(level, message, null);
    }

    /** Logs {@code message} (and {@code error}, if not null) unless this window's budget is spent. */
    public void log(System.Logger.Level level, String message, Throwable error) {
        if (!logger.isLoggable(level)) {
            return;
        }
        long suppressedBefore;
        synchronized (lock) {
            long now = nanoTime.getAsLong();
            if (now - windowStart >= windowNanos) {
                windowStart = now;
                loggedInWindow = 0;
            }
            if (loggedInWindow >= maxPerWindow) {
                suppressedSinceLastLog++;
                suppressedTotal++;
                return;
            }
            loggedInWindow++;
            suppressedBefore = suppressedSinceLastLog;
            suppressedSinceLastLog = 0;
        }
        String text = suppressedBefore == 0
                ? message
                : message + " (" + suppressedBefore + " similar messages suppressed before this one)";
        if (error == null) {
            logger.log(level, text);
        } else {
            logger.log(level, text, error);
        }
    }

    /** Records dropped by throttling since this logger was made. */
    public long suppressed() {
        synchronized (lock) {
            return suppressedTotal;
        }
    }
}
