package io.transitwatch.daemon.sim;

import static io.transitwatch.daemon.sim.SimTestSupport.T0;
import static io.transitwatch.daemon.sim.SimTestSupport.advance;
import static io.transitwatch.daemon.sim.SimTestSupport.at;
import static io.transitwatch.daemon.sim.SimTestSupport.flows;
import static io.transitwatch.daemon.sim.SimTestSupport.manual;
import static io.transitwatch.daemon.sim.SimTestSupport.nanos;
import static io.transitwatch.daemon.sim.SimTestSupport.synOnly;
import static io.transitwatch.daemon.sim.SimTestSupport.tuple;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.proto.flow.DropReason;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.TraceObservationPoint;
import io.transitwatch.proto.flow.TraceReason;
import io.transitwatch.proto.flow.TrafficDirection;
import io.transitwatch.proto.flow.Verdict;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the simulated datapath reports, driven by a manual clock (no traffic thread, no sleeping). */
class SimTrafficSemanticsIT {
    private final ManualClock clock = new ManualClock(T0);

    @Test
    void shouldReportCrossNodeSynAtToNetworkOnSourceAndToEndpointOnDestination() {
        try (Simulator sim = manual(Scenario.preset("healthy"), clock, SimMode.RELAY)) {
            advance(sim, clock, Duration.ofSeconds(2));
            Pod client = sim.topology().pod("kustomize-controller");
            Pod server = sim.topology().pod("source-controller");

            Flow departure = flows(sim, "solwk03", at(TraceObservationPoint.TO_NETWORK)
                    .and(tuple(client.ipv6(), server.ipv6(), 9090)).and(synOnly())).get(0);
            assertEquals(TraceReason.NEW, departure.getTraceReason());
            assertFalse(departure.getIsReply().getValue());
            assertTrue(departure.hasIsReply());
            assertEquals(TrafficDirection.EGRESS, departure.getTrafficDirection());
            assertEquals(4, departure.getEventType().getType());
            assertEquals(11, departure.getEventType().getSubType());
            assertEquals("ens18", departure.getInterface().getName());
            assertEquals(client.endpointId(), departure.getSource().getID());
            assertEquals(0, departure.getDestination().getID());
            assertEquals(41034, departure.getDestination().getIdentity());
            assertEquals(Verdict.FORWARDED, departure.getVerdict());
            assertEquals("TCP Flags: SYN", departure.getSummary());
            assertEquals("", departure.getIP().getSourceXlated(), "no SNAT without the fault");
            assertFalse(departure.getUuid().isEmpty());

            int sourcePort = departure.getL4().getTCP().getSourcePort();
            Flow arrival = flows(sim, "solwk02", at(TraceObservationPoint.TO_ENDPOINT)
                    .and(tuple(client.ipv6(), server.ipv6(), 9090)).and(synOnly())
                    .and(f -> f.getL4().getTCP().getSourcePort() == sourcePort)).get(0);
            assertEquals(TraceReason.NEW, arrival.getTraceReason());
            assertEquals(4, arrival.getEventType().getType());
            assertEquals(0, arrival.getEventType().getSubType());
            assertEquals(server.endpointId(), arrival.getDestination().getID());
            assertEquals(0, arrival.getSource().getID());
            assertEquals(TrafficDirection.INGRESS, arrival.getTrafficDirection());
            assertTrue(arrival.getInterface().getName().startsWith("lxc"));
            long transit = nanos(arrival) - nanos(departure);
            assertTrue(transit > -25_000_000 && transit < 25_000_000, "transit + perf delays: " + transit);

            Flow synAckOut = flows(sim, "solwk02", at(TraceObservationPoint.TO_NETWORK)
                    .and(f -> f.getL4().getTCP().getDestinationPort() == sourcePort)).get(0);
            assertEquals("TCP Flags: SYN, ACK", synAckOut.getSummary());
            assertEquals(TraceReason.REPLY, synAckOut.getTraceReason());
            assertTrue(synAckOut.getIsReply().getValue());
            Flow synAckIn = flows(sim, "solwk03", at(TraceObservationPoint.TO_ENDPOINT)
                    .and(f -> f.getL4().getTCP().getDestinationPort() == sourcePort)).get(0);
            assertEquals(TraceReason.REPLY, synAckIn.getTraceReason());
            assertEquals(TrafficDirection.EGRESS, synAckIn.getTrafficDirection());
        }
    }

    @Test
    void shouldReportBlackholedSynAtZeroSevenFifteenAndThirtyOneSecondsWithoutArrival() {
        try (Simulator sim = manual(Scenario.preset("seed"), clock, SimMode.RELAY)) {
            advance(sim, clock, Duration.ofMillis(300));
            sim.pauseTraffic();
            advance(sim, clock, Duration.ofSeconds(40));
            Pod client = sim.topology().pod("kustomize-controller");
            Pod server = sim.topology().pod("source-controller");
            List<Flow> departures = flows(sim, "solwk03", at(TraceObservationPoint.TO_NETWORK)
                    .and(tuple(client.ipv6(), server.ipv6(), 9090)).and(synOnly()));
            int port = departures.get(0).getL4().getTCP().getSourcePort();
            List<Flow> sameTuple = departures.stream()
                    .filter(f -> f.getL4().getTCP().getSourcePort() == port).toList();

            assertEquals(4, sameTuple.size(), "reports of one SYN tuple: " + sameTuple.size());
            assertEquals(TraceReason.NEW, sameTuple.get(0).getTraceReason());
            long first = nanos(sameTuple.get(0));
            long[] expectedOffsets = {7, 15, 31};
            for (int i = 1; i < 4; i++) {
                assertEquals(TraceReason.ESTABLISHED, sameTuple.get(i).getTraceReason());
                double seconds = (nanos(sameTuple.get(i)) - first) / 1e9;
                assertEquals(expectedOffsets[i - 1], seconds, 0.05, "retransmit report " + i);
            }
            assertTrue(flows(sim, "solwk02", tuple(client.ipv6(), server.ipv6(), 9090)).isEmpty(),
                    "nothing of the blackholed IPv6 pair arrives");
            assertFalse(flows(sim, "solwk02", at(TraceObservationPoint.TO_ENDPOINT)
                    .and(tuple(client.ipv4(), server.ipv4(), 9090))).isEmpty(), "IPv4 on the same pair works");
        }
    }

    @Test
    void shouldReportArrivalOfRecoveringRetransmitAsNew() {
        Scenario scenario = Scenario.builder().name("recover")
                .fault(new Fault.HandshakeLoss(new Fault.Path("solwk03", "solwk02", null),
                        Fault.HandshakePacket.FIRST_SYN, 1.0))
                .connectionsPerSecond(0).build();
        try (Simulator sim = manual(scenario, clock, SimMode.RELAY)) {
            advance(sim, clock, Duration.ofMillis(250));
            sim.pauseTraffic();
            advance(sim, clock, Duration.ofSeconds(3));
            Pod client = sim.topology().pod("kustomize-controller");
            Pod server = sim.topology().pod("source-controller");
            Flow departure = flows(sim, "solwk03", at(TraceObservationPoint.TO_NETWORK)
                    .and(tuple(client.ipv4(), server.ipv4(), 9090)).and(synOnly())).get(0);
            int port = departure.getL4().getTCP().getSourcePort();
            List<Flow> arrivals = flows(sim, "solwk02", at(TraceObservationPoint.TO_ENDPOINT).and(synOnly())
                    .and(f -> f.getL4().getTCP().getSourcePort() == port));
            assertEquals(1, arrivals.size());
            assertEquals(TraceReason.NEW, arrivals.get(0).getTraceReason());
            double delay = (nanos(arrivals.get(0)) - nanos(departure)) / 1e9;
            assertEquals(1.0, delay, 0.05, "the +1 s retransmit is the copy that arrives");
            assertEquals(1, flows(sim, "solwk03", at(TraceObservationPoint.TO_NETWORK).and(synOnly())
                    .and(f -> f.getL4().getTCP().getSourcePort() == port)).size(),
                    "the source does not report the retransmit 1 s later");
        }
    }

    @Test
    void shouldCarrySourceXlatedAndPostSnatPortWhenMasqueraded() {
        Scenario scenario = Scenario.builder().name("snat-all").fault(new Fault.Snat(null, IpFamily.IPV4, 1.0)).build();
        try (Simulator sim = manual(scenario, clock, SimMode.RELAY)) {
            MasqueradedSyn syn = masqueradedSyn(sim);
            assertEquals(syn.clientNode().ipv4(), syn.departure().getIP().getSourceXlated());
            assertEquals(ExternalPeer.IDENTITY_REMOTE_NODE, syn.arrival().getSource().getIdentity());
            assertEquals("", syn.arrival().getIP().getSourceXlated());

            TruthKey key = new TruthKey(IpFamily.IPV4, syn.clientNode().ipv4(), syn.server().ipv4(),
                    syn.departure().getL4().getTCP().getSourcePort(), 9090, L4Protocol.TCP, PacketKind.SYN);
            assertEquals(Expectation.ARRIVED, sim.groundTruth().find(key).orElseThrow().expected());
        }
    }

    @Test
    void shouldReportTheDepartureBeforeSnatOnlyWhenTheFaultSaysSo() {
        Scenario scenario = Scenario.builder().name("snat-before")
                .fault(new Fault.Snat(null, IpFamily.IPV4, 1.0, Fault.Snat.Reports.BEFORE_SNAT)).build();
        try (Simulator sim = manual(scenario, clock, SimMode.RELAY)) {
            MasqueradedSyn syn = masqueradedSyn(sim); // found at the departure's port: SNAT kept it
            assertEquals("", syn.departure().getIP().getSourceXlated(), "reported before SNAT");
            assertEquals(1, reportsOf(sim, syn).size(), "and only then");
            assertEquals(ExternalPeer.IDENTITY_REMOTE_NODE, syn.arrival().getSource().getIdentity());
        }
    }

    @Test
    void shouldReportTheDepartureBeforeAndAfterSnatAsBpfMasqueradeDoes() {
        Scenario scenario = Scenario.builder().name("snat-twice")
                .fault(new Fault.Snat(null, IpFamily.IPV4, 1.0, Fault.Snat.Reports.BEFORE_AND_AFTER_SNAT)).build();
        try (Simulator sim = manual(scenario, clock, SimMode.RELAY)) {
            MasqueradedSyn syn = masqueradedSyn(sim);
            List<Flow> reports = reportsOf(sim, syn);
            assertEquals(2, reports.size(), "the endpoint's program, then bpf_host's SNAT path: " + reports);
            assertEquals("", reports.get(0).getIP().getSourceXlated());
            assertEquals(syn.clientNode().ipv4(), reports.get(1).getIP().getSourceXlated());
            assertEquals(syn.arrival().getL4().getTCP().getSourcePort(), reports.get(1).getL4().getTCP().getSourcePort(),
                    "the port SNAT kept");
        }
    }

    /** Every report of {@code syn}'s departure on its client's node. */
    private static List<Flow> reportsOf(Simulator sim, MasqueradedSyn syn) {
        Flow departure = syn.departure();
        return flows(sim, syn.clientNode().name(), at(TraceObservationPoint.TO_NETWORK).and(synOnly())
                .and(tuple(departure.getIP().getSource(), departure.getIP().getDestination(), 9090))
                .and(f -> f.getL4().getTCP().getSourcePort() == departure.getL4().getTCP().getSourcePort()));
    }

    /** The first SYN kustomize-controller (solwk03) sends source-controller (solwk02), as each node reports it. */
    private record MasqueradedSyn(Flow departure, Flow arrival, SimNode clientNode, Pod server) {}

    /** {@link MasqueradedSyn} of a cluster whose client connections are all masqueraded, 1 s in. */
    private MasqueradedSyn masqueradedSyn(Simulator sim) {
        advance(sim, clock, Duration.ofSeconds(1));
        Pod client = sim.topology().pod("kustomize-controller");
        Pod server = sim.topology().pod("source-controller");
        SimNode clientNode = client.node();
        Flow departure = flows(sim, "solwk03", at(TraceObservationPoint.TO_NETWORK)
                .and(tuple(client.ipv4(), server.ipv4(), 9090)).and(synOnly())).get(0);
        int wirePort = departure.getL4().getTCP().getSourcePort();
        Flow arrival = flows(sim, "solwk02", at(TraceObservationPoint.TO_ENDPOINT).and(synOnly())
                .and(tuple(clientNode.ipv4(), server.ipv4(), 9090))
                .and(f -> f.getL4().getTCP().getSourcePort() == wirePort)).get(0);
        return new MasqueradedSyn(departure, arrival, clientNode, server);
    }

    @Test
    void shouldNotReportToNetworkForSameNodeTraffic() {
        try (Simulator sim = manual(Scenario.preset("healthy"), clock, SimMode.RELAY)) {
            advance(sim, clock, Duration.ofSeconds(20));
            for (SimNode node : sim.topology().nodes()) {
                Set<String> localIps = sim.topology().podsOn(node.name()).stream()
                        .flatMap(p -> java.util.stream.Stream.of(p.ipv4(), p.ipv6())).collect(Collectors.toSet());
                List<Flow> local = flows(sim, node.name(), at(TraceObservationPoint.TO_NETWORK)
                        .and(f -> localIps.contains(f.getIP().getDestination())));
                assertTrue(local.isEmpty(), node.name() + " reported same-node traffic at to-network: " + local);
            }
            Pod helm = sim.topology().pod("helm-controller");
            Pod notification = sim.topology().pod("notification-controller");
            assertFalse(flows(sim, "solwk01", at(TraceObservationPoint.TO_ENDPOINT)
                    .and(f -> f.getIP().getSource().equals(helm.ip(IpFamily.IPV4))
                            || f.getIP().getSource().equals(helm.ip(IpFamily.IPV6)))
                    .and(f -> f.getIP().getDestination().startsWith(notification.ipv4())
                            || f.getIP().getDestination().equals(notification.ipv6()))).isEmpty(),
                    "same-node delivery is reported at to-endpoint");
        }
    }

    @Test
    void shouldReportWorldAndNodeAddressTrafficOnlyAtTheSource() {
        try (Simulator sim = manual(Scenario.preset("healthy"), clock, SimMode.RELAY)) {
            advance(sim, clock, Duration.ofSeconds(20));
            Set<Integer> unjoinable = Set.of(2, 6, 7, 9, 10);
            Set<String> hostIps = sim.topology().nodes().stream()
                    .flatMap(n -> java.util.stream.Stream.of(n.ipv4(), n.ipv6())).collect(Collectors.toSet());
            long departures = 0;
            for (SimNode node : sim.topology().nodes()) {
                departures += flows(sim, node.name(), at(TraceObservationPoint.TO_NETWORK).and(synOnly())
                        .and(f -> unjoinable.contains(f.getDestination().getIdentity()))).size();
                List<Flow> arrivals = flows(sim, node.name(), at(TraceObservationPoint.TO_ENDPOINT)
                        .and(f -> hostIps.contains(f.getIP().getDestination())
                                || unjoinable.contains(f.getDestination().getIdentity())));
                assertTrue(arrivals.isEmpty(), "no arrival for world or host destinations: " + arrivals);
            }
            assertTrue(departures > 50, "world / node-address departures exist: " + departures);
        }
    }

    @Test
    void shouldReportPolicyDropAtDestinationForEveryCopy() {
        try (Simulator sim = manual(Scenario.preset("policy-drop"), clock, SimMode.RELAY)) {
            advance(sim, clock, Duration.ofSeconds(10));
            List<Flow> drops = sim.topology().nodes().stream()
                    .flatMap(n -> flows(sim, n.name(), f -> f.getVerdict() == Verdict.DROPPED).stream()).toList();
            assertFalse(drops.isEmpty());
            for (Flow drop : drops) {
                assertEquals(DropReason.POLICY_DENIED, drop.getDropReasonDesc());
                assertEquals(1, drop.getEventType().getType());
                assertEquals(133, drop.getEventType().getSubType());
                assertEquals(5001, drop.getL4().getTCP().getDestinationPort());
                assertFalse(drop.hasIsReply());
            }
            assertTrue(sim.groundTruth().records(r -> r.droppedAtDestination()).size() > 0);
        }
    }

    @Test
    void shouldReportLostEventsWithCountAndRange() {
        Scenario scenario = Scenario.builder().name("lost")
                .fault(new Fault.LostEvents("solwk02", Duration.ofSeconds(1), 25, null)).build();
        try (Simulator sim = manual(scenario, clock, SimMode.RELAY)) {
            advance(sim, clock, Duration.ofSeconds(5));
            var lost = sim.emittedEvents("solwk02").stream().filter(r -> r.hasLostEvents()).toList();
            assertEquals(1, lost.size());
            var event = lost.get(0).getLostEvents();
            assertEquals(25, event.getNumEventsLost());
            assertEquals(io.transitwatch.proto.flow.LostEventSource.PERF_EVENT_RING_BUFFER, event.getSource());
            assertTrue(event.hasFirst() && event.hasLast());
            assertEquals(25, sim.eventCounts("solwk02").lostInPerfRing());
        }
    }

    @Test
    void shouldReportAnOverflowWithinASecondHoweverFewEventsCome() {
        // More events than solwk02 produces in a second: the reader catches up after one second and
        // reports what it lost, rather than waiting (for ever, on a quiet node) for the full count.
        Scenario scenario = Scenario.builder().name("long-overflow")
                .fault(new Fault.LostEvents("solwk02", Duration.ofSeconds(1), 1_000_000, null)).build();
        try (Simulator sim = manual(scenario, clock, SimMode.RELAY)) {
            advance(sim, clock, Duration.ofMillis(2_500));
            var lost = sim.emittedEvents("solwk02").stream().filter(r -> r.hasLostEvents()).toList();
            assertEquals(1, lost.size());
            long swallowed = sim.eventCounts("solwk02").lostInPerfRing();
            assertTrue(swallowed > 0 && swallowed < 1_000_000, "swallowed " + swallowed);
            assertEquals(swallowed, lost.get(0).getLostEvents().getNumEventsLost());
            assertTrue(sim.emittedEvents("solwk02").stream().anyMatch(r -> r.hasFlow()), "recording again");
        }
    }

    @Test
    void shouldStampEventsWithTheSkewedNodeClock() {
        Scenario scenario = Scenario.builder().name("skew")
                .fault(new Fault.ClockSkew("solwk02", Duration.ofMillis(-1500))).build();
        try (Simulator sim = manual(scenario, clock, SimMode.RELAY)) {
            advance(sim, clock, Duration.ofSeconds(1));
            Pod client = sim.topology().pod("kustomize-controller");
            Pod server = sim.topology().pod("source-controller");
            Flow departure = flows(sim, "solwk03", at(TraceObservationPoint.TO_NETWORK)
                    .and(tuple(client.ipv4(), server.ipv4(), 9090)).and(synOnly())).get(0);
            int port = departure.getL4().getTCP().getSourcePort();
            Flow arrival = flows(sim, "solwk02", at(TraceObservationPoint.TO_ENDPOINT).and(synOnly())
                    .and(f -> f.getL4().getTCP().getSourcePort() == port)).get(0);
            double offset = (nanos(arrival) - nanos(departure)) / 1e9;
            assertEquals(-1.5, offset, 0.025, "destination clock 1.5 s behind, plus transit and perf delays");
        }
    }

    @Test
    void shouldDeliverALaggingNodesEventsLateSoAnArrivalCanComeFirst() {
        Scenario scenario = Scenario.builder().name("lag")
                .fault(new Fault.RelayReorder("solwk03", Duration.ofMillis(1500))).build();
        try (Simulator sim = manual(scenario, clock, SimMode.RELAY)) {
            advance(sim, clock, Duration.ofMillis(1000));
            Pod client = sim.topology().pod("kustomize-controller");
            Pod server = sim.topology().pod("source-controller");
            assertTrue(flows(sim, "solwk03", at(TraceObservationPoint.TO_NETWORK)
                    .and(tuple(client.ipv4(), server.ipv4(), 9090))).isEmpty(), "departures not in the ring yet");
            assertFalse(flows(sim, "solwk02", at(TraceObservationPoint.TO_ENDPOINT)
                    .and(tuple(client.ipv4(), server.ipv4(), 9090))).isEmpty(), "arrivals already are");
            advance(sim, clock, Duration.ofMillis(1000));
            Flow departure = flows(sim, "solwk03", at(TraceObservationPoint.TO_NETWORK)
                    .and(tuple(client.ipv4(), server.ipv4(), 9090))).get(0);
            assertTrue(nanos(departure) < T0 + 1_000_000_000L, "event times keep the node's own clock");
        }
    }

    @Test
    void shouldProduceTheSameEventsForTheSameSeed() {
        List<String> first = summaries(Scenario.preset("random-loss-0.1"));
        List<String> second = summaries(Scenario.preset("random-loss-0.1"));
        List<String> otherSeed = summaries(Scenario.preset("random-loss-0.1").toBuilder().seed(7).build());
        assertEquals(first, second);
        assertNotEquals(first, otherSeed);
    }

    private List<String> summaries(Scenario scenario) {
        ManualClock own = new ManualClock(T0);
        try (Simulator sim = manual(scenario, own, SimMode.RELAY)) {
            for (int i = 0; i < 30; i++) { // uneven ticks must not change anything
                advance(sim, own, Duration.ofMillis(7 + 13L * (i % 3)));
            }
            advance(sim, own, Duration.ofSeconds(5));
            return flows(sim, "solwk03").stream().map(f -> f.getUuid() + f.getTime() + f.getIP() + f.getL4()).toList();
        }
    }
}
