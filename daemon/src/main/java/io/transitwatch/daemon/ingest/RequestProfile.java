package io.transitwatch.daemon.ingest;

/**
 * Immutable. How much of the ideal {@code GetFlowsRequest} a server accepts. A server that
 * rejects a request at stream start (INVALID_ARGUMENT or UNIMPLEMENTED, before any message) is
 * asked again with the next, simpler profile; the join classifies flows itself, so the filters and
 * the field mask only save bandwidth and decoding.
 */
public enum RequestProfile {
    /** Server-side filters and the field mask (Cilium >= 1.16). */
    FULL,
    /** Filters, every field. */
    NO_FIELD_MASK,
    /** Every flow, every field. */
    NO_FILTERS;

    /** The profile to try after this one was rejected, or null when there is nothing left to drop. */
    RequestProfile fallback() {
        return this == FULL ? NO_FIELD_MASK : this == NO_FIELD_MASK ? NO_FILTERS : null;
    }
}
