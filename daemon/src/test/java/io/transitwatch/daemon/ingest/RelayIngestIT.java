package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.testsupport.TestFlows;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.observer.GetNodesResponse;
import io.transitwatch.proto.observer.Node;
import io.transitwatch.proto.relay.NodeState;
import io.transitwatch.proto.relay.NodeStatusEvent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Relay mode: one stream, demultiplexed by node, node health from node_status, flows and GetNodes. */
class RelayIngestIT {
    private static final long T0 = 1_795_274_640_000_000_000L;

    private FakeHubbleServer relay;

    @BeforeEach
    void startRelay() throws Exception {
        relay = FakeHubbleServer.start(null);
        relay.nodes = nodes(NodeState.NODE_CONNECTED, NodeState.NODE_CONNECTED);
    }

    @AfterEach
    void stopRelay() {
        relay.close();
    }

    private static GetNodesResponse nodes(NodeState solwk01, NodeState solwk02) {
        return GetNodesResponse.newBuilder()
                .addNodes(Node.newBuilder().setName("solwk01").setState(solwk01))
                .addNodes(Node.newBuilder().setName("solwk02").setState(solwk02)).build();
    }

    private static GetFlowsResponse status(NodeState state, String message, String... nodes) {
        return GetFlowsResponse.newBuilder().setNodeStatus(NodeStatusEvent.newBuilder().setStateChange(state)
                .addAllNodeNames(List.of(nodes)).setMessage(message)).build();
    }

    private final ManualClock clock = new ManualClock(T0);

    private IngestHarness startIngest() {
        return startIngest(Duration.ofMillis(100));
    }

    private IngestHarness startIngest(Duration nodePollInterval) {
        IngestHarness harness = new IngestHarness(IngestConfig.relay(relay.address())
                .withNodePollInterval(nodePollInterval), clock);
        harness.awaitSubscribed(relay, 1);
        return harness;
    }

    @Test
    void demultiplexesByNodeAndFollowsNodeStatus() {
        // The stream's node status alone: a GetNodes answer landing between a status and the test's
        // next look would set the node's reachability on its own (getNodesMarksANodeDownThatTheStreamSaysNothingAbout covers that).
        try (IngestHarness harness = startIngest(Duration.ofHours(1))) {
            relay.emit(status(NodeState.NODE_CONNECTED, "", "solwk01", "solwk02"));
            harness.collector.awaitUntil("both up", () -> harness.collector.count(NodeEvent.NODE_UP, "solwk01") == 1
                    && harness.collector.count(NodeEvent.NODE_UP, "solwk02") == 1);

            List<GetFlowsResponse> one = IngestHarness.emitFlows(relay, "solwk01", T0, 30);
            List<GetFlowsResponse> two = IngestHarness.emitFlows(relay, "solwk02", T0, 20);
            harness.collector.awaitUntil("50 flows", () -> harness.collector.count(NodeEvent.FLOW, "solwk01") == 30
                    && harness.collector.count(NodeEvent.FLOW, "solwk02") == 20);
            assertEquals(uuids(one), Set.copyOf(received(harness, "solwk01")));
            assertEquals(uuids(two), Set.copyOf(received(harness, "solwk02")));

            relay.emit(status(NodeState.NODE_UNAVAILABLE, "connection refused", "solwk02"));
            harness.collector.awaitUntil("solwk02 down", () -> harness.collector.count(NodeEvent.NODE_DOWN, "solwk02") == 1);
            assertEquals("solwk02 via relay " + relay.address() + ": NODE_UNAVAILABLE: connection refused",
                    harness.collector.of(NodeEvent.NODE_DOWN, "solwk02").get(0).reason());
            assertFalse(harness.node("solwk02").connected());
            assertTrue(harness.node("solwk01").connected());

            IngestHarness.emitFlows(relay, "solwk02", T0 + 1_000_000_000L, 1);
            harness.collector.awaitUntil("solwk02's straggler", () -> harness.collector.count(NodeEvent.FLOW, "solwk02") == 21);
            assertEquals(1, harness.collector.count(NodeEvent.NODE_UP, "solwk02"),
                    "an event Relay's sort buffer still held from before the outage does not show the node back");
            assertFalse(harness.node("solwk02").connected());

            clock.advanceMillis(3_000); // past hubble.relay-straggler-window
            List<GetFlowsResponse> back = IngestHarness.emitFlows(relay, "solwk02", T0 + 5_000_000_000L, 1);
            harness.collector.awaitUntil("solwk02 back", () -> harness.collector.count(NodeEvent.FLOW, "solwk02") == 22);
            List<RingCollector.Event> ups = harness.collector.of(NodeEvent.NODE_UP, "solwk02");
            assertEquals(2, ups.size(), "Relay resumed the node silently: its first event after the window shows it back");
            assertFalse(ups.get(1).backfilled(), "Relay resumes a node from \"now\" without our since");
            List<RingCollector.Event> gaps = harness.collector.of(NodeEvent.GAP, "solwk02");
            assertEquals(1, gaps.size());
            assertEquals(T0 + 1_000_000_000L, gaps.get(0).gapStart());
            assertEquals(FakeHubbleServer.timeOf(back.get(0)), gaps.get(0).gapEnd());
            assertTrue(harness.node("solwk02").connected());
            assertEquals(0, harness.collector.count(NodeEvent.NODE_DOWN, "solwk01"));
            assertTrue(harness.node(IngestState.RELAY).connected());
        }
    }

    @Test
    void getNodesMarksANodeDownThatTheStreamSaysNothingAbout() {
        try (IngestHarness harness = startIngest()) {
            relay.emit(status(NodeState.NODE_CONNECTED, "", "solwk01", "solwk02"));
            harness.collector.awaitUntil("both up", () -> harness.collector.count(NodeEvent.NODE_UP, "solwk02") == 1);
            relay.nodes = nodes(NodeState.NODE_CONNECTED, NodeState.NODE_ERROR);
            harness.collector.awaitUntil("solwk02 down", () -> harness.collector.count(NodeEvent.NODE_DOWN, "solwk02") == 1);
            assertTrue(harness.collector.of(NodeEvent.NODE_DOWN, "solwk02").get(0).reason().contains("NODE_ERROR"));
            relay.nodes = nodes(NodeState.NODE_CONNECTED, NodeState.NODE_CONNECTED);
            harness.collector.awaitUntil("solwk02 reachable", () -> harness.node("solwk02").connected());
            assertEquals(1, harness.collector.count(NodeEvent.NODE_UP, "solwk02"),
                    "GetNodes says CONNECTED before Relay has re-queried the node: only its events show where it resumes");
        }
    }

    @Test
    void getNodesAddressesAndNodesNamedByTheirAddressReachTheJoinAsOneSnapshot() {
        relay.nodes = GetNodesResponse.newBuilder()
                .addNodes(Node.newBuilder().setName("solwk01").setAddress("10.101.0.21:4244")
                        .setState(NodeState.NODE_CONNECTED))
                .addNodes(Node.newBuilder().setName("solwk02").setAddress("[fd00:101::22]:4244")
                        .setState(NodeState.NODE_CONNECTED))
                .addNodes(Node.newBuilder().setName("solwk03").setAddress("127.0.0.1:4244")
                        .setState(NodeState.NODE_CONNECTED)).build();
        try (IngestHarness harness = startIngest()) {
            relay.emit(TestFlows.response(TestFlows.syn("10.10.21.241", T0, 40000).build()));
            harness.collector.awaitUntil("a snapshot naming every node's address", () -> {
                io.transitwatch.daemon.topology.NodeAddresses snapshot = harness.collector.addresses;
                return snapshot != null && snapshot.byNode().keySet().containsAll(
                        java.util.Set.of("solwk01", "solwk02", "10.10.21.241"));
            });
            Map<String, List<io.transitwatch.daemon.topology.IpPrefix>> byNode = harness.collector.addresses.byNode();
            assertEquals(List.of(io.transitwatch.daemon.topology.IpPrefix.parse("10.101.0.21")), byNode.get("solwk01"));
            assertEquals(List.of(io.transitwatch.daemon.topology.IpPrefix.parse("fd00:101::22")), byNode.get("solwk02"));
            assertEquals(List.of(io.transitwatch.daemon.topology.IpPrefix.parse("10.10.21.241")),
                    byNode.get("10.10.21.241"));
            assertFalse(byNode.containsKey("solwk03"), "a loopback address is how we reach Hubble, not the node's");
            io.transitwatch.daemon.topology.IpPrefix solwk01 = io.transitwatch.daemon.topology.IpPrefix.parse("10.101.0.21");
            assertEquals("solwk01", harness.dictionary.get(harness.collector.addresses.nodeOf(solwk01.hi(), solwk01.lo())));
        }
    }

    @Test
    void aRelayRestartMarksEveryNodeDownThenBackfillsPerNodeWithoutDuplicates() throws Exception {
        try (IngestHarness harness = startIngest()) {
            relay.emit(status(NodeState.NODE_CONNECTED, "", "solwk01", "solwk02"));
            List<GetFlowsResponse> sent = new java.util.ArrayList<>(IngestHarness.emitFlows(relay, "solwk01", T0, 10));
            sent.addAll(IngestHarness.emitFlows(relay, "solwk02", T0 + 500_000_000L, 10));
            harness.collector.awaitUntil("20 flows", () -> harness.collector.events.stream()
                    .filter(e -> e.kind() == NodeEvent.FLOW).count() == 20);

            relay = relay.restart(null, true);
            relay.nodes = nodes(NodeState.NODE_CONNECTED, NodeState.NODE_CONNECTED);
            harness.collector.awaitUntil("both down", () -> harness.collector.count(NodeEvent.NODE_DOWN, "solwk01") == 1
                    && harness.collector.count(NodeEvent.NODE_DOWN, "solwk02") == 1);
            harness.awaitSubscribed(relay, 1);
            long since = relay.requests.get(0).getSince().getSeconds() * 1_000_000_000L
                    + relay.requests.get(0).getSince().getNanos();
            assertEquals(T0 + 9_000_000L - 2_000_000_000L, since, "min over nodes of last seen, minus the overlap");
            sent.add(TestFlows.response(TestFlows.syn("solwk02", T0 + 2_000_000_000L, 1).build()));
            relay.emit(sent.get(sent.size() - 1));
            harness.collector.awaitUntil("21 flows", () -> harness.collector.events.stream()
                    .filter(e -> e.kind() == NodeEvent.FLOW).count() == 21);
            assertEquals(uuids(sent), harness.collector.events.stream().filter(e -> e.kind() == NodeEvent.FLOW)
                    .map(RingCollector.Event::uuid).collect(Collectors.toSet()));
            assertEquals(10, harness.node("solwk02").duplicates());
            assertEquals(0, harness.node("solwk02").gaps());
        }
    }

    private static Set<String> uuids(List<GetFlowsResponse> responses) {
        return responses.stream().map(r -> r.getFlow().getUuid()).collect(Collectors.toSet());
    }

    private static List<String> received(IngestHarness harness, String node) {
        return harness.collector.of(NodeEvent.FLOW, node).stream().map(RingCollector.Event::uuid).toList();
    }
}
