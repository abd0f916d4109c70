package io.transitwatch.daemon.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.scale.ScaledRun.Disruption;
import io.transitwatch.daemon.scale.ScaledRun.Outcome;
import io.transitwatch.daemon.sim.Fault;
import io.transitwatch.daemon.sim.Fault.ClockSkew;
import io.transitwatch.daemon.sim.Fault.HandshakeLoss;
import io.transitwatch.daemon.sim.Fault.HandshakePacket;
import io.transitwatch.daemon.sim.Fault.HostLoss;
import io.transitwatch.daemon.sim.Fault.LostEvents;
import io.transitwatch.daemon.sim.Fault.MtuBlackhole;
import io.transitwatch.daemon.sim.Fault.PathLoss;
import io.transitwatch.daemon.sim.Fault.PolicyDrop;
import io.transitwatch.daemon.sim.Fault.Refusal;
import io.transitwatch.daemon.sim.Fault.Snat;
import io.transitwatch.daemon.sim.Fault.StreamBreaks;
import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.MonitorFlags;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.testsupport.KafkaTestBroker;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The scaled pipeline against the single process (issue #13, "Done when"), run by {@link ScaledRun}:
 * a KRaft broker in the test JVM, the simulator recording every event it emits, two collectors and
 * three correlators as separate JVMs of the daemon, a 12-partition event topic. The LOST_IN_TRANSIT,
 * NO_REPLY, REFUSED and DROPPED_AT_DESTINATION tuples a {@code read_committed} consumer reads from
 * the alerts topic must be those the
 * single-process join decides on the recording, with no alert id twice, and none at all on the
 * loss-free scenario; then the same, or the stated part of it, when a correlator is killed, a
 * collector is killed and started again, the broker restarts, or a collector is gone for good.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES) // ScaledRun's stacked waits (90 s, then the traffic's span + 60 s, ...) exceed the JUnit default of 120 s
class ScaledEquivalenceIT {
    /**
     * Every kind of loss of the detection report's scenarios at once, on different paths: an IPv6 pair
     * blackhole, random loss everywhere, asymmetric loss and an MTU blackhole (first data) on one pair,
     * an API server and a host DNS forwarder that never answer (NO_REPLY), a kubelet that refuses, and a
     * NetworkPolicy drop at the destination; first ACK / PSH reported as with Helm's flags.
     */
    private static final Scenario LOSS_MIX = Scenario.builder().name("loss-mix").monitorFlags(MonitorFlags.ALL)
            .faults(List.of(new PathLoss(new Fault.Path("solwk03", "solwk02", IpFamily.IPV6), 1.0),
                    new PathLoss(Fault.Path.ANY, 0.01),
                    new PathLoss(new Fault.Path("solwk02", "solwk01", null), 0.3),
                    new MtuBlackhole(new Fault.Path("solwk02", "solwk01", null)),
                    new HostLoss(new Fault.Path("solwk01", null, IpFamily.IPV6), 6443, 1.0),
                    new HostLoss(new Fault.Path(null, "solwk03", null), 53, 1.0),
                    new Refusal(new Fault.Path(null, "solwk03", null), 10250),
                    new PolicyDrop("spegel", 5001)))
            .build();
    /**
     * The detection report's loss-free scenarios at once: skewed clocks, lost events, SNAT, lost first
     * SYNs that a retransmission recovers, first data reported, and two nodes' Hubble servers unreachable
     * for 2-4 s about every 8 s while their agents keep recording (the collectors reconnect with backfill).
     */
    private static final Scenario LOSS_FREE_MIX = Scenario.builder().name("loss-free-mix").monitorFlags(MonitorFlags.ALL)
            .faults(List.of(new ClockSkew("solcp02", Duration.ofMillis(-1200)),
                    new ClockSkew("solwk01", Duration.ofMillis(2000)),
                    new ClockSkew("solwk02", Duration.ofMillis(-2000)),
                    new LostEvents("solwk02", Duration.ofSeconds(5), 200, Duration.ofSeconds(30)),
                    new Snat(null, IpFamily.IPV4, 0.1),
                    new HandshakeLoss(Fault.Path.ANY, HandshakePacket.FIRST_SYN, 0.05),
                    new StreamBreaks("solwk02", Duration.ofSeconds(2), Duration.ofSeconds(8), Duration.ofSeconds(2),
                            Duration.ofSeconds(4)),
                    new StreamBreaks("solwk03", Duration.ofSeconds(2), Duration.ofSeconds(8), Duration.ofSeconds(2),
                            Duration.ofSeconds(4))))
            .build();
    private static final Duration JUDGED_TRAFFIC = Duration.ofSeconds(12);
    /** Disruptions that leave a span UNVERIFIED need judged traffic on both sides of it. */
    private static final Duration LONG_JUDGED_TRAFFIC = Duration.ofSeconds(20);
    /** scale.collector-timeout's default: after it a silent collector's nodes turn UNVERIFIED. */
    private static final Duration COLLECTOR_TIMEOUT = Duration.ofSeconds(5);
    /** Longer than {@link #COLLECTOR_TIMEOUT}: the collectors' backlogs land one after the other. */
    private static final Duration BROKER_DOWN = Duration.ofSeconds(7);
    private static final String COLLECTOR_GONE_WARNING =
            "collector(s) fell behind the others by more than scale.collector-timeout";

    private static KafkaTestBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaTestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** {@link #LOSS_MIX}: every verdict that alerts, from every kind of loss, in one run. */
    @Test
    void theScaledPipelineReportsTheLossesOfTheSingleProcess() throws Exception {
        Outcome outcome = ScaledRun.run(broker, dir, LOSS_MIX, "loss-mix", JUDGED_TRAFFIC, Disruption.NONE);
        for (String kind : List.of("LOST TCP SYN ", "LOST TCP FIRST-", "NO_REPLY ", "REFUSED ", "DROPPED_AT_DESTINATION ")) {
            assertTrue(outcome.single().stream().anyMatch(t -> t.startsWith(kind)),
                    "no '" + kind + "' tuple to compare: " + outcome.single());
        }
        assertEquals(outcome.single(), outcome.scaled(), outcome.difference());
    }

    /**
     * The detection report's blackholes whose losses span many pairs at once: every IPv6 packet
     * between nodes, then every packet between nodes. Every pair's departures are spread over every
     * partition, and each partition decides them on its own heartbeats.
     */
    @ParameterizedTest
    @ValueSource(strings = {"family-blackhole", "all-cross-node-blackhole"})
    void theScaledPipelineReportsEveryLossOfABlackhole(String preset) throws Exception {
        Outcome outcome = ScaledRun.run(broker, dir, preset, preset, JUDGED_TRAFFIC, Disruption.NONE);
        assertTrue(outcome.single().size() >= 100, "too few losses to prove anything: " + outcome.single().size());
        assertEquals(outcome.single(), outcome.scaled(), outcome.difference());
    }

    /**
     * {@code kill -9} of one correlator halfway through the judged traffic: its partitions move to the
     * other two once its session times out (static membership keeps them until then) and, when it
     * died inside a transaction, once the broker has aborted that; they rebuild the join from the
     * topic with output muted up to the committed offsets. Every lost tuple is still reported, and no
     * alert id is read twice.
     */
    @Test
    void aCorrelatorKilledMidRunLosesAndDuplicatesNothing() throws Exception {
        Outcome outcome = ScaledRun.run(broker, dir, "seed", "killed", JUDGED_TRAFFIC, pipeline -> {
            pipeline.processes.kill("correlator-1");
            pipeline.stopped.add("correlator-1");
        });
        assertTrue(outcome.single().size() >= 8, "too few losses to prove anything: " + outcome.single());
        assertEquals(outcome.single(), outcome.scaled(), outcome.difference());
    }

    /** {@link #LOSS_FREE_MIX}: nothing is lost, so nothing is alerted, whatever the observers went through. */
    @Test
    void theScaledPipelineRaisesNoFalseAlertOnALossFreeCluster() throws Exception {
        Outcome outcome = ScaledRun.run(broker, dir, LOSS_FREE_MIX, "loss-free-mix", JUDGED_TRAFFIC, Disruption.NONE);
        assertEquals(Set.of(), outcome.single(), "the single process on the loss-free recording");
        assertEquals(List.of(), outcome.scaledAlerts(), "no alert at all from the scaled pipeline");
    }

    /**
     * {@code kill -9} of collector-1 (it streams solwk01-03, the nodes of every loss of the preset)
     * halfway through the judged traffic, and at once the same collector again: same settings, same
     * shard. Before anything else it reads its predecessor's last heartbeat from the observers topic
     * ({@code collector/1}) and its new streams ask Hubble for everything since then (less a margin for
     * the nodes' clocks): what was in the old producer when it was killed and what the nodes sent while
     * no collector read them is re-read, and the correlators drop what the old process had written
     * (PartitionJoin, a restarted collector's flows). Meanwhile they hold its nodes down from the old
     * process's last watermark until each new stream's NODE_UP, backfilled, so the outage is judged
     * only once it has been re-read. So the result is the single process's, exactly, with no alert id
     * twice.
     */
    @Test
    void aCollectorRestartedWithBackfillLosesAndDuplicatesNothing() throws Exception {
        Outcome outcome = ScaledRun.run(broker, dir, "seed", "restarted", LONG_JUDGED_TRAFFIC, pipeline -> {
            try (EventTopicView view = new EventTopicView(broker.bootstrapServers(), pipeline.eventsTopic,
                    pipeline.observersTopic, ScaledRun.PARTITIONS)) {
                view.readToEnd();
                Map<String, Long> upsBefore = new HashMap<>();
                pipeline.nodesOf(1).forEach(node -> upsBefore.put(node, view.nodeUps(node)));
                pipeline.processes.kill("collector-1");
                pipeline.disruptedAt = Clock.SYSTEM.epochNanos();
                pipeline.startCollector(1);
                ScaledRun.await("every stream of the restarted collector up", Duration.ofSeconds(60), pipeline.processes,
                        view::summary, () -> {
                            view.poll();
                            return upsBefore.entrySet().stream().allMatch(e -> view.nodeUps(e.getKey()) > e.getValue());
                        });
                pipeline.recoveredAt = Clock.SYSTEM.epochNanos();
            }
        });
        assertTrue(outcome.single().size() >= 8, "too few losses to prove anything: " + outcome.single());
        assertEquals(outcome.single(), outcome.scaled(), outcome.difference());
    }

    /**
     * The broker stops cleanly halfway through the judged traffic and starts again {@link #BROKER_DOWN}
     * later on the same port and log directory. The collectors' idempotent producers hold and retry
     * (far inside their delivery timeout), the correlators' consumers reconnect and their open
     * transaction commits late or aborts and is rebuilt. No collector counts as gone: when the broker
     * is back, one collector's backlog lands in a partition before the other's, whose watermark is then
     * further behind than the collector timeout, but the first one's heartbeats say its records were
     * held since the outage began (PartitionJoin). Nothing is unavailable, so the result is the single
     * process's, exactly, with no alert id twice, and every process is still running (a collector
     * whose record Kafka refused would have exited).
     */
    @Test
    void aBrokerRestartLosesAndDuplicatesNothing() throws Exception {
        Outcome outcome = ScaledRun.run(broker, dir, "seed", "broker", LONG_JUDGED_TRAFFIC, pipeline -> {
            pipeline.broker.stop();
            String[] hostPort = pipeline.broker.bootstrapServers().split(":");
            org.junit.jupiter.api.Assertions.assertThrows(java.io.IOException.class,
                    () -> new java.net.Socket(hostPort[0], Integer.parseInt(hostPort[1])).close(), "the broker is down");
            long restartAt = Clock.SYSTEM.epochNanos() + BROKER_DOWN.toNanos();
            ScaledRun.await("the broker's outage", BROKER_DOWN.plusSeconds(10), pipeline.processes, () -> "",
                    () -> Clock.SYSTEM.epochNanos() >= restartAt);
            pipeline.broker.restart();
            pipeline.recoveredAt = Clock.SYSTEM.epochNanos();
            pipeline.extraSettle = Duration.ofSeconds(10);
        });
        assertTrue(outcome.single().size() >= 8, "too few losses to prove anything: " + outcome.single());
        for (String correlator : List.of("correlator-0", "correlator-1", "correlator-2")) {
            assertFalse(outcome.pipeline().processes.log(correlator).contains(COLLECTOR_GONE_WARNING),
                    correlator + " counted a collector gone for the broker's outage:\n" + outcome.pipeline().processes.tails());
        }
        assertEquals(outcome.single(), outcome.scaled(), outcome.difference());
    }

    /**
     * {@code kill -9} of collector-1 (solcp01, solcp03, solwk01-03) halfway through, never started
     * again, on the loss-free preset. Once its watermark is {@code scale.collector-timeout} behind
     * collector-0's, every partition puts its nodes down at its last watermark: the departures of
     * solcp02 (collector-0's node) to them are UNVERIFIED, never LOST, and nothing at all is alerted.
     * The evidence an operator sees: the pair counts' {@code unverified} of those pairs, and the
     * correlators' warning that a collector fell behind.
     */
    @Test
    void aCollectorGoneForGoodTurnsItsNodesWindowsUnverifiedNotLost() throws Exception {
        Outcome outcome = ScaledRun.run(broker, dir, "healthy", "gone", LONG_JUDGED_TRAFFIC, pipeline -> {
            pipeline.processes.kill("collector-1");
            pipeline.stopped.add("collector-1");
            pipeline.extraSettle = COLLECTOR_TIMEOUT;
        });
        assertEquals(Set.of(), outcome.single(), "the single process on the loss-free recording");
        assertEquals(List.of(), outcome.scaledAlerts(), "no alert at all from the scaled pipeline");
        List<String> survivors = outcome.pipeline().nodesOf(0);
        List<String> gone = outcome.pipeline().nodesOf(1);
        long unverified = outcome.pairCounts().stream()
                .filter(c -> survivors.contains(c.source()) && gone.contains(c.destination()))
                .mapToLong(PairCount::unverified).sum();
        long matchedAmongSurvivors = outcome.pairCounts().stream()
                .filter(c -> survivors.contains(c.source()) && gone.contains(c.destination()))
                .mapToLong(PairCount::matched).sum();
        assertTrue(unverified >= 20, "departures of " + survivors + " to the gone collector's " + gone
                + " judged UNVERIFIED: " + unverified + " (matched before: " + matchedAmongSurvivors + ")");
        assertTrue(List.of("correlator-0", "correlator-1", "correlator-2").stream().anyMatch(name -> {
            try {
                return outcome.pipeline().processes.log(name).contains(COLLECTOR_GONE_WARNING);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }), "a correlator's warning that a collector is gone:\n" + outcome.pipeline().processes.tails());
    }

    /**
     * {@code kill -9} of collector-0 (solcp02 only) halfway through, never started again, on the seed
     * preset: its node's windows turn UNVERIFIED, while every loss between collector-1's nodes
     * (solwk03 to solwk02; NO_REPLY judged at the client solwk01) is still reported, and nothing the
     * single process does not report.
     */
    @Test
    void theSurvivingCollectorsLossesAreStillReported() throws Exception {
        Outcome outcome = ScaledRun.run(broker, dir, "seed", "survivor", LONG_JUDGED_TRAFFIC, pipeline -> {
            pipeline.processes.kill("collector-0");
            pipeline.stopped.add("collector-0");
            pipeline.extraSettle = COLLECTOR_TIMEOUT;
        });
        List<String> survivors = outcome.pipeline().nodesOf(1);
        Set<String> expected = outcome.singleOn(survivors::contains);
        Set<String> falseOnes = new TreeSet<>(outcome.scaled());
        falseOnes.removeAll(outcome.single());
        Set<String> missed = new TreeSet<>(expected);
        missed.removeAll(outcome.scaled());
        assertTrue(expected.size() >= 8, "too few losses among " + survivors + ": " + expected);
        assertEquals(Set.of(), falseOnes, "reported, but not by the single process: " + outcome.difference());
        assertEquals(Set.of(), missed, "losses among the survivor's nodes not reported: " + outcome.difference());
    }
}
