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
 * @param served false when the API server answered 404 for an optional resource (its CRD is not
 *     installed, e.g. CiliumEndpointSlices when they are off): nothing to watch, nothing missing
 * @param essential false for a resource that only names things (the API server's EndpointSlice):
 *     without it detection works, so its failure is a warning, not a problem
 */
public record ResourceWatch(String resource, boolean synced, boolean watching, int objects, String forbidden,
        String lastError, boolean served, boolean essential) {
    /** Whether this resource is usable (synced, watched and allowed) or rightly absent (not served). */
    public boolean healthy() {
        return !served || synced && watching && forbidden == null;
    }
}
