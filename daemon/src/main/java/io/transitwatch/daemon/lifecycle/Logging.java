package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.StreamHandler;

/**
 * Called once by {@code main} before any thread starts. Routes every log record (ours through
 * {@link System.Logger}, grpc-java's through JUL, Kafka's through slf4j-jdk14) to one-line
 * records on stderr, so that stdout carries only alerts and command output. A record that carries
 * a throwable is followed by its stack trace, one indented line per frame (causes and suppressed
 * exceptions included), so that a logged failure can be traced to its line of code. Records of
 * the libraries (grpc-java, Netty, Kafka) are one line each, without stack traces, at most one a
 * minute per logger ({@link ForeignLogThrottle}).
 */
public final class Logging {
    /**
     * Loggers held strongly (JUL forgets the level of a logger nobody references) with the least
     * level they log at: grpc-java and netty are chatty about transport details an operator cannot
     * act on, the Kafka client logs its whole configuration at INFO, and at DEBUG the JDK's HTTP
     * client logs request URLs, which for Slack are secrets.
     */
    private static final java.util.Map<Logger, Level> QUIETED = java.util.Map.of(
            Logger.getLogger("io.grpc"), Level.WARNING,
            Logger.getLogger("io.grpc.netty.shaded"), Level.WARNING,
            Logger.getLogger("org.apache.kafka"), Level.WARNING,
            Logger.getLogger("jdk.internal.httpclient.debug"), Level.INFO);

    private Logging() {}

    public static void configure() {
        configure(Level.INFO);
    }

    /** How often one library logger may write a line. */
    static final Duration FOREIGN_INTERVAL = Duration.ofMinutes(1);

    public static void configure(Level level) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        root.addHandler(oneLineHandler(System.err, Clock.SYSTEM));
        root.setLevel(level);
        QUIETED.forEach((logger, quietLevel) -> logger.setLevel(quietLevel));
    }

    /** The handler {@link #configure} installs, writing to {@code out}; closing it leaves {@code out} open. */
    static Handler oneLineHandler(OutputStream out, Clock clock) {
        return new OneLineHandler(out, new ForeignLogThrottle(clock, FOREIGN_INTERVAL));
    }

    /**
     * Thread-safe: {@link StreamHandler} publishes under its lock.
     *
     * <p>One-line records, flushed one by one; the libraries' records through {@link ForeignLogThrottle}.
     */
    private static final class OneLineHandler extends StreamHandler {
        private final ForeignLogThrottle throttle;

        OneLineHandler(OutputStream out, ForeignLogThrottle throttle) {
            super(out, new OneLineFormatter());
            this.throttle = throttle;
            setLevel(Level.ALL);
        }

        @Override
        public synchronized void publish(LogRecord record) {
            if (!isLoggable(record)) {
                return;
            }
            LogRecord shown = throttle.admit(record);
            if (shown != null) {
                super.publish(shown);
                flush();
            }
        }

        @Override
        public synchronized void close() {
            flush(); // the stream is System.err (or a test's): it outlives logging
        }
    }

    /**
     * Thread-safe (stateless): JUL handlers call it from any logging thread.
     *
     * <p>{@code 2026-11-21T15:24:00.123Z WARN  ingest.NodeStream message}, then, if the record has a
     * throwable, its stack trace as {@link Throwable#printStackTrace()} writes it, each line indented
     * by two spaces ({@code "  java.lang.IllegalStateException: ..."}, {@code "    at ..."},
     * {@code "  Caused by: ..."}).
     */
    static final class OneLineFormatter extends Formatter {
        @Override
        public String format(LogRecord record) {
            StringBuilder line = new StringBuilder(160);
            line.append(Instant.ofEpochMilli(record.getMillis())).append(' ');
            line.append(levelName(record.getLevel())).append(' ');
            String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
            line.append(logger.startsWith("io.transitwatch.") ? logger.substring(16) : logger).append(' ');
            line.append(formatMessage(record)).append(System.lineSeparator());
            if (record.getThrown() != null) {
                appendStackTrace(line, record.getThrown());
            }
            return line.toString();
        }

        private static void appendStackTrace(StringBuilder out, Throwable thrown) {
            StringWriter trace = new StringWriter(1024);
            try (PrintWriter writer = new PrintWriter(trace)) {
                thrown.printStackTrace(writer);
            }
            trace.toString().lines().forEach(frame -> {
                int tabs = 0;
                while (tabs < frame.length() && frame.charAt(tabs) == '\t') {
                    tabs++;
                }
                out.append("  ").append("  ".repeat(tabs)).append(frame, tabs, frame.length())
                        .append(System.lineSeparator());
            });
        }

        private static String levelName(Level level) {
            if (level.intValue() >= Level.SEVERE.intValue()) {
                return "ERROR";
            }
            if (level.intValue() >= Level.WARNING.intValue()) {
                return "WARN ";
            }
            if (level.intValue() >= Level.INFO.intValue()) {
                return "INFO ";
            }
            return "DEBUG";
        }
    }
}
