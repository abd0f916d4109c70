package io.transitwatch.daemon.kubernetes;

import io.transitwatch.daemon.topology.IpPrefix;
import java.util.List;
import java.util.Map;

/**
 * Immutable. The few fields of Kubernetes and Cilium objects that discovery keeps (k8s-facts.md §1,
 * §2), so that memory grows with addresses, not with whole objects.
 */
final class CiliumFacts {
    private CiliumFacts() {}

    /** A core/v1 Node: its labels (CiliumNodeConfig selectors), {@code spec.podCIDRs}, {@code status.addresses}. */
    record NodeFacts(String name, Map<String, String> labels, List<IpPrefix> podCidrs, List<IpPrefix> addresses) {
        NodeFacts {
            labels = Map.copyOf(labels);
            podCidrs = List.copyOf(podCidrs);
            addresses = List.copyOf(addresses);
        }
    }

    /**
     * A {@code cilium.io/v2} CiliumNode: pod CIDRs of cluster-pool / kubernetes IPAM and the allocated
     * multi-pool CIDRs, and its addresses (InternalIP, CiliumInternalIP, ...; health endpoint IPs too).
     */
    record CiliumNodeFacts(String name, List<IpPrefix> podCidrs, List<IpPrefix> poolCidrs, List<IpPrefix> addresses) {
        CiliumNodeFacts {
            podCidrs = List.copyOf(podCidrs);
            poolCidrs = List.copyOf(poolCidrs);
            addresses = List.copyOf(addresses);
        }
    }

    /** A CiliumEndpoint: the pod's addresses and the IP of the node it runs on. */
    record EndpointFacts(String key, List<IpPrefix> addresses, IpPrefix nodeIp) {
        EndpointFacts {
            addresses = List.copyOf(addresses);
        }
    }

    /** A CiliumNodeConfig: which nodes it selects and the cilium-config keys it overrides for them. */
    record NodeConfigFacts(String name, LabelSelector selector, Map<String, String> defaults) {
        NodeConfigFacts {
            defaults = Map.copyOf(defaults);
        }
    }
}
