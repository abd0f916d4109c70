package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.sim.ClusterTopology;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimCertificates;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.Simulator;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ingest against the real simulator (relay, and per-node mTLS with Peer discovery): every
 * simulated event that matches the request's filters arrives exactly once per node, also across a
 * node server restart; a restart that lost the ring is reported as a GAP.
 */
class IngestAgainstSimulatorIT {
    private static final Set<Integer> UNJOINABLE = Set.of(1, 2, 6, 7, 9, 10);
    private static final Set<Integer> POINTS = Set.of(11, 4, 3, 0);
    /** Selected events per node, emitted after the warm-up and received, that a test waits for before going on. */
    private static final int MIN_SELECTED_PER_NODE = 25;

    @TempDir
    Path dir;

    private final ManualClock clock = new ManualClock(Clock.SYSTEM.epochNanos());

    private Simulator start(SimMode mode, SimCertificates.Files tls) {
        return Simulator.start(SimulatorConfig.builder().mode(mode).host("127.0.0.1").port(0)
                .scenario(Scenario.preset("healthy")).tls(tls).ringCapacity(1 << 16).clock(clock)
                .trafficThread(false).build());
    }

    /** A PKI whose server certificate carries every node's Hubble TLS name, as Cilium's does. */
    private SimCertificates.Files certificates() {
        List<String> names = new java.util.ArrayList<>(ClusterTopology.defaults().nodeNames().stream()
                .map(n -> SimCertificates.hubbleServerName(n, ClusterTopology.CLUSTER_NAME)).toList());
        names.add(ClusterTopology.PEER_SERVER_NAME);
        return SimCertificates.generate(dir, names);
    }

    /** Plays {@code millis} of simulated traffic in 10 ms steps, draining the ring as it goes. */
    private void play(Simulator sim, IngestHarness harness, long millis) {
        for (long t = 0; t < millis; t += 10) {
            clock.advanceMillis(10);
            sim.advanceTraffic();
            harness.ingest.ring().poll(harness.collector, 10_000);
        }
    }

    /**
     * Plays traffic in 100 ms steps (draining the ring) until {@code done} holds: how much traffic a
     * test sees is decided by the condition, not by a fixed amount of simulated time.
     */
    private void playUntil(String what, Simulator sim, IngestHarness harness, BooleanSupplier done) {
        try {
            Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInSameThread()
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(1))
                    .until(() -> {
                        if (done.getAsBoolean()) {
                            return true;
                        }
                        play(sim, harness, 100);
                        return done.getAsBoolean();
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + ": " + harness.collector.summary(), e);
        }
    }

    /** Plays traffic until every node delivered, so that every stream is live; returns the emitted counts then. */
    private Map<String, Integer> warmUp(Simulator sim, IngestHarness harness, List<String> nodes) {
        playUntil("every stream live", sim, harness,
                () -> nodes.stream().allMatch(n -> harness.collector.count(NodeEvent.FLOW, n) > 0));
        Map<String, Integer> baseline = new HashMap<>();
        nodes.forEach(n -> baseline.put(n, sim.emittedEvents(n).size()));
        return baseline;
    }

    /**
     * Plays traffic until the ingest received at least {@link #MIN_SELECTED_PER_NODE} events of every
     * node that the node emitted after {@code baseline} and the filters select.
     */
    private void playUntilEveryNodeDelivered(Simulator sim, IngestHarness harness, List<String> nodes,
            Map<String, Integer> baseline) {
        playUntil(MIN_SELECTED_PER_NODE + " selected events of every node", sim, harness, () -> nodes.stream()
                .allMatch(n -> selectedAndReceived(sim, harness, n, baseline.get(n)) >= MIN_SELECTED_PER_NODE));
    }

    private static long selectedAndReceived(Simulator sim, IngestHarness harness, String node, int baseline) {
        List<GetFlowsResponse> emitted = sim.emittedEvents(node);
        Set<String> received = uuids(harness, node);
        return emitted.subList(baseline, emitted.size()).stream().filter(GetFlowsResponse::hasFlow)
                .map(GetFlowsResponse::getFlow).filter(IngestAgainstSimulatorIT::selectedByOurFilters)
                .filter(f -> received.contains(f.getUuid())).count();
    }

    /** Lets connections under way finish, then waits until the ingest has what the filters select. */
    private void quiesceAndCheckExactlyOnce(Simulator sim, IngestHarness harness, List<String> nodes,
            Map<String, Integer> baseline) {
        sim.pauseTraffic();
        play(sim, harness, 10_000);
        Map<String, Set<String>> expected = new HashMap<>();
        for (String node : nodes) {
            List<GetFlowsResponse> emitted = sim.emittedEvents(node);
            expected.put(node, emitted.subList(baseline.get(node), emitted.size()).stream()
                    .filter(GetFlowsResponse::hasFlow).map(GetFlowsResponse::getFlow)
                    .filter(IngestAgainstSimulatorIT::selectedByOurFilters)
                    .map(Flow::getUuid).collect(Collectors.toSet()));
        }
        try {
            // The simulated clock keeps moving: Relay's sort buffer flushes by time (hubble-api.md §5.1).
            harness.collector.awaitUntil("every selected event", () -> {
                play(sim, harness, 10);
                return nodes.stream().allMatch(n -> uuids(harness, n).containsAll(expected.get(n)));
            });
        } catch (AssertionError e) {
            StringBuilder missing = new StringBuilder();
            for (String node : nodes) {
                Set<String> got = uuids(harness, node);
                sim.emittedEvents(node).stream().filter(GetFlowsResponse::hasFlow).map(GetFlowsResponse::getFlow)
                        .filter(f -> expected.get(node).contains(f.getUuid()) && !got.contains(f.getUuid())).limit(3)
                        .forEach(f -> missing.append('\n').append(node).append(": ").append(
                                com.google.protobuf.TextFormat.shortDebugString(f)));
            }
            throw new AssertionError("missing, e.g.:" + missing, e);
        }
        for (String node : nodes) {
            List<String> received = harness.collector.of(NodeEvent.FLOW, node).stream()
                    .map(RingCollector.Event::uuid).toList();
            assertEquals(received.size(), new HashSet<>(received).size(), node + ": no duplicates");
            Set<String> all = sim.emittedEvents(node).stream().filter(GetFlowsResponse::hasFlow)
                    .map(r -> r.getFlow().getUuid()).collect(Collectors.toSet());
            assertTrue(all.containsAll(received), node + ": only what the node emitted");
            // Holds by construction: the test waited for this many before (playUntilEveryNodeDelivered).
            assertTrue(expected.get(node).size() >= MIN_SELECTED_PER_NODE, node + ": a meaningful amount of traffic");
        }
    }

    /** The request's filters (hubble-api.md §6.3), evaluated the slow way. */
    static boolean selectedByOurFilters(Flow flow) {
        if (UNJOINABLE.contains(flow.getDestination().getIdentity())) {
            return false;
        }
        boolean trace = flow.getEventType().getType() == 4 && POINTS.contains(flow.getEventType().getSubType());
        boolean handshake = flow.getL4().hasTCP() && (flow.getL4().getTCP().getFlags().getSYN()
                || flow.getL4().getTCP().getFlags().getFIN() || flow.getL4().getTCP().getFlags().getRST());
        boolean datagram = flow.getL4().hasUDP() || flow.getL4().hasICMPv4() || flow.getL4().hasICMPv6();
        return (trace && (handshake || datagram)) || flow.getEventType().getType() == 1;
    }

    private static Set<String> uuids(IngestHarness harness, String node) {
        return harness.collector.of(NodeEvent.FLOW, node).stream().map(RingCollector.Event::uuid)
                .collect(Collectors.toSet());
    }

    @Test
    void relayModeDeliversEverySelectedEventExactlyOncePerNode() {
        try (Simulator sim = start(SimMode.RELAY, null);
                IngestHarness harness = new IngestHarness(IngestConfig.relay(sim.relayTarget()))) {
            List<String> nodes = sim.topology().nodeNames();
            Map<String, Integer> baseline = warmUp(sim, harness, nodes);
            play(sim, harness, 3_000);
            playUntilEveryNodeDelivered(sim, harness, nodes, baseline);
            quiesceAndCheckExactlyOnce(sim, harness, nodes, baseline);
        }
    }

    @Test
    void directMtlsSurvivesANodeRestartWithItsRingWithoutGapOrDuplicates() {
        SimCertificates.Files tls = certificates();
        try (Simulator sim = start(SimMode.NODES, tls);
                IngestHarness harness = new IngestHarness(IngestConfig.peer(sim.peerTarget()).withTls(
                        new IngestConfig.TlsFiles(tls.caCert(), tls.clientCert(), tls.clientKey()), null))) {
            List<String> nodes = List.copyOf(sim.nodeTargets().keySet());
            Map<String, Integer> baseline = warmUp(sim, harness, nodes);
            // Before the restart, solwk02 (and every node) has delivered enough traffic to check, and
            // what the backfill re-sends (since = last seen - overlap) includes at least that last one.
            playUntilEveryNodeDelivered(sim, harness, nodes, baseline);
            sim.stopNode("solwk02");
            harness.collector.awaitUntil("solwk02 down", () -> harness.collector.count(NodeEvent.NODE_DOWN, "solwk02") == 1);
            play(sim, harness, 500);
            sim.restartNode("solwk02", true);
            harness.collector.awaitUntil("solwk02 back", () -> harness.collector.count(NodeEvent.NODE_UP, "solwk02") == 2);
            play(sim, harness, 2_000);
            quiesceAndCheckExactlyOnce(sim, harness, nodes, baseline);
            assertEquals(0, harness.collector.count(NodeEvent.GAP, "solwk02"));
            assertTrue(harness.node("solwk02").duplicates() > 0, "the backfill overlapped and was de-duplicated");
        }
    }

    @Test
    void directModeReportsAGapWhenTheRestartedNodeLostItsRing() {
        SimCertificates.Files tls = certificates();
        try (Simulator sim = start(SimMode.NODES, tls);
                IngestHarness harness = new IngestHarness(IngestConfig.peer(sim.peerTarget()).withTls(
                        new IngestConfig.TlsFiles(tls.caCert(), tls.clientCert(), tls.clientKey()), null))) {
            List<String> nodes = List.copyOf(sim.nodeTargets().keySet());
            warmUp(sim, harness, nodes);
            sim.stopNode("solwk02");
            harness.collector.awaitUntil("solwk02 down", () -> harness.collector.count(NodeEvent.NODE_DOWN, "solwk02") == 1);
            sim.restartNode("solwk02", false);
            playUntil("a gap of solwk02", sim, harness, () -> harness.collector.count(NodeEvent.GAP, "solwk02") > 0);
            assertEquals(1, harness.collector.count(NodeEvent.GAP, "solwk02"));
            assertEquals(1, harness.node("solwk02").gaps());
        }
    }
}
