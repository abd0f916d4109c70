package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.NodeAddresses;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Pod-to-pod packets masqueraded on their way: in native routing, an {@code ipv4-native-routing-cidr}
 * that does not cover the destination's pod CIDR makes the source node SNAT them to its own address.
 * The source reports the packet before SNAT (the pod's address, no {@code source_xlated}), with BPF
 * masquerade also after it (bpf_host's SNAT path: {@code source_xlated} = its address), and the
 * destination reports it arriving from the node's address, the source port kept when SNAT can.
 * Client 10.0.1.5 on node a (host address 192.168.50.11), server 10.0.2.7 on b (192.168.50.12).
 */
class MasqueradedTransitTest {
    private static final String CLIENT = "10.0.1.5";
    private static final String SERVER = "10.0.2.7";
    private static final String NODE_A = "192.168.50.11";

    private final JoinHarness join = new JoinHarness(JoinConfig.defaults().withCapacities(1024, 1024, 256)).allUp();

    private void nodesAt(String a, String b) {
        join.nodeAddresses(NodeAddresses.of(Map.of("a", List.of(IpPrefix.parse(a)), "b", List.of(IpPrefix.parse(b))),
                join.dictionary::pin));
    }

    @Test
    void shouldMatchADepartureThatArrivedFromItsSourceNodesAddress() {
        nodesAt(NODE_A, "192.168.50.12");
        join.departure("a", CLIENT, 40000, SERVER, 9090).at(T0 + S);
        join.arrival("b", NODE_A, 40000, SERVER, 9090).fromIdentity(JoinConstants.IDENTITY_REMOTE_NODE)
                .at(T0 + S + MS);
        // and in the other order: the arrival read before its departure
        join.arrival("b", NODE_A, 40001, SERVER, 9090).fromIdentity(JoinConstants.IDENTITY_REMOTE_NODE)
                .at(T0 + 2 * S + MS);
        join.departure("a", CLIENT, 40001, SERVER, 9090).at(T0 + 2 * S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1",
                "MATCHED a>b IPv4 SYN 40001>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(2, join.counters.get(JoinCounters.Global.MATCHED_MASQUERADED));
        assertEquals(0, join.engine.rememberedArrivalCount(), "each arrival was taken by its departure");
    }

    @Test
    void shouldStillCallLostWhatArrivedFromNoAddressOfItsSourceNode() {
        nodesAt(NODE_A, "192.168.50.12");
        join.departure("a", CLIENT, 40000, SERVER, 9090).at(T0 + S); // arrived from c's address: not this one
        join.arrival("b", "192.168.50.13", 40000, SERVER, 9090).at(T0 + S + MS);
        join.departure("a", CLIENT, 40001, SERVER, 9090).at(T0 + S); // SNAT changed its port
        join.arrival("b", NODE_A, 51234, SERVER, 9090).at(T0 + S + MS);
        join.departure("a", CLIENT, 40002, SERVER, 9090).at(T0 + S); // arrived after its window
        long window = join.engine.config().window().toNanos();
        join.arrival("b", NODE_A, 40002, SERVER, 9090).at(T0 + S + 2 * MS + window);
        join.departure("a", CLIENT, 40003, SERVER, 9090).at(T0 + S); // never arrived
        // an arrival from a's address 3 s before this departure, still remembered: another packet of that port
        join.arrival("b", NODE_A, 40004, SERVER, 9090).at(T0 + S);
        join.departure("a", CLIENT, 40004, SERVER, 9090).at(T0 + 4 * S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=1", "LOST a>b IPv4 SYN 40001>9090 attempts=1",
                "LOST a>b IPv4 SYN 40002>9090 attempts=1", "LOST a>b IPv4 SYN 40003>9090 attempts=1",
                "LOST a>b IPv4 SYN 40004>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.MATCHED_MASQUERADED));
    }

    @Test
    void shouldJoinAPacketReportedBeforeAndAfterSnatOnceUnderTheAddressItArrivedFrom() {
        // hubble-api.md §2.3 e, §4.1: the endpoint's program reports the packet before SNAT, bpf_host's SNAT
        // path again after it (source_xlated = a's address, the port kept): one packet, one departure, one verdict
        nodesAt(NODE_A, "192.168.50.12");
        join.departure("a", CLIENT, 40000, SERVER, 9090).at(T0 + S);
        join.departure("a", CLIENT, 40000, SERVER, 9090).snatTo(NODE_A).at(T0 + S + 10_000);
        join.arrival("b", NODE_A, 40000, SERVER, 9090).fromIdentity(JoinConstants.IDENTITY_REMOTE_NODE)
                .at(T0 + S + MS);
        join.departure("a", CLIENT, 40001, SERVER, 9090).at(T0 + S); // lost on the way: one LOST, not two
        join.departure("a", CLIENT, 40001, SERVER, 9090).snatTo(NODE_A).at(T0 + S + 10_000);
        // below medium aggregation (the host's to-netdev report has no trace reason) it is the same
        join.calibrateNodes(List.of(), List.of("a"));
        join.departure("a", CLIENT, 40002, SERVER, 9090).at(T0 + 2 * S);
        join.departure("a", CLIENT, 40002, SERVER, 9090).snatTo(NODE_A).withoutTraceReason().at(T0 + 2 * S + 10_000);
        join.arrival("b", NODE_A, 40002, SERVER, 9090).fromIdentity(JoinConstants.IDENTITY_REMOTE_NODE)
                .at(T0 + 2 * S + MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1",
                "MATCHED a>b IPv4 SYN 40002>9090 attempts=1", "LOST a>b IPv4 SYN 40001>9090 attempts=1"),
                join.verdicts.verdicts);
        assertEquals(3, join.counters.get(JoinCounters.Global.DEPARTURES));
        assertEquals(3, join.counters.get(JoinCounters.Global.DUPLICATE_DEPARTURES), "the reports before SNAT");
        assertEquals(0, join.counters.get(JoinCounters.Global.MATCHED_MASQUERADED));
    }

    @Test
    void shouldMatchTheReportBeforeSnatWhenItIsReadAfterTheOneAfterSnat() {
        // the two reports come from different programs, and Hubble reads per-CPU rings: the SNAT path's
        // report first. It matches the arrival, which stays claimed for the report before SNAT.
        nodesAt(NODE_A, "192.168.50.12");
        join.departure("a", CLIENT, 40000, SERVER, 9090).snatTo(NODE_A).at(T0 + S + 10_000);
        join.arrival("b", NODE_A, 40000, SERVER, 9090).fromIdentity(JoinConstants.IDENTITY_REMOTE_NODE)
                .at(T0 + S + MS);
        join.departure("a", CLIENT, 40000, SERVER, 9090).at(T0 + S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1",
                "MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.MATCHED_MASQUERADED));
        assertEquals(0, join.counters.get(JoinCounters.Global.LOST));
    }

    @Test
    void shouldLookAtTheAddressesKubernetesKnowsBesideTheOnesRelayGave() {
        nodesAt(NODE_A, "192.168.50.12"); // where a's Hubble listens; it masquerades to its other interface
        join.discoverNodeAddresses(Map.of("a", List.of(IpPrefix.parse(NODE_A), IpPrefix.parse("10.20.0.11"))));
        join.departure("a", CLIENT, 40000, SERVER, 9090).at(T0 + S);
        join.arrival("b", "10.20.0.11", 40000, SERVER, 9090).at(T0 + S + MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldNotMatchWithoutKnowingTheSourceNodesAddresses() {
        join.departure("a", CLIENT, 40000, SERVER, 9090).at(T0 + S);
        join.arrival("b", NODE_A, 40000, SERVER, 9090).at(T0 + S + MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }
}
