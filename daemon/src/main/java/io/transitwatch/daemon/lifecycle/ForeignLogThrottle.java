package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Thread-safe: JUL handlers call it from every logging thread; one lock around a small map.
 *
 * <p>What the libraries under us (grpc-java, Netty, Kafka) log, cut down to what an operator reads:
 * one line per record, without the stack trace grpc-java puts into the message itself (a name that
 * does not resolve gives a 14-line {@code UnknownHostException} trace on every resolution attempt,
 * some 20 a minute) or attaches to it; and per logger and level at most one line per
 * {@code interval}, the next one saying how many were left out. Our own records pass unchanged: our
 * streams already say what failed in one line, throttled ({@code ingest.StreamStateLog}). Time
 * comes from the injected {@link Clock}.
 */
final class ForeignLogThrottle {
    private static final String OURS = "io.transitwatch.";
    /** Only formats messages; never asked for a whole record. */
    private static final Formatter MESSAGES = new Formatter() {
        @Override
        public String format(LogRecord record) {
            return formatMessage(record);
        }
    };

    private final Clock clock;
    private final long intervalNanos;
    private final Map<String, Window> windows = new HashMap<>();

    /** When a logger (at one level) last got a line through, and how many were left out since. */
    private static final class Window {
        long shownAtNanos;
        long leftOut;
    }

    ForeignLogThrottle(Clock clock, Duration interval) {
        this.clock = clock;
        this.intervalNanos = interval.toNanos();
    }

    /** The record to publish: {@code record} itself if it is ours, a one-line copy, or null to leave it out. */
    LogRecord admit(LogRecord record) {
        String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
        if (logger.startsWith(OURS)) {
            return record;
        }
        long now = clock.epochNanos();
        long leftOut;
        synchronized (windows) {
            Window window = windows.computeIfAbsent(logger + ' ' + record.getLevel(), key -> new Window());
            if (window.shownAtNanos != 0 && now - window.shownAtNanos < intervalNanos) {
                window.leftOut++;
                return null;
            }
            leftOut = window.leftOut;
            window.shownAtNanos = now;
            window.leftOut = 0;
        }
        StringBuilder line = new StringBuilder(firstLine(MESSAGES.formatMessage(record)));
        Throwable thrown = record.getThrown();
        if (thrown != null) {
            line.append(" (").append(firstLine(String.valueOf(thrown)));
            for (Throwable cause = thrown.getCause(); cause != null && cause != cause.getCause(); cause = cause.getCause()) {
                line.append("; caused by ").append(firstLine(String.valueOf(cause)));
            }
            line.append(')');
        }
        if (leftOut > 0) {
            line.append(" [").append(leftOut).append(" more from this logger left out since its previous line]");
        }
        LogRecord shown = new LogRecord(record.getLevel(), line.toString());
        shown.setLoggerName(logger);
        shown.setInstant(record.getInstant());
        shown.setLongThreadID(record.getLongThreadID());
        shown.setSourceClassName(record.getSourceClassName());
        shown.setSourceMethodName(record.getSourceMethodName());
        return shown;
    }

    private static String firstLine(String text) {
        int end = text.indexOf('\n');
        return (end < 0 ? text : text.substring(0, end)).stripTrailing();
    }
}
