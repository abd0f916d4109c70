package io.transitwatch.daemon.sim;

/** Which {@code GetFlowsRequest} field masks a simulated server honours (hubble-api.md §1.8). */
public enum FieldMaskSupport {
    /** Top-level {@code field_mask} (Cilium ≥ 1.16), falling back to {@code experimental.field_mask}. */
    FULL,
    /** Only {@code experimental.field_mask} (Cilium 1.14-1.15); a top-level mask is rejected. */
    EXPERIMENTAL_ONLY,
    /** No field mask at all (Cilium < 1.14): any mask is rejected with INVALID_ARGUMENT. */
    NONE
}
