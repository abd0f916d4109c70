package io.transitwatch.daemon.sim;

import static io.transitwatch.daemon.sim.SimTestSupport.T0;
import static io.transitwatch.daemon.sim.SimTestSupport.advance;
import static io.transitwatch.daemon.sim.SimTestSupport.at;
import static io.transitwatch.daemon.sim.SimTestSupport.flows;
import static io.transitwatch.daemon.sim.SimTestSupport.manual;
import static io.transitwatch.daemon.sim.SimTestSupport.synOnly;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.TCPFlags;
import io.transitwatch.proto.flow.TraceObservationPoint;
import io.transitwatch.proto.flow.TraceReason;
import java.time.Duration;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Round trips (DESIGN §3.7) and first data (§3.8) as the simulated datapath reports them, and their
 * ground truth; driven by a manual clock (no traffic thread, no sleeping).
 */
class SimRoundTripsIT {
    private static final Duration WINDOW = Duration.ofSeconds(5);
    private final ManualClock clock = new ManualClock(T0);

    @Test
    void shouldDialTheApiServerThroughItsClusterIpAndDeliverTheReplyReverseNated() {
        try (Simulator sim = manual(Scenario.preset("healthy"), clock, SimMode.RELAY)) {
            advance(sim, clock, Duration.ofSeconds(10));
            Set<String> controlPlane = sim.topology().nodes().stream().filter(SimNode::controlPlane)
                    .flatMap(n -> java.util.stream.Stream.of(n.ipv4(), n.ipv6())).collect(Collectors.toSet());
            Flow syn = null;
            Flow reply = null;
            for (SimNode node : sim.topology().nodes()) {
                List<Flow> attempts = flows(sim, node.name(), at(TraceObservationPoint.TO_NETWORK).and(synOnly())
                        .and(f -> f.getL4().getTCP().getDestinationPort() == 6443));
                for (Flow attempt : attempts) {
                    int clientPort = attempt.getL4().getTCP().getSourcePort();
                    List<Flow> replies = flows(sim, node.name(), at(TraceObservationPoint.TO_ENDPOINT)
                            .and(f -> f.getL4().getTCP().getDestinationPort() == clientPort
                                    && f.getIP().getDestination().equals(attempt.getIP().getSource())));
                    if (!replies.isEmpty()) {
                        syn = attempt;
                        reply = replies.get(0);
                        break;
                    }
                }
                if (syn != null) {
                    break;
                }
            }
            assertTrue(syn != null, "an answered API-server connection");
            // the departure is already DNATed to a control-plane node's :6443 (per-packet LB in bpf_lxc)
            assertTrue(controlPlane.contains(syn.getIP().getDestination()), syn.getIP().toString());
            assertEquals(7, syn.getDestination().getIdentity());
            assertTrue(syn.getDestination().getLabelsList().contains("reserved:kube-apiserver"));
            assertEquals(TraceReason.NEW, syn.getTraceReason());
            // the reply after reverse NAT: backend as source, the ClusterIP as source_xlated, the frontend port
            assertEquals(syn.getIP().getDestination(), reply.getIP().getSource());
            String clusterIp = syn.getIP().getIpVersionValue() == 1 ? ClusterTopology.API_SERVER_CLUSTER_IP_V4
                    : ClusterTopology.API_SERVER_CLUSTER_IP_V6;
            assertEquals(clusterIp, reply.getIP().getSourceXlated());
            assertEquals(443, reply.getL4().getTCP().getSourcePort());
            assertEquals(TraceReason.REPLY, reply.getTraceReason());
            assertTrue(reply.getIsReply().getValue());
            TCPFlags flags = reply.getL4().getTCP().getFlags();
            assertTrue(flags.getSYN() && flags.getACK(), reply.getSummary());
        }
    }

    @Test
    void shouldReportFirstAckAndPshOnBothNodesOnlyWhenTheFlagsIncludeThem() {
        // kustomize-controller (solwk03) polls source-controller (solwk02) five times a second per family
        Map<String, Long> all = firstDataReports(Scenario.preset("healthy-first-data"));
        Map<String, Long> agentDefault = firstDataReports(Scenario.preset("healthy"));

        assertTrue(all.get("ack out") >= 15, "IPv4 polling, 5 a second: " + all);
        assertEquals(all.get("ack out"), all.get("ack in"), "the third ACK on both nodes: " + all);
        assertTrue(all.get("psh out") >= 15, all.toString());
        assertEquals(all.get("psh out"), all.get("psh in"), "the first request on both nodes: " + all);
        assertEquals(all.get("psh out"), all.get("response out"), "one first response per request: " + all);
        assertEquals(all.get("response out"), all.get("response in"), all.toString());
        assertEquals(Map.of("ack out", 0L, "ack in", 0L, "psh out", 0L, "psh in", 0L, "response out", 0L,
                "response in", 0L), agentDefault, "syn,fin,rst: short connections report no ACK / PSH at all");
    }

    /** ACK-only and PSH segments of the solwk03 → solwk02 polling connections, as each node reported them. */
    private Map<String, Long> firstDataReports(Scenario scenario) {
        ManualClock own = new ManualClock(T0);
        try (Simulator sim = manual(scenario, own, SimMode.RELAY)) {
            advance(sim, own, Duration.ofSeconds(4));
            sim.pauseTraffic();
            advance(sim, own, Duration.ofSeconds(3)); // the polling connections last 50 ms: none reaches the 5 s interval
            Pod client = sim.topology().pod("kustomize-controller");
            Pod server = sim.topology().pod("source-controller");
            Predicate<Flow> request = f -> f.getIP().getSource().equals(client.ipv4())
                    && f.getIP().getDestination().equals(server.ipv4())
                    && f.getL4().getTCP().getDestinationPort() == 9090;
            Predicate<Flow> response = f -> f.getIP().getSource().equals(server.ipv4())
                    && f.getIP().getDestination().equals(client.ipv4())
                    && f.getL4().getTCP().getSourcePort() == 9090;
            Predicate<Flow> ackOnly = f -> flagsAre(f, false, true, false, false);
            Predicate<Flow> psh = f -> flagsAre(f, false, true, true, false);
            Predicate<Flow> out = at(TraceObservationPoint.TO_NETWORK);
            Predicate<Flow> in = at(TraceObservationPoint.TO_ENDPOINT);
            return Map.of(
                    "ack out", (long) flows(sim, "solwk03", out.and(request).and(ackOnly)).size(),
                    "ack in", (long) flows(sim, "solwk02", in.and(request).and(ackOnly)).size(),
                    "psh out", (long) flows(sim, "solwk03", out.and(request).and(psh)).size(),
                    "psh in", (long) flows(sim, "solwk02", in.and(request).and(psh)).size(),
                    "response out", (long) flows(sim, "solwk02", out.and(response).and(psh)).size(),
                    "response in", (long) flows(sim, "solwk03", in.and(response).and(psh)).size());
        }
    }

    private static boolean flagsAre(Flow flow, boolean syn, boolean ack, boolean psh, boolean fin) {
        TCPFlags flags = flow.getL4().getTCP().getFlags();
        return flags.getSYN() == syn && flags.getACK() == ack && flags.getPSH() == psh && flags.getFIN() == fin
                && !flags.getRST();
    }

    @Test
    void shouldExpectNoReplyOnlyForTheFaultyClientNodeAndFamily() {
        try (Simulator sim = settled(Scenario.preset("apiserver-noreply"), Duration.ofSeconds(15))) {
            List<RoundTripRecord> trips = sim.groundTruth().roundTripsWithin(WINDOW, r -> true);
            Map<RoundTripExpectation, Long> byExpectation = count(trips);
            List<RoundTripRecord> noReply = trips.stream()
                    .filter(r -> r.expected() == RoundTripExpectation.NO_REPLY).toList();
            assertTrue(noReply.size() >= 10, byExpectation.toString());
            assertTrue(noReply.stream().allMatch(r -> r.clientNode().equals("solwk01") && r.family() == IpFamily.IPV6
                    && r.serverPort() == 6443 && r.server().startsWith("kube-apiserver on ")), noReply.toString());
            assertTrue(byExpectation.get(RoundTripExpectation.ANSWERED) > 200, byExpectation.toString());
            assertEquals(0L, byExpectation.get(RoundTripExpectation.REFUSED));
            assertEquals(0L, byExpectation.get(RoundTripExpectation.PENDING));
            // world, host, DNS-to-host and API-server round trips all exist and are answered
            Set<Integer> ports = trips.stream().filter(r -> r.expected() == RoundTripExpectation.ANSWERED)
                    .map(RoundTripRecord::serverPort).collect(Collectors.toSet());
            assertTrue(ports.containsAll(Set.of(443, 6443, 10250, 4244, 53)), ports.toString());
        }
    }

    @Test
    void shouldExpectRefusedForConnectionsAnsweredWithRst() {
        try (Simulator sim = settled(Scenario.preset("refused"), Duration.ofSeconds(20))) {
            List<RoundTripRecord> refused = sim.groundTruth().roundTripsWithin(WINDOW,
                    r -> r.expected() == RoundTripExpectation.REFUSED);
            assertTrue(refused.size() >= 5, refused.toString());
            assertTrue(refused.stream().allMatch(r -> r.server().equals("host solwk03") && r.serverPort() == 10250
                    && r.refused() && r.replyNanos() - r.attemptNanos() < 10_000_000L), refused.toString());
            assertEquals(0, sim.groundTruth().roundTripsWithin(WINDOW,
                    r -> r.expected() == RoundTripExpectation.NO_REPLY).size());
            RoundTripRecord first = refused.get(0);
            SimNode client = sim.topology().node(first.clientNode());
            List<Flow> rst = flows(sim, client.name(), at(TraceObservationPoint.TO_ENDPOINT)
                    .and(f -> f.getL4().getTCP().getDestinationPort() == first.clientPort()
                            && f.getL4().getTCP().getFlags().getRST()));
            assertEquals(1, rst.size(), "the RST delivered to the client is reported");
            assertEquals(TraceReason.REPLY, rst.get(0).getTraceReason());
        }
    }

    @Test
    void shouldExpectNoReplyForDnsQueriesToTheSilentHostForwarder() {
        try (Simulator sim = settled(Scenario.preset("dns-host-noreply"), Duration.ofSeconds(15))) {
            List<RoundTripRecord> noReply = sim.groundTruth().roundTripsWithin(WINDOW,
                    r -> r.expected() == RoundTripExpectation.NO_REPLY);
            assertTrue(noReply.size() >= 10, noReply.toString());
            assertTrue(noReply.stream().allMatch(r -> r.server().equals("host solwk03") && r.serverPort() == 53
                    && r.protocol() == L4Protocol.UDP), noReply.toString());
        }
    }

    @Test
    void shouldLoseOnlyTheFirstResponsesOnTheMtuBlackholedPath() {
        try (Simulator sim = settled(Scenario.preset("mtu-blackhole"), Duration.ofSeconds(10))) {
            GroundTruth truth = sim.groundTruth();
            List<TruthRecord> lost = truth.records(r -> r.expected() == Expectation.LOST);
            assertTrue(lost.size() >= 20, "helm-controller → source-controller and spegel alone: " + lost.size());
            assertTrue(lost.stream().allMatch(r -> r.key().kind() == PacketKind.FIRST_PSH
                    && r.sourceNode().equals("solwk02") && r.destinationNode().equals("solwk01")), lost.toString());
            Map<PacketKind, Long> arrivedOnPath = new EnumMap<>(PacketKind.class);
            truth.records(r -> r.expected() == Expectation.ARRIVED && r.sourceNode().equals("solwk02")
                    && r.destinationNode().equals("solwk01"))
                    .forEach(r -> arrivedOnPath.merge(r.key().kind(), 1L, Long::sum));
            assertTrue(arrivedOnPath.getOrDefault(PacketKind.SYN_ACK, 0L) >= lost.size(),
                    "the handshakes of those connections get through: " + arrivedOnPath);
            assertFalse(truth.records(r -> r.key().kind() == PacketKind.FIRST_ACK).isEmpty());
        }
    }

    @Test
    void shouldRecordNoFirstDataWhenTheAgentsDoNotReportIt() {
        Scenario scenario = Scenario.preset("mtu-blackhole").toBuilder().monitorFlags(MonitorFlags.SYN_FIN_RST).build();
        try (Simulator sim = settled(scenario, Duration.ofSeconds(5))) {
            assertTrue(sim.groundTruth().records(r -> r.key().kind() == PacketKind.FIRST_ACK
                    || r.key().kind() == PacketKind.FIRST_PSH).isEmpty());
            assertTrue(sim.groundTruth().records(r -> r.expected() == Expectation.LOST).isEmpty(),
                    "nothing join-safe is lost: the handshakes complete");
        }
    }

    private static Map<RoundTripExpectation, Long> count(List<RoundTripRecord> trips) {
        Map<RoundTripExpectation, Long> counts = new EnumMap<>(RoundTripExpectation.class);
        for (RoundTripExpectation e : RoundTripExpectation.values()) {
            counts.put(e, 0L);
        }
        trips.forEach(r -> counts.merge(r.expected(), 1L, Long::sum));
        return counts;
    }

    private Simulator settled(Scenario scenario, Duration traffic) {
        Simulator sim = manual(scenario, clock, SimMode.RELAY);
        advance(sim, clock, traffic);
        sim.pauseTraffic();
        advance(sim, clock, Duration.ofSeconds(70));
        return sim;
    }
}
