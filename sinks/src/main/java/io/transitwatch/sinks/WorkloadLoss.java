package io.transitwatch.sinks;

import java.util.Objects;

/**
 * Immutable: one entry of an incident's {@code top_workloads}, the losses of one workload pair.
 *
 * @param source      {@code namespace/workload} of the sender
 * @param destination {@code namespace/workload} of the receiver
 * @param lost        lost connection attempts between them in this incident
 */
public record WorkloadLoss(String source, String destination, long lost) {
    public WorkloadLoss {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        if (lost < 0) {
            throw new IllegalArgumentException("lost must be >= 0, was " + lost);
        }
    }
}
