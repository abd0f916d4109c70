package io.transitwatch.daemon.topology;

import java.util.Map;
import java.util.Set;

/**
 * Immutable, so it may be built on the discovery thread and read on the join thread.
 *
 * <p>What the Kubernetes API says about the cluster at one moment, already in the join's terms
 * (k8s-facts.md §1, §2): the placement tables in the order of precedence the join consults them
 * after the configured pod CIDRs — exact pod IPs from CiliumEndpoints, then CiliumNode pod and pool
 * CIDRs, then {@code Node.spec.podCIDRs} — the nodes' own addresses, and the calibration of the
 * observation points and packet kinds. Node ids are dictionary ids, pinned by whoever built it.
 *
 * @param endpointIps exact pod IP (/32, /128) to node, from CiliumEndpoints
 * @param ciliumNodeCidrs {@code CiliumNode.spec.ipam.podCIDRs} and {@code spec.ipam.pools.allocated[].cidrs}
 * @param nodeCidrs {@code Node.spec.podCIDRs}
 * @param nodeAddresses host addresses of each node (CiliumNode.spec.addresses, Node.status.addresses)
 * @param apiServers the API server's addresses (the {@code default/kubernetes} EndpointSlices; every
 *     entry maps to {@link #IS_API_SERVER}): what names a round trip to it when the flow carries no
 *     {@code reserved:kube-apiserver} label (a field-masked flow, a CIDR identity; hubble-api.md §10)
 * @param departurePoints observation points (proto numbers) of departures derived from cilium-config
 *     (union over the nodes); empty = keep the configured ones (explicit configuration, or nothing known)
 * @param firstData whether each connection's first ACK / PSH are reported on both nodes:
 *     {@link #UNKNOWN} keeps the configured value
 * @param blindNodes nodes whose datapath emits no trace events ({@code bpf-events-trace-enabled=false}),
 *     so that no arrival at them is ever reported
 * @param egressTwiceNodes nodes that may report one packet leaving twice (monitor aggregation below
 *     medium: the endpoint's egress point and the host's {@code to-netdev})
 * @param eventsPerSecondLimits nodes whose datapath drops trace events silently past a rate limit
 *     ({@code bpf-events-default-rate-limit}): node → the most events a second it lets through. The
 *     ingest polls these nodes' Hubble event counts and reports the seconds that came near it as lost events
 * @param version increases with every snapshot of one discovery
 */
public record DiscoverySnapshot(PrefixTable endpointIps, PrefixTable ciliumNodeCidrs, PrefixTable nodeCidrs,
        NodeAddresses nodeAddresses, PrefixTable apiServers, Set<Integer> departurePoints, int firstData,
        Set<Integer> blindNodes, Set<Integer> egressTwiceNodes, Map<Integer, Long> eventsPerSecondLimits,
        long version) {
    public static final int UNKNOWN = -1;
    public static final int NO = 0;
    public static final int YES = 1;
    /** The value {@link #apiServers} holds for each of its addresses. */
    public static final int IS_API_SERVER = 1;

    public DiscoverySnapshot {
        departurePoints = Set.copyOf(departurePoints);
        blindNodes = Set.copyOf(blindNodes);
        egressTwiceNodes = Set.copyOf(egressTwiceNodes);
        eventsPerSecondLimits = Map.copyOf(eventsPerSecondLimits);
    }

    /** Placements in one table, for a caller that wants no precedence (tests, the node-address source). */
    public static PrefixTable empty() {
        return new PrefixTable(java.util.List.of(), java.util.List.of());
    }

    /** A table of these addresses, each mapped to {@link #IS_API_SERVER}. */
    public static PrefixTable addressSet(java.util.List<IpPrefix> addresses) {
        return new PrefixTable(addresses, java.util.Collections.nCopies(addresses.size(), IS_API_SERVER));
    }

    /** Whether any table places pod addresses. */
    public boolean placesPods() {
        return !endpointIps.isEmpty() || !ciliumNodeCidrs.isEmpty() || !nodeCidrs.isEmpty();
    }

    /** The node-address source of round-trip destination naming: node name → its host addresses. */
    public interface NodeAddressSource {
        /** The latest immutable view; never null (empty before the first list). */
        Map<String, java.util.List<IpPrefix>> nodeAddresses();
    }
}
