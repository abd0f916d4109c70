package io.transitwatch.daemon.sim;

import static io.transitwatch.daemon.sim.SimTestSupport.T0;
import static io.transitwatch.daemon.sim.SimTestSupport.advance;
import static io.transitwatch.daemon.sim.SimTestSupport.manual;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The ground truth tells what a correct join must conclude. */
class SimGroundTruthIT {
    private final ManualClock clock = new ManualClock(T0);

    @Test
    void shouldExpectLossOnlyOnTheBlackholedPairAndFamily() {
        try (Simulator sim = settled(Scenario.preset("seed"), Duration.ofSeconds(15))) {
            GroundTruth truth = sim.groundTruth();
            Map<Expectation, Long> blackholed = truth.countByExpectation("solwk03", "solwk02", IpFamily.IPV6);
            Map<Expectation, Long> otherFamily = truth.countByExpectation("solwk03", "solwk02", IpFamily.IPV4);
            assertTrue(blackholed.get(Expectation.LOST) >= 50, "steady IPv6 polling: " + blackholed);
            assertEquals(0L, blackholed.get(Expectation.ARRIVED));
            assertTrue(otherFamily.get(Expectation.ARRIVED) >= 50, "steady IPv4 polling: " + otherFamily);
            assertEquals(0L, otherFamily.get(Expectation.LOST));

            List<TruthRecord> lostElsewhere = truth.records(r -> r.expected() == Expectation.LOST
                    && !(r.sourceNode().equals("solwk03") && r.destinationNode().equals("solwk02")
                            && r.family() == IpFamily.IPV6));
            assertTrue(lostElsewhere.isEmpty(), "losses outside the fault: " + lostElsewhere);
            assertEquals(0L, truth.countByExpectation(null, null, null).get(Expectation.PENDING));

            TruthRecord lost = truth.records(r -> r.expected() == Expectation.LOST
                    && r.key().kind() == PacketKind.SYN && r.key().destinationPort() == 9090).get(0);
            assertEquals(4, lost.departureReports(), "reported at +0, +7, +15, +31 s");
            assertEquals(6, lost.transmissions(), "the SYN and five retransmissions");
        }
    }

    @Test
    void shouldRecordSynAckAndUdpDeparturesToo() {
        try (Simulator sim = settled(Scenario.preset("healthy"), Duration.ofSeconds(5))) {
            Map<PacketKind, Long> kinds = new java.util.EnumMap<>(PacketKind.class);
            sim.groundTruth().records().forEach(r -> kinds.merge(r.key().kind(), 1L, Long::sum));
            assertTrue(kinds.getOrDefault(PacketKind.SYN, 0L) > 100, kinds.toString());
            assertTrue(kinds.getOrDefault(PacketKind.SYN_ACK, 0L) > 100, kinds.toString());
            assertTrue(kinds.getOrDefault(PacketKind.UDP_NEW, 0L) > 50, kinds.toString());
            assertTrue(sim.groundTruth().records().stream().allMatch(r -> r.expected() == Expectation.ARRIVED));
        }
    }

    @Test
    void shouldMarkWhatHappenedWhileTheDestinationWasDownAsUnobservable() {
        Scenario scenario = Scenario.builder().name("down")
                .fault(new Fault.StreamDown("solwk02", Duration.ofSeconds(2), Duration.ofSeconds(3)))
                .fault(new Fault.PathLoss(new Fault.Path("solwk03", "solwk02", IpFamily.IPV6), 1.0)).build();
        try (Simulator sim = settled(scenario, Duration.ofSeconds(8))) {
            GroundTruth truth = sim.groundTruth();
            long downFrom = T0 + 2_000_000_000L;
            long downUntil = T0 + 5_000_000_000L;
            List<TruthRecord> duringOutage = truth.records(r -> r.destinationNode().equals("solwk02")
                    && r.arrived() && r.arrivedNanos() > downFrom + 100_000_000L
                    && r.arrivedNanos() < downUntil - 100_000_000L); // read (up to 20 ms later) while still down
            assertTrue(!duringOutage.isEmpty());
            assertTrue(duringOutage.stream().allMatch(r -> r.expected() == Expectation.UNOBSERVABLE));
            List<TruthRecord> lostNearOutage = truth.records(r -> r.expected() == Expectation.LOST
                    && r.departureNanos() > downFrom - GroundTruth.OBSERVATION_WINDOW_NANOS && r.departureNanos() < downUntil);
            assertTrue(lostNearOutage.isEmpty(), "a blackhole is unknowable while the destination is down");
            assertTrue(truth.countByExpectation("solwk03", "solwk02", IpFamily.IPV6).get(Expectation.LOST) > 0);
        }
    }

    /** Runs the scenario for {@code traffic}, then lets every retransmission play out. */
    private Simulator settled(Scenario scenario, Duration traffic) {
        Simulator sim = manual(scenario, clock, SimMode.RELAY);
        advance(sim, clock, traffic);
        sim.pauseTraffic();
        advance(sim, clock, Duration.ofSeconds(70));
        return sim;
    }
}
