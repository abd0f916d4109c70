package io.transitwatch.sinks;

import java.util.Objects;

/**
 * Immutable: what the source node reported about the departure, where Hubble saw it leave.
 *
 * @param observationPoint Hubble's observation point, e.g. {@code TO_NETWORK}, {@code TO_OVERLAY}
 * @param interfaceName    the network interface, e.g. {@code ens18}, or null when Hubble gave none
 * @param traceReason      Hubble's trace reason, e.g. {@code NEW}, {@code ESTABLISHED}, or null
 */
public record Evidence(String observationPoint, String interfaceName, String traceReason) {
    public Evidence {
        Objects.requireNonNull(observationPoint, "observationPoint");
    }
}
