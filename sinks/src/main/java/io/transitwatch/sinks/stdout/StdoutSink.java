package io.transitwatch.sinks.stdout;

import io.transitwatch.sinks.AlertSink;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.json.EventJson;
import io.transitwatch.sinks.text.EventText;
import java.io.PrintStream;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;

/**
 * Confined to its dispatcher worker thread (see {@link AlertSink}): one line per event on the
 * stream it was given.
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

    private final PrintStream out;
    private final Format format;

    public StdoutSink(PrintStream out, Format format) {
        this.out = Objects.requireNonNull(out, "out");
        this.format = Objects.requireNonNull(format, "format");
    }

    @Override
    public String name() {
        return "stdout";
    }

    @Override
    public CompletableFuture<Void> publish(List<SinkEvent> batch) {
        StringBuilder lines = new StringBuilder(batch.size() * 512);
        for (SinkEvent event : batch) {
            lines.append(format == Format.JSON ? EventJson.encode(event) : EventText.format(event)).append('\n');
        }
        // One write per batch keeps lines whole even if someone else shares the stream.
        out.print(lines);
        out.flush();
        // PrintStream swallows IOExceptions (a closed pipe); checkError() is the only way to see them.
        return out.checkError()
                ? CompletableFuture.failedFuture(new java.io.IOException("writing to the output stream failed"))
                : CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletableFuture<Void> flush() {
        out.flush();
        return CompletableFuture.completedFuture(null);
    }

    /** Flushes, but does not close the stream: it belongs to whoever passed it in (usually {@code System.out}). */
    @Override
    public void close() {
        out.flush();
    }
}
