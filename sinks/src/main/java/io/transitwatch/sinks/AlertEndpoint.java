package io.transitwatch.sinks;

import java.util.Objects;

/**
 * Immutable: one end of the alerted tuple, as the JSON {@code source} / {@code destination} objects.
 *
 * @param node      the Kubernetes node the endpoint lives on
 * @param ip        the address in text form (RFC 5952 for IPv6, see {@link IpAddresses#format})
 * @param port      L4 port; for ICMP the type (source) and code (destination)
 * @param namespace Kubernetes namespace, or null when Hubble did not name one (host, world)
 * @param pod       pod name, or null
 * @param workload  owning workload (Deployment, DaemonSet, ...) name, or null
 * @param identity  Cilium security identity
 */
public record AlertEndpoint(
        String node, String ip, int port, String namespace, String pod, String workload, long identity) {

    public AlertEndpoint {
        Objects.requireNonNull(node, "node");
        Objects.requireNonNull(ip, "ip");
        if (port < 0 || port > 0xFFFF) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (identity < 0) {
            throw new IllegalArgumentException("identity must be >= 0, was " + identity);
        }
    }

    /** {@code namespace/pod} when both are known, else null. */
    public String podName() {
        return namespace != null && pod != null ? namespace + "/" + pod : null;
    }

    /** {@code namespace/workload} when both are known, else null; how incidents name workloads. */
    public String workloadName() {
        return namespace != null && workload != null ? namespace + "/" + workload : null;
    }
}
