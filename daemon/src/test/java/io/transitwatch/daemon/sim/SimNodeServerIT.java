package io.transitwatch.daemon.sim;

import static io.transitwatch.daemon.sim.SimTestSupport.T0;
import static io.transitwatch.daemon.sim.SimTestSupport.advance;
import static io.transitwatch.daemon.sim.SimTestSupport.await;
import static io.transitwatch.daemon.sim.SimTestSupport.close;
import static io.transitwatch.daemon.sim.SimTestSupport.nanos;
import static io.transitwatch.daemon.sim.SimTestSupport.plaintext;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.FieldMask;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.proto.flow.EventTypeFilter;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.FlowFilter;
import io.transitwatch.proto.flow.TCPFlags;
import io.transitwatch.proto.flow.TraceObservationPoint;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.observer.GetNodesRequest;
import io.transitwatch.proto.observer.ObserverGrpc;
import io.transitwatch.proto.observer.ServerStatusRequest;
import io.transitwatch.proto.peer.ChangeNotification;
import io.transitwatch.proto.peer.ChangeNotificationType;
import io.transitwatch.proto.peer.NotifyRequest;
import io.transitwatch.proto.peer.PeerGrpc;
import io.transitwatch.daemon.sim.hubble.Timestamps;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** One Hubble server per node, over real TCP, with plain grpc-java clients. */
class SimNodeServerIT {
    private static final EventTypeFilter TO_ENDPOINT =
            EventTypeFilter.newBuilder().setType(4).setMatchSubType(true).setSubType(0).build();

    private final ManualClock clock = new ManualClock(T0);
    private Simulator sim;
    private ManagedChannel channel;

    @BeforeEach
    void start() {
        sim = Simulator.start(SimulatorConfig.builder().mode(SimMode.NODES).scenario(Scenario.preset("healthy"))
                .clock(clock).trafficThread(false).build());
        channel = plaintext(sim.nodeTargets().get("solwk02"));
    }

    @AfterEach
    void stop() throws InterruptedException {
        close(channel);
        sim.close();
    }

    @Test
    void shouldAnnounceEveryNodeThroughPeerNotify() throws InterruptedException {
        ManagedChannel peer = plaintext(sim.peerTarget());
        try {
            Iterator<ChangeNotification> notifications = PeerGrpc.newBlockingStub(peer)
                    .withDeadlineAfter(10, TimeUnit.SECONDS).notify(NotifyRequest.getDefaultInstance());
            List<ChangeNotification> first = new ArrayList<>();
            for (int i = 0; i < 6; i++) {
                first.add(notifications.next());
            }
            for (ChangeNotification n : first) {
                assertEquals(ChangeNotificationType.PEER_ADDED, n.getType());
                assertEquals(sim.nodeTargets().get(n.getName()), n.getAddress());
                assertFalse(n.hasTls());
            }
            assertEquals(sim.topology().nodeNames(), first.stream().map(ChangeNotification::getName).toList());
        } finally {
            close(peer);
        }
    }

    @Test
    void shouldApplyEventTypeAndTcpFlagFiltersLikeHubble() {
        advance(sim, clock, Duration.ofSeconds(3));
        FlowFilter synAtEndpoint = FlowFilter.newBuilder().addEventType(TO_ENDPOINT)
                .addTcpFlags(TCPFlags.newBuilder().setSYN(true)).build();
        FlowFilter noUdp = FlowFilter.newBuilder().addProtocol("udp").build();
        List<Flow> got = flows(GetFlowsRequest.newBuilder().addWhitelist(synAtEndpoint).addBlacklist(noUdp).build());

        long expected = SimTestSupport.flows(sim, "solwk02", f -> f.getTraceObservationPoint()
                == TraceObservationPoint.TO_ENDPOINT && f.getL4().getTCP().getFlags().getSYN()).size();
        assertEquals(expected, got.size());
        assertTrue(got.stream().anyMatch(f -> f.getL4().getTCP().getFlags().getACK()), "SYN matches SYN-ACK too");
        assertTrue(got.stream().allMatch(f -> f.getEventType().getSubType() == 0 && f.getL4().hasTCP()));
    }

    @Test
    void shouldRejectFiltersItDoesNotImplement() {
        GetFlowsRequest request = GetFlowsRequest.newBuilder()
                .addWhitelist(FlowFilter.newBuilder().addSourceLabel("k8s:app=coredns")).build();
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> flows(request));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    }

    @Test
    void shouldApplyFieldMaskAndTakeResponseTimeFromTheMaskedFlow() {
        advance(sim, clock, Duration.ofSeconds(1));
        FieldMask withTime = FieldMask.newBuilder().addPaths("time").addPaths("node_name").addPaths("IP").build();
        GetFlowsResponse masked = responses(GetFlowsRequest.newBuilder().setFieldMask(withTime).build()).get(0);
        assertTrue(masked.getFlow().hasIP());
        assertFalse(masked.getFlow().hasL4());
        assertTrue(masked.getFlow().getUuid().isEmpty());
        assertEquals(masked.getFlow().getTime(), masked.getTime());
        assertEquals("solwk02", masked.getNodeName());

        FieldMask withoutTime = FieldMask.newBuilder().addPaths("l4.TCP.flags").build();
        GetFlowsResponse noTime = responses(GetFlowsRequest.newBuilder()
                .setExperimental(GetFlowsRequest.Experimental.newBuilder().setFieldMask(withoutTime)).build()).get(0);
        assertFalse(noTime.hasTime(), "the response time comes from the masked flow");
        assertFalse(noTime.getFlow().hasIP());
    }

    @Test
    void shouldRejectFieldMasksWhenConfiguredAsAnOldServer() throws InterruptedException {
        try (Simulator old = Simulator.start(SimulatorConfig.builder().mode(SimMode.NODES).clock(clock)
                .trafficThread(false).fieldMaskSupport(FieldMaskSupport.NONE).build())) {
            ManagedChannel oldChannel = plaintext(old.nodeTargets().get("solwk01"));
            try {
                GetFlowsRequest masked = GetFlowsRequest.newBuilder()
                        .setFieldMask(FieldMask.newBuilder().addPaths("time")).build();
                StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
                        () -> ObserverGrpc.newBlockingStub(oldChannel).withDeadlineAfter(10, TimeUnit.SECONDS)
                                .getFlows(masked).next());
                assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
            } finally {
                close(oldChannel);
            }
        }
    }

    @Test
    void shouldBackfillFromRingWhenSinceIsSet() {
        advance(sim, clock, Duration.ofSeconds(4));
        List<GetFlowsResponse> emitted = sim.emittedEvents("solwk02");
        long since = nanos(emitted.get(emitted.size() / 2).getFlow());
        List<Flow> got = flows(GetFlowsRequest.newBuilder().setSince(Timestamps.of(since)).build());

        // Hubble walks back from the newest event to the oldest one whose time is >= since.
        int start = emitted.size();
        while (start > 0 && nanos(emitted.get(start - 1).getFlow()) >= since) {
            start--;
        }
        assertEquals(emitted.size() - start, got.size());
        assertEquals(emitted.get(start).getFlow().getUuid(), got.get(0).getUuid());
        assertEquals(emitted.get(emitted.size() - 1).getFlow().getUuid(), got.get(got.size() - 1).getUuid());
    }

    @Test
    void shouldBackfillOnlyWhatTheRingStillHoldsAfterItWrapped() {
        sim.setRingCapacity(100);
        advance(sim, clock, Duration.ofSeconds(5));
        List<GetFlowsResponse> emitted = sim.emittedEvents("solwk02");
        assertTrue(emitted.size() > 300, "the ring wrapped several times: " + emitted.size());
        List<Flow> got = flows(GetFlowsRequest.newBuilder().setSince(Timestamps.of(T0)).build());
        assertEquals(100, got.size());
        assertEquals(emitted.get(emitted.size() - 100).getFlow().getUuid(), got.get(0).getUuid());
    }

    @Test
    void shouldReturnLastOrFirstNumberOfFlows() {
        advance(sim, clock, Duration.ofSeconds(2));
        List<GetFlowsResponse> emitted = sim.emittedEvents("solwk02");
        List<Flow> last = flows(GetFlowsRequest.newBuilder().setNumber(5).build());
        List<Flow> first = flows(GetFlowsRequest.newBuilder().setNumber(5).setFirst(true).build());
        assertEquals(emitted.subList(emitted.size() - 5, emitted.size()).stream().map(r -> r.getFlow().getUuid()).toList(),
                last.stream().map(Flow::getUuid).toList());
        assertEquals(emitted.subList(0, 5).stream().map(r -> r.getFlow().getUuid()).toList(),
                first.stream().map(Flow::getUuid).toList());
    }

    @Test
    void shouldCloseStreamsOnStopNodeAndServeTheKeptRingAgainOnTheSamePort() throws InterruptedException {
        advance(sim, clock, Duration.ofSeconds(1));
        String target = sim.nodeTargets().get("solwk02");
        FlowCollector live = new FlowCollector(false);
        ObserverGrpc.newStub(channel).getFlows(GetFlowsRequest.newBuilder().setFollow(true).build(), live);
        await("live flows", () -> {
            advance(sim, clock, Duration.ofMillis(100)); // the call may reach the server after a first tick
            return live.count(GetFlowsResponse::hasFlow) > 0;
        });

        sim.stopNode("solwk02");
        await("the stream to end", () -> live.status() != null);
        assertEquals(Status.Code.UNAVAILABLE, live.status().getCode());
        assertThrows(StatusRuntimeException.class, () -> ObserverGrpc.newBlockingStub(channel)
                .withDeadlineAfter(5, TimeUnit.SECONDS).serverStatus(ServerStatusRequest.getDefaultInstance()));
        long before = sim.eventCounts("solwk02").flows();
        advance(sim, clock, Duration.ofSeconds(2));
        assertEquals(before, sim.eventCounts("solwk02").flows(), "nothing is recorded while Hubble is down");
        assertTrue(sim.eventCounts("solwk02").lostWhileDown() > 0);

        sim.restartNode("solwk02", true);
        channel.resetConnectBackoff();
        assertEquals(target, sim.nodeTargets().get("solwk02"));
        List<Flow> kept = flows(GetFlowsRequest.newBuilder().setSince(Timestamps.of(T0)).build());
        assertEquals(before, kept.size(), "the ring from before the outage");
    }

    @Test
    void shouldTakeTheNodeServerDownAndUpOnTheStreamDownFault() throws InterruptedException {
        Scenario outage = Scenario.builder().name("outage")
                .fault(new Fault.StreamDown("solwk01", Duration.ofSeconds(1), Duration.ofSeconds(2))).build();
        try (Simulator faulty = Simulator.start(SimulatorConfig.builder().mode(SimMode.NODES).scenario(outage)
                .clock(clock).trafficThread(false).build())) {
            ManagedChannel node = plaintext(faulty.nodeTargets().get("solwk01"));
            try {
                var stub = ObserverGrpc.newBlockingStub(node);
                advance(faulty, clock, Duration.ofMillis(1500));
                await("solwk01 down", () -> !answers(stub));
                advance(faulty, clock, Duration.ofSeconds(2));
                await("solwk01 back", () -> {
                    node.resetConnectBackoff();
                    return answers(stub);
                });
                assertTrue(faulty.eventCounts("solwk01").lostWhileDown() > 0);
            } finally {
                close(node);
            }
        }
    }

    private static boolean answers(ObserverGrpc.ObserverBlockingStub stub) {
        try {
            stub.withDeadlineAfter(2, TimeUnit.SECONDS).serverStatus(ServerStatusRequest.getDefaultInstance());
            return true;
        } catch (StatusRuntimeException e) {
            return false;
        }
    }

    @Test
    void shouldDescribeItsOwnNodeInGetNodesAndServerStatus() {
        advance(sim, clock, Duration.ofSeconds(1));
        var stub = ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS);
        var nodes = stub.getNodes(GetNodesRequest.getDefaultInstance()).getNodesList();
        assertEquals(1, nodes.size());
        assertEquals("solwk02", nodes.get(0).getName());
        var status = stub.serverStatus(ServerStatusRequest.getDefaultInstance());
        assertEquals(4095, status.getMaxFlows());
        assertEquals(sim.eventCounts("solwk02").flows(), status.getSeenFlows());
        assertTrue(status.getNumFlows() > 0);
    }

    private List<GetFlowsResponse> responses(GetFlowsRequest request) {
        List<GetFlowsResponse> out = new ArrayList<>();
        ObserverGrpc.newBlockingStub(channel).withDeadlineAfter(10, TimeUnit.SECONDS).withWaitForReady()
                .getFlows(request)
                .forEachRemaining(out::add);
        return out;
    }

    private List<Flow> flows(GetFlowsRequest request) {
        return responses(request).stream().filter(GetFlowsResponse::hasFlow).map(GetFlowsResponse::getFlow).toList();
    }
}
