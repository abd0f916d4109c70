package io.transitwatch.daemon.sim;

import static io.transitwatch.daemon.sim.SimTestSupport.T0;
import static io.transitwatch.daemon.sim.SimTestSupport.advance;
import static io.transitwatch.daemon.sim.SimTestSupport.await;
import static io.transitwatch.daemon.sim.SimTestSupport.close;
import static io.transitwatch.daemon.sim.SimTestSupport.plaintext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.observer.GetNodesRequest;
import io.transitwatch.proto.observer.ObserverGrpc;
import io.transitwatch.proto.observer.ServerStatusRequest;
import io.transitwatch.proto.relay.NodeState;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hubble Relay mode over real TCP: merge, node status, node health. */
class SimRelayIT {
    private final ManualClock clock = new ManualClock(T0);
    private Simulator sim;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        sim = Simulator.start(SimulatorConfig.builder().mode(SimMode.RELAY).scenario(Scenario.preset("healthy"))
                .clock(clock).trafficThread(false).build());
        channel = plaintext(sim.relayTarget());
    }

    @AfterEach
    void stop() throws InterruptedException {
        close(channel);
        sim.close();
    }

    @Test
    void shouldSendNodeConnectedFirstThenFlowsOfEveryNode() throws InterruptedException {
        FlowCollector stream = follow();
        awaitFlowsFrom(stream, Set.copyOf(sim.topology().nodeNames()));
        GetFlowsResponse first = stream.received().get(0);
        assertEquals(NodeState.NODE_CONNECTED, first.getNodeStatus().getStateChange());
        assertEquals(sim.topology().nodeNames(), first.getNodeStatus().getNodeNamesList());
        stream.cancel();
    }

    @Test
    void shouldReportNodeErrorWhenANodeGoesDownAndResumeItSilently() throws InterruptedException {
        FlowCollector stream = follow();
        awaitFlowsFrom(stream, Set.of("solwk02"));

        sim.stopNode("solwk02");
        await("NODE_ERROR", () -> stream.count(r -> r.getNodeStatus().getStateChange() == NodeState.NODE_ERROR
                && r.getNodeStatus().getNodeNamesList().equals(List.of("solwk02"))) == 1);
        var nodes = ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getNodes(GetNodesRequest.getDefaultInstance()).getNodesList();
        assertEquals(NodeState.NODE_UNAVAILABLE, nodes.stream().filter(n -> n.getName().equals("solwk02"))
                .findFirst().orElseThrow().getState());
        var status = ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .serverStatus(ServerStatusRequest.getDefaultInstance());
        assertEquals(5, status.getNumConnectedNodes().getValue());
        assertEquals(List.of("solwk02"), status.getUnavailableNodesList());

        long solwk02Before = stream.count(r -> r.getNodeName().equals("solwk02"));
        sim.restartNode("solwk02", true);
        await("solwk02 flows again", () -> {
            advance(sim, clock, Duration.ofMillis(200));
            return stream.count(r -> r.getNodeName().equals("solwk02")) > solwk02Before;
        });
        assertEquals(1, stream.count(GetFlowsResponse::hasNodeStatus) - 1, "no NODE_CONNECTED on recovery");
        stream.cancel();
    }

    @Test
    void shouldMergeNonFollowRequestsInTimeOrderWithinTheSortBuffer() {
        advance(sim, clock, Duration.ofSeconds(3));
        List<GetFlowsResponse> all = new java.util.ArrayList<>();
        ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getFlows(GetFlowsRequest.newBuilder().setNumber(10).build()).forEachRemaining(all::add);
        List<GetFlowsResponse> flows = all.stream().filter(GetFlowsResponse::hasFlow).toList();
        assertEquals(6 * 10, flows.size(), "number is per node");
        Set<String> nodes = flows.stream().map(GetFlowsResponse::getNodeName).collect(Collectors.toSet());
        assertEquals(Set.copyOf(sim.topology().nodeNames()), nodes);
        for (int i = 1; i < flows.size(); i++) {
            assertTrue(SimTestSupport.nanos(flows.get(i).getFlow()) >= SimTestSupport.nanos(flows.get(i - 1).getFlow()),
                    "the sort buffer (min(100, 10 x 6 nodes)) holds all 60 answers, so they come out sorted");
        }
    }

    @Test
    void shouldDrainEveryNodeSideBySideWhenTheyAllHaveABacklog() {
        advance(sim, clock, Duration.ofSeconds(5));
        List<GetFlowsResponse> all = new java.util.ArrayList<>();
        ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS)
                .getFlows(GetFlowsRequest.newBuilder().setSince(com.google.protobuf.Timestamp.newBuilder()
                        .setSeconds(T0 / 1_000_000_000L)).build()).forEachRemaining(all::add);
        List<GetFlowsResponse> flows = all.stream().filter(GetFlowsResponse::hasFlow).toList();
        java.util.Map<String, Long> total = flows.stream()
                .collect(Collectors.groupingBy(GetFlowsResponse::getNodeName, Collectors.counting()));
        java.util.Map<String, Long> first = flows.subList(0, 600).stream()
                .collect(Collectors.groupingBy(GetFlowsResponse::getNodeName, Collectors.counting()));
        // With a full sort buffer each poll has room for one more response; asking the same node first
        // every time would hand out that node's whole backlog before any other node got a turn.
        assertTrue(total.values().stream().allMatch(n -> n > 150), "every node has a backlog: " + total);
        assertTrue(first.size() == 6 && first.values().stream().allMatch(n -> n >= 60),
                "the first 600 responses take turns between the nodes: " + first + " of " + total);
    }

    private FlowCollector follow() {
        FlowCollector stream = new FlowCollector(false);
        ObserverGrpc.newStub(channel).getFlows(GetFlowsRequest.newBuilder().setFollow(true).build(), stream);
        return stream;
    }

    /** Moves time on until flows of all these nodes came through the relay (the call starts asynchronously). */
    private void awaitFlowsFrom(FlowCollector stream, Set<String> nodes) throws InterruptedException {
        await("flows from " + nodes, () -> {
            advance(sim, clock, Duration.ofMillis(200));
            Set<String> seen = stream.received().stream().filter(GetFlowsResponse::hasFlow)
                    .map(GetFlowsResponse::getNodeName).collect(Collectors.toSet());
            return seen.containsAll(nodes);
        });
    }
}
