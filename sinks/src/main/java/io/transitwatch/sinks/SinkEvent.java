package io.transitwatch.sinks;

import java.time.Instant;

/**
 * Immutable, so safe to share between threads: what the dispatcher carries to every sink.
 *
 * <p>Sealed so that each sink's {@code switch} over the kinds of events is checked by the compiler.
 */
public sealed interface SinkEvent permits Alert, IncidentChange {
    /** The JSON {@code schema} value that names this kind of event, e.g. {@code transitwatch.alert/v1}. */
    String schema();

    /** Unique, time-sortable id; the Kafka CloudEvents {@code ce_id}. */
    String id();

    /** When the daemon decided this event (its clock, not Hubble's). */
    Instant time();

    /** {@code "<source node>|<destination node>"}: the Kafka key, so one pair stays in one partition. */
    String key();

    static String key(String sourceNode, String destinationNode) {
        return sourceNode + "|" + destinationNode;
    }
}
