package io.transitwatch.sinks.dispatch;

/**
 * Thread-safe: a live, read-only view of one sink's dispatch counters, for the metrics endpoint.
 *
 * <p>Every offered event ends up in exactly one of {@link #sent}, {@link #failed} or
 * {@link #dropped}, or is still {@link #queued} or in the batch being published. What happens
 * after a sink has taken an event (Kafka delivery, Slack notification) is counted by that sink.
 */
public interface SinkCounters {
    /** The sink's {@link io.transitwatch.sinks.AlertSink#name()}. */
    String sinkName();

    /** Events the sink took over ({@code publish} completed normally). */
    long sent();

    /** Events in batches the sink refused, threw on or did not take within the publish timeout. */
    long failed();

    /** Events never handed to the sink: its queue was full, or the dispatcher was closing. */
    long dropped();

    /** Events waiting in the sink's queue right now. */
    long queued();
}
