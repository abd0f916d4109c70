package io.transitwatch.daemon.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The precedence of issue #14: configuration → CiliumEndpoint → CiliumNode → Node → learned. */
class DiscoveredPlacementsTest {
    private static final int A = 1;
    private static final int B = 2;
    private static final int C = 3;
    private static final int D = 4;
    private static final int E = 5;

    @Test
    void eachSourceWinsOverTheOnesAfterItEvenAgainstALongerPrefix() {
        Topology topology = new Topology(Map.of("a", List.of(IpPrefix.parse("10.0.0.0/24"))),
                name -> Map.of("a", A).get(name), 16, Duration.ofMinutes(1));
        // CiliumNode says B for all of 10.1.0.0/16; Node says C for a /24 inside it; the endpoint says D for one IP.
        topology.apply(snapshot(table("10.1.0.9/32", D, "10.0.0.5/32", D), table("10.1.0.0/16", B),
                table("10.1.2.0/24", C, "10.2.0.0/24", C),
                NodeAddresses.of(Map.of("e", List.of(IpPrefix.parse("192.168.0.1"))), name -> E)));
        IpPrefix learnedOnly = IpPrefix.parse("10.9.0.1");
        topology.learn(learnedOnly.hi(), learnedOnly.lo(), E, 0, 0, 0, 0);

        assertEquals(A, nodeOf(topology, "10.0.0.5"), "configuration first");
        assertEquals(D, nodeOf(topology, "10.1.0.9"), "then the exact endpoint IP");
        assertEquals(B, nodeOf(topology, "10.1.2.3"), "then CiliumNode, though Node has a longer prefix");
        assertEquals(C, nodeOf(topology, "10.2.0.3"), "then Node");
        assertEquals(E, nodeOf(topology, "10.9.0.1"), "then traffic");
        IpPrefix host = IpPrefix.parse("192.168.0.1");
        assertEquals(E, topology.nodeOfAddress(host.hi(), host.lo()));
        assertEquals(1, topology.placements(Topology.PlacementSource.CILIUM_ENDPOINT));
        assertEquals(1, topology.placements(Topology.PlacementSource.CILIUM_NODE));
    }

    @Test
    void aNewSnapshotReplacesTheOldOneAsAWhole() {
        Topology topology = new Topology(Map.of(), name -> 0, 16, Duration.ofMinutes(1));
        topology.apply(snapshot(DiscoverySnapshot.empty(), table("10.1.0.0/24", B), DiscoverySnapshot.empty(),
                NodeAddresses.EMPTY));
        assertEquals(B, nodeOf(topology, "10.1.0.7"));
        assertTrue(topology.hasConfiguredCidrs());

        topology.apply(snapshot(table("10.5.0.1/32", C), DiscoverySnapshot.empty(), DiscoverySnapshot.empty(),
                NodeAddresses.EMPTY));

        assertEquals(0, nodeOf(topology, "10.1.0.7"), "the node was removed");
        assertEquals(C, nodeOf(topology, "10.5.0.1"));
        assertFalse(topology.hasConfiguredCidrs(), "exact endpoint IPs alone are no pod CIDRs (cloud IPAM)");
    }

    @Test
    void aLearnedAddressAnswersFromItsTablesAgainAfterEverySnapshot() {
        Topology topology = new Topology(Map.of(), name -> 0, 16, Duration.ofMinutes(1));
        IpPrefix pod = IpPrefix.parse("10.1.0.7");
        topology.learn(pod.hi(), pod.lo(), E, 0, 0, 0, 0); // the traffic says E
        topology.apply(snapshot(DiscoverySnapshot.empty(), table("10.1.0.0/24", B), DiscoverySnapshot.empty(),
                NodeAddresses.EMPTY));
        assertEquals(B, nodeOf(topology, "10.1.0.7"), "CiliumNode wins over the traffic");
        assertEquals(B, nodeOf(topology, "10.1.0.7"), "asked again: the answer cached in the endpoint");
        assertEquals(2, topology.placements(Topology.PlacementSource.CILIUM_NODE), "each lookup counted");

        topology.apply(snapshot(table("10.1.0.7/32", C), DiscoverySnapshot.empty(), DiscoverySnapshot.empty(),
                NodeAddresses.EMPTY));
        assertEquals(C, nodeOf(topology, "10.1.0.7"), "the new snapshot, not the cached answer");

        topology.apply(snapshot(DiscoverySnapshot.empty(), DiscoverySnapshot.empty(), DiscoverySnapshot.empty(),
                NodeAddresses.EMPTY));
        assertEquals(E, nodeOf(topology, "10.1.0.7"), "no table covers it any more: what the traffic taught");
        assertEquals(E, nodeOf(topology, "10.1.0.7"));
        assertEquals(2, topology.placements(Topology.PlacementSource.LEARNED));
        topology.learn(pod.hi(), pod.lo(), D, 0, 0, 0, 0);
        assertEquals(D, nodeOf(topology, "10.1.0.7"), "the pod moved: learned again at once");
    }

    private static DiscoverySnapshot snapshot(PrefixTable endpoints, PrefixTable ciliumNodes, PrefixTable nodes,
            NodeAddresses addresses) {
        return new DiscoverySnapshot(endpoints, ciliumNodes, nodes, addresses, DiscoverySnapshot.empty(), Set.of(),
                DiscoverySnapshot.UNKNOWN, Set.of(), Set.of(), java.util.Map.of(), 1);
    }

    private static PrefixTable table(Object... prefixesAndNodes) {
        List<IpPrefix> prefixes = new java.util.ArrayList<>();
        List<Integer> nodes = new java.util.ArrayList<>();
        for (int i = 0; i < prefixesAndNodes.length; i += 2) {
            prefixes.add(IpPrefix.parse((String) prefixesAndNodes[i]));
            nodes.add((Integer) prefixesAndNodes[i + 1]);
        }
        return new PrefixTable(prefixes, nodes);
    }

    private static int nodeOf(Topology topology, String ip) {
        IpPrefix address = IpPrefix.parse(ip);
        return topology.nodeOf(address.hi(), address.lo());
    }
}
