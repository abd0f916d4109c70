package io.transitwatch.daemon.sim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class SimScenarioTest {

    @Test
    void shouldBuildEveryPresetByName() {
        for (String name : ScenarioPresets.names()) {
            Scenario scenario = Scenario.preset(name);
            assertEquals(name, scenario.name());
            assertEquals(Scenario.DEFAULT_SEED, scenario.seed());
        }
        assertTrue(ScenarioPresets.names().containsAll(java.util.List.of("healthy", "seed", "pair-blackhole",
                "family-blackhole", "all-cross-node-blackhole", "random-loss-0.001", "random-loss-0.01",
                "random-loss-0.1", "stream-down", "lost-events", "clock-skew", "snat", "retransmit-recovery",
                "synack-loss", "relay-reorder", "asymmetric-loss", "policy-drop", "apiserver-noreply",
                "dns-host-noreply", "refused", "healthy-first-data", "mtu-blackhole")));
        assertEquals(MonitorFlags.ALL, Scenario.preset("mtu-blackhole").monitorFlags());
        assertEquals(MonitorFlags.ALL, Scenario.preset("healthy-first-data").monitorFlags());
        assertEquals(MonitorFlags.SYN_FIN_RST, Scenario.preset("healthy").monitorFlags());
    }

    @Test
    void shouldNameTheKnownPresetsWhenTheNameIsUnknown() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Scenario.preset("sed"));
        assertTrue(e.getMessage().contains("seed"), e.getMessage());
    }

    @Test
    void shouldComposeFaultsAndOverrideSeedAndRate() {
        Scenario scenario = Scenario.preset("seed").toBuilder().seed(42).connectionsPerSecond(500)
                .fault(new Fault.ClockSkew("solwk02", Duration.ofMillis(-1500)))
                .fault(new Fault.ClockSkew("solwk02", Duration.ofMillis(500))).build();
        assertEquals(42, scenario.seed());
        assertEquals(500.0, scenario.connectionsPerSecond());
        assertEquals(1, scenario.faults(Fault.PathLoss.class).size());
        assertEquals(-1_000_000_000L, scenario.clockSkewNanos("solwk02"));
    }

    @Test
    void shouldSplitThePodCidrsPerNodeInNodeOrder() {
        ClusterTopology topology = ClusterTopology.defaults();
        assertEquals("fd00:101:224:5::/64", topology.podCidrsV6().get("solwk03"));
        assertEquals("10.101.224.0/24", topology.podCidrsV4().get("solcp01"));
        assertEquals("fd00:101::22", topology.node("solwk02").ipv6());
        assertEquals("10.101.0.13", topology.node("solcp03").ipv4());
        for (Pod pod : topology.pods()) {
            assertTrue(pod.ipv6().startsWith("fd00:101:224:" + pod.node().index() + "::"), pod.toString());
            assertTrue(pod.ipv4().startsWith("10.101." + (224 + pod.node().index()) + "."), pod.toString());
        }
        assertEquals(2, topology.podsOf("coredns").stream().map(p -> p.node().name()).distinct().count());
        assertEquals(6, topology.podsOf("spegel").size());
    }
}
