package io.transitwatch.sinks.stdout;

import io.transitwatch.sinks.AlertSink;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.json.EventJson;
import io.transitwatch.sinks.text.EventText;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Confined to its dispatcher worker thread (see {@link AlertSink}): one line per event on the
 * stream it was given, or, with {@link Alerts#SUMMARY}, one line per incident change and per few
 * alerts, the rest counted ({@link AlertDigest}).
 *
 * <p>{@code main} passes {@code System.out}; nothing else in TransitWatch writes there, so stdout
 * can be piped into {@code jq} while logs go to stderr.
 */
public final class StdoutSink implements AlertSink {
    /** How each event is written. */
    public enum Format {
        /** One {@link EventJson} line per event (the default). */
        JSON,
        /** One {@link EventText} line per event. */
        TEXT
    }

    /** Which alerts get a line of their own ({@code stdout.alerts}). */
    public enum Alerts {
        /** Every incident change; per pair the first few alerts, then {@link AlertCount}s per interval. */
        SUMMARY,
        /** Every alert and every incident change. */
        EVERY
    }

    /** Alerts shown one by one per incident and the count interval of {@link Alerts#SUMMARY}, unless configured. */
    public static final int DEFAULT_FIRST_ALERTS = 3;
    public static final Duration DEFAULT_SUMMARY_INTERVAL = Duration.ofSeconds(10);

    private final PrintStream out;
    private final Format format;
    private final AlertDigest digest;

    /** Every alert on its own line ({@link Alerts#EVERY}). */
    public StdoutSink(PrintStream out, Format format) {
        this(out, format, Alerts.EVERY, DEFAULT_FIRST_ALERTS, DEFAULT_SUMMARY_INTERVAL);
    }

    /**
     * @param firstAlerts     {@link Alerts#SUMMARY}: alerts of a pair printed one by one before counting starts
     * @param summaryInterval {@link Alerts#SUMMARY}: how long a count of the other alerts runs before it is printed
     */
    public StdoutSink(PrintStream out, Format format, Alerts alerts, int firstAlerts, Duration summaryInterval) {
        this.out = Objects.requireNonNull(out, "out");
        this.format = Objects.requireNonNull(format, "format");
        this.digest = Objects.requireNonNull(alerts, "alerts") == Alerts.SUMMARY
                ? new AlertDigest(firstAlerts, summaryInterval) : null;
    }

    @Override
    public String name() {
        return "stdout";
    }

    @Override
    public CompletableFuture<Void> publish(List<SinkEvent> batch) {
        if (digest == null) {
            return write(batch);
        }
        List<Object> lines = new ArrayList<>(batch.size());
        for (SinkEvent event : batch) {
            digest.add(event, lines);
        }
        return write(lines);
    }

    private CompletableFuture<Void> write(List<?> items) {
        if (items.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        StringBuilder lines = new StringBuilder(items.size() * 512);
        for (Object item : items) {
            lines.append(render(item)).append('\n');
        }
        // One write per batch keeps lines whole even if someone else shares the stream.
        out.print(lines);
        out.flush();
        // PrintStream swallows IOExceptions (a closed pipe); checkError() is the only way to see them.
        return out.checkError()
                ? CompletableFuture.failedFuture(new java.io.IOException("writing to the output stream failed"))
                : CompletableFuture.completedFuture(null);
    }

    private String render(Object item) {
        if (item instanceof AlertCount count) {
            return format == Format.JSON ? count.json() : count.text();
        }
        SinkEvent event = (SinkEvent) item;
        return format == Format.JSON ? EventJson.encode(event) : EventText.format(event);
    }

    /** Prints the counts still running, so that nothing taken is left unsaid, then flushes. */
    @Override
    public CompletableFuture<Void> flush() {
        if (digest != null) {
            List<Object> counts = new ArrayList<>();
            digest.drain(counts);
            CompletableFuture<Void> written = write(counts);
            out.flush();
            return written;
        }
        out.flush();
        return CompletableFuture.completedFuture(null);
    }

    /** Flushes, but does not close the stream: it belongs to whoever passed it in (usually {@code System.out}). */
    @Override
    public void close() {
        out.flush();
    }
}
