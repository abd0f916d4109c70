package io.transitwatch.daemon.topology;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TopologyTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final int NODE_A = 1;
    private static final int NODE_B = 2;
    private static final int NODE_C = 3;

    private final Map<String, Integer> nodeIds = new HashMap<>(Map.of("a", NODE_A, "b", NODE_B, "c", NODE_C));

    @Test
    void configuredPodCidrsWinOverLearnedPlacements() {
        Topology topology = topology(100);
        IpPrefix onA = address("10.0.1.7");

        topology.learn(onA.hi(), onA.lo(), NODE_B, 0, 0, 0, 0);

        assertEquals(NODE_A, topology.nodeOf(onA.hi(), onA.lo()));
    }

    @Test
    void anAddressLearnedAfterItWasLookedUpIsFoundAtOnce() {
        Topology topology = topology(100);
        IpPrefix external = address("192.0.2.10");
        assertEquals(0, topology.nodeOf(external.hi(), external.lo()), "unknown, and remembered as unknown");

        topology.learn(external.hi(), external.lo(), NODE_C, 5, 6, 7, 8);

        assertEquals(NODE_C, topology.nodeOf(external.hi(), external.lo()));
        assertEquals(6, topology.endpoint(external.hi(), external.lo()).pod());
    }

    @Test
    void aPodThatMovesIsPlacedOnItsNewNode() {
        Topology topology = topology(100);
        IpPrefix pod = address("fd00:9::15");
        topology.learn(pod.hi(), pod.lo(), NODE_A, 1, 2, 3, 4);
        assertEquals(NODE_A, topology.nodeOf(pod.hi(), pod.lo()));

        topology.learn(pod.hi(), pod.lo(), NODE_B, 1, 9, 3, 4);

        assertEquals(NODE_B, topology.nodeOf(pod.hi(), pod.lo()));
        assertEquals(9, topology.endpoint(pod.hi(), pod.lo()).pod());
    }

    @Test
    void repeatedLearningChangesNothingButNamesInUseStayNamed() {
        Topology topology = topology(100);
        IpPrefix pod = address("192.0.2.30");
        Topology.Endpoint endpoint = null;
        // Every flow teaches the same thing; only a change, or names unconfirmed for ttl / 8, is written.
        for (long t = 0; t <= 3 * TTL.toNanos(); t += Duration.ofSeconds(10).toNanos()) {
            topology.setTime(T0 + t);
            topology.learn(pod.hi(), pod.lo(), NODE_C, 5, 6, 7, 8);
            endpoint = topology.endpoint(pod.hi(), pod.lo());
            assertEquals(6, endpoint.pod(), "named at +" + Duration.ofNanos(t));
            assertEquals(NODE_C, endpoint.node());
        }
        topology.learn(pod.hi(), pod.lo(), 0, 0, 0, 0, 9);
        assertEquals(9, endpoint.identity(), "a new identity is written at once");
        assertEquals(6, endpoint.pod(), "and keeps the names");
    }

    @Test
    void aPlacementNotUsedForTheTtlIsForgotten() {
        Topology topology = topology(100);
        IpPrefix pod = address("192.0.2.20");
        topology.learn(pod.hi(), pod.lo(), NODE_A, 0, 0, 0, 0);

        topology.setTime(T0 + TTL.toNanos() + 1);

        assertEquals(0, topology.nodeOf(pod.hi(), pod.lo()));
        assertNull(topology.endpoint(pod.hi(), pod.lo()));
    }

    @Test
    void aPlacementInUseOutlivesTheTtl() {
        Topology topology = topology(100);
        IpPrefix pod = address("192.0.2.30");
        topology.learn(pod.hi(), pod.lo(), NODE_A, 0, 0, 0, 0);

        // Used every 30 s for three TTLs: the recent-endpoint table must keep Caffeine's access time fresh.
        for (long t = 0; t <= 3 * TTL.toNanos(); t += Duration.ofSeconds(30).toNanos()) {
            topology.setTime(T0 + t);
            assertEquals(NODE_A, topology.nodeOf(pod.hi(), pod.lo()), "at +" + Duration.ofNanos(t));
        }
    }

    @Test
    void learnedPlacementsAreBoundedAndTheEvictedAreForgottenAfterTheRefreshInterval() {
        int max = 50;
        Topology topology = topology(max);
        for (int i = 0; i < 5_000; i++) {
            IpPrefix pod = address("10.200." + (i / 250) + "." + (i % 250));
            topology.learn(pod.hi(), pod.lo(), NODE_B, 0, 0, 0, 0);
        }
        assertTrue(topology.learnedCount() <= max, "learned " + topology.learnedCount() + " > " + max);

        topology.setTime(T0 + TTL.toNanos() / 8);
        int resolved = 0;
        for (int i = 0; i < 5_000; i++) {
            IpPrefix pod = address("10.200." + (i / 250) + "." + (i % 250));
            if (topology.nodeOf(pod.hi(), pod.lo()) != 0) {
                resolved++;
            }
        }
        assertTrue(resolved <= max, resolved + " resolved, but at most " + max + " are kept");
    }

    private Topology topology(int maxLearned) {
        Topology topology = new Topology(Map.of(
                "a", List.of(IpPrefix.parse("10.0.1.0/24"), IpPrefix.parse("fd00:1::/64")),
                "b", List.of(IpPrefix.parse("10.0.2.0/24"))),
                nodeIds::get, maxLearned, TTL);
        topology.setTime(T0);
        return topology;
    }

    private static IpPrefix address(String ip) {
        return IpPrefix.parse(ip + (ip.contains(":") ? "/128" : "/32"));
    }
}
