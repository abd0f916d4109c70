package io.transitwatch.daemon.kubernetes;

/**
 * Immutable. How one watched resource stands, for {@code /api/status}, metrics and doctor.
 *
 * @param resource e.g. {@code ciliumnodes.cilium.io}
 * @param synced the first list arrived (later lists after a 410 or an outage keep this true)
 * @param watching the watch is open now; false during an outage or while a list is retried
 * @param objects objects the informer holds
 * @param forbidden the RBAC error when the API server answered 403, else null
 * @param lastError the last failure other than 403, else null
 */
public record ResourceWatch(String resource, boolean synced, boolean watching, int objects, String forbidden,
        String lastError) {
    /** Whether this resource is usable: synced, watched and allowed. */
    public boolean healthy() {
        return synced && watching && forbidden == null;
    }
}
