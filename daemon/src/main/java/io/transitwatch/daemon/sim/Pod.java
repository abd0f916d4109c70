package io.transitwatch.daemon.sim;

import java.util.List;

/**
 * Immutable. A Cilium-managed pod of the simulated cluster.
 *
 * @param identity    the workload's security identity (stable across pods of one workload)
 * @param endpointId  the Cilium endpoint id on its node ({@code Endpoint.ID} when observed locally)
 * @param labels      Cilium labels as Hubble prints them, e.g. {@code k8s:app=coredns}
 * @param lxc         the host-side veth of the pod, reported at {@code to-endpoint}
 */
public record Pod(
        String namespace,
        String name,
        String workload,
        String workloadKind,
        SimNode node,
        String ipv4,
        String ipv6,
        int identity,
        int endpointId,
        List<String> labels,
        SimNode.NetworkInterfaceName lxc) {

    public Pod {
        labels = List.copyOf(labels);
    }

    public String ip(IpFamily family) {
        return family == IpFamily.IPV4 ? ipv4 : ipv6;
    }

    /** {@code namespace/name}, the way operators refer to a pod. */
    public String qualifiedName() {
        return namespace + "/" + name;
    }
}
