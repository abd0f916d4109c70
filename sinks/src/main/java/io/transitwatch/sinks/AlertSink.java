package io.transitwatch.sinks;

import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Confined to one thread: the {@link io.transitwatch.sinks.dispatch.SinkDispatcher} worker of this
 * sink calls {@code publish}, {@code flush} and {@code close}, never concurrently; the returned
 * futures may complete on any thread.
 *
 * <p>Where alerts and incident changes go (stdout, Kafka, Slack), shaped like OpenTelemetry's
 * {@code SpanExporter}. A sink must not block its caller for long: slow work (network I/O, retries,
 * grouping timers) belongs to the sink's client library or the sink's own thread, and its outcome
 * is counted by the sink.
 */
public interface AlertSink extends AutoCloseable {
    /** Short lower-case name used in thread names, metrics and logs: {@code stdout}, {@code kafka}, {@code slack}. */
    String name();

    /**
     * Takes a batch, in offer order. The future completes when the sink has taken the batch over:
     * written (stdout), handed to the Kafka producer, merged into Slack's notification groups. What
     * happens after that is counted by the sink itself. A future completed exceptionally means the
     * sink did not take the batch; the dispatcher counts it as failed.
     */
    CompletableFuture<Void> publish(List<SinkEvent> batch);

    /** Pushes out everything taken so far; the future completes when it is delivered or has failed. */
    CompletableFuture<Void> flush();

    /** Releases what the sink owns (threads, connections). Called once, after the last flush. */
    @Override
    void close();
}
