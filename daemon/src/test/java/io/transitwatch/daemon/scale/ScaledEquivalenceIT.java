package io.transitwatch.daemon.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.replay.CaptureInput;
import io.transitwatch.daemon.replay.CaptureWriter;
import io.transitwatch.daemon.replay.Replay;
import io.transitwatch.daemon.sim.ClusterTopology;
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
import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.MonitorFlags;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.Simulator;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.daemon.testsupport.KafkaTestBroker;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.Verdict;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The scaled pipeline against the single process (issue #13, "Done when"): a KRaft broker in the test
 * JVM, the simulator (one Hubble server per node, Peer service) recording every event it emits, two
 * collectors and three correlators as separate JVMs of the daemon, a 12-partition event topic. The
 * LOST_IN_TRANSIT and NO_REPLY tuples a {@code read_committed} consumer reads from the alerts topic
 * must be exactly those the single-process join decides when it replays the recording
 * ({@link Replay}, the join of {@code transitwatch replay} and {@code run}), for departures first seen
 * from {@link #OBSERVATION_MARGIN} after every stream was up until the traffic was paused; no alert id
 * appears twice, and the loss-free scenario gives no alert at all.
 */
class ScaledEquivalenceIT {
    private static final int PARTITIONS = 12;
    private static final Duration WINDOW = Duration.ofSeconds(5);
    /** As the detection report: the first moment of a stream is held as incomplete (ScenarioRun). */
    private static final Duration OBSERVATION_MARGIN = Duration.ofSeconds(1);
    /** How much traffic is judged (input size, not a condition of the outcome). */
    private static final Duration JUDGED_TRAFFIC = Duration.ofSeconds(12);
    /** After the pause: every departure's deadline plus what the heartbeats need to pass it. */
    private static final Duration SETTLE = WINDOW.plusSeconds(4);
    /** The correlators' session: how long a killed one keeps its partitions (the broker's minimum is 6 s). */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    private static final String KILLED = "correlator-1";
    private static final java.util.regex.Pattern MATCHED = java.util.regex.Pattern.compile("\"matched\":(\\d+)");
    private static final Set<Verdict> COMPARED = Set.of(Verdict.LOST_IN_TRANSIT, Verdict.NO_REPLY, Verdict.REFUSED,
            Verdict.DROPPED_AT_DESTINATION);
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
     * SYNs that a retransmission recovers, first data reported.
     */
    private static final Scenario LOSS_FREE_MIX = Scenario.builder().name("loss-free-mix").monitorFlags(MonitorFlags.ALL)
            .faults(List.of(new ClockSkew("solcp02", Duration.ofMillis(-1200)),
                    new ClockSkew("solwk01", Duration.ofMillis(2000)),
                    new ClockSkew("solwk02", Duration.ofMillis(-2000)),
                    new LostEvents("solwk02", Duration.ofSeconds(5), 200, Duration.ofSeconds(30)),
                    new Snat(null, IpFamily.IPV4, 0.1),
                    new HandshakeLoss(Fault.Path.ANY, HandshakePacket.FIRST_SYN, 0.05)))
            .build();

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
        Outcome outcome = run(LOSS_MIX, "loss-mix", null);
        for (String kind : List.of("LOST TCP SYN ", "LOST TCP FIRST-", "NO_REPLY ", "REFUSED ", "DROPPED_AT_DESTINATION ")) {
            assertTrue(outcome.single.stream().anyMatch(t -> t.startsWith(kind)),
                    "no '" + kind + "' tuple to compare: " + outcome.single);
        }
        assertEquals(outcome.single, outcome.scaled, outcome.difference());
    }

    /**
     * {@code kill -9} of one correlator halfway through the judged traffic: its partitions move to the
     * other two once its session times out (static membership keeps them until then), which rebuild
     * the join from the topic with output muted up to the committed offsets. Every lost tuple is still
     * reported, and no alert id is read twice.
     */
    @Test
    void aCorrelatorKilledMidRunLosesAndDuplicatesNothing() throws Exception {
        Outcome outcome = run(Scenario.preset("seed"), "killed", KILLED);
        assertTrue(outcome.single.size() >= 8, "too few losses to prove anything: " + outcome.single);
        assertEquals(outcome.single, outcome.scaled, outcome.difference());
    }

    /** {@link #LOSS_FREE_MIX}: nothing is lost, so nothing is alerted, whatever the observers went through. */
    @Test
    void theScaledPipelineRaisesNoFalseAlertOnALossFreeCluster() throws Exception {
        Outcome outcome = run(LOSS_FREE_MIX, "loss-free-mix", null);
        assertEquals(Set.of(), outcome.single, "the single process on the loss-free recording");
        assertEquals(List.of(), outcome.scaledAlerts, "no alert at all from the scaled pipeline");
    }

    private record Outcome(Set<String> single, Set<String> scaled, List<String> scaledAlerts, List<Alert> singleAll,
            List<Alert> scaledAll) {
        String difference() {
            Set<String> onlySingle = new TreeSet<>(single);
            onlySingle.removeAll(scaled);
            Set<String> onlyScaled = new TreeSet<>(scaled);
            onlyScaled.removeAll(single);
            return "only the single process: " + onlySingle + " (the scaled pipeline's alerts of them: "
                    + about(onlySingle, scaledAll) + "); only the scaled pipeline: " + onlyScaled
                    + " (the single process's alerts of them: " + about(onlyScaled, singleAll) + ", the scaled: "
                    + about(onlyScaled, scaledAll) + ")";
        }

        /** Every alert, any verdict and time, on the endpoints of {@code tuples}. */
        private static List<String> about(Set<String> tuples, List<Alert> alerts) {
            Set<String> endpoints = tuples.stream().map(t -> t.substring(t.indexOf(' ', t.indexOf(' ', t.indexOf(' ') + 1) + 1) + 1))
                    .collect(Collectors.toSet());
            return alerts.stream().filter(a -> endpoints.contains(endpoints(a)))
                    .map(a -> a.verdict() + " " + a.kind() + " first " + a.firstSeen() + " last " + a.lastSeen()
                            + " attempts " + a.attempts() + " evidence " + a.evidence())
                    .toList();
        }
    }

    private static String endpoints(Alert alert) {
        return alert.source().ip() + ":" + alert.source().port() + " > " + alert.destination().ip() + ":"
                + alert.destination().port();
    }

    /**
     * @param prefix the run's topic and group names (runs share the broker)
     * @param killed the correlator killed with SIGKILL halfway through the judged traffic, or null
     */
    private Outcome run(Scenario preset, String prefix, String killed) throws Exception {
        String events = prefix + ".events";
        String observers = prefix + ".observers";
        String alerts = prefix + ".alerts";
        String group = prefix + "-correlators";
        broker.createTopic(events, PARTITIONS, false);
        broker.createTopic(observers, 1, true);
        broker.createTopic(alerts, 3, false);
        broker.createTopic(prefix + ".incidents", 1, false);
        broker.createTopic(prefix + ".pair-counts", 3, false);
        Scenario scenario = preset.toBuilder().seed(42).connectionsPerSecond(100).build();
        // Capacities for a 6-node cluster at 100 connections/s: each correlator runs one join per partition.
        List<String> join = List.of("join.window=" + WINDOW.toMillis() + "ms",
                "join.pending-capacity=8192", "join.arrival-capacity=8192", "join.max-pairs=1024", "join.max-nodes=64",
                "join.monitor-aggregation-flags=" + scenario.monitorFlags().configValue(),
                "topology.pod-cidrs=" + podCidrs(ClusterTopology.defaults()));
        List<String> common = new ArrayList<>(join);
        common.addAll(List.of(
                "kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "scale.topic.events=" + events, "scale.topic.observers=" + observers,
                "scale.topic.pair-counts=" + prefix + ".pair-counts",
                "kafka.topic.alerts=" + alerts, "kafka.topic.incidents=" + prefix + ".incidents",
                "scale.correlator-group=" + group, "scale.heartbeat-interval=100ms"));

        Path capture = dir.resolve(prefix + ".jsonl");
        Set<String> scaled;
        List<String> scaledAlerts = new ArrayList<>();
        List<Alert> scaledAll = new ArrayList<>();
        long judgedFrom;
        long judgedUntil;
        try (CaptureWriter recorder = CaptureWriter.open(capture);
                ScaledProcesses processes = new ScaledProcesses(dir)) {
            try (Simulator sim = Simulator.start(SimulatorConfig.builder().mode(SimMode.NODES).host("127.0.0.1").port(0)
                    .scenario(scenario).clock(Clock.SYSTEM).emissions(recorder).build())) {
                for (int i = 0; i < 3; i++) {
                    List<String> settings = new ArrayList<>(common);
                    settings.addAll(List.of("scale.member-id=correlator-" + i, "http.port=-1",
                            "kafka.consumer.session.timeout.ms=" + SESSION_TIMEOUT.toMillis()));
                    processes.start("correlator-" + i, "correlate", settings);
                }
                awaitGroupOf(3, group, processes);
                for (int shard = 0; shard < 2; shard++) {
                    List<String> settings = new ArrayList<>(common);
                    settings.addAll(List.of("hubble.mode=direct", "hubble.peer.address=" + sim.peerTarget(),
                            "scale.shards=2", "scale.shard-index=" + shard, "scale.member-id=collector-" + shard));
                    processes.start("collector-" + shard, "collect", settings);
                }
                List<String> nodes = sim.topology().nodeNames();
                try (EventTopicView view = new EventTopicView(broker.bootstrapServers(), events, observers, PARTITIONS)) {
                    await("every node's flows in the event topic", Duration.ofSeconds(90), processes, view::summary, () -> {
                        view.poll();
                        return view.flowShardsByNode.keySet().containsAll(nodes);
                    });
                }
                judgedFrom = Clock.SYSTEM.epochNanos() + OBSERVATION_MARGIN.toNanos();
                long pauseAt = judgedFrom + JUDGED_TRAFFIC.toNanos();
                if (killed != null) {
                    long killAt = judgedFrom + JUDGED_TRAFFIC.toNanos() / 2;
                    await("half the judged traffic", JUDGED_TRAFFIC.plusSeconds(30), processes, () -> "",
                            () -> Clock.SYSTEM.epochNanos() >= killAt);
                    processes.kill(killed);
                }
                await("the judged traffic", JUDGED_TRAFFIC.plusSeconds(30), processes, () -> "",
                        () -> Clock.SYSTEM.epochNanos() >= pauseAt);
                sim.pauseTraffic();
                judgedUntil = Clock.SYSTEM.epochNanos();
                long settled = judgedUntil + SETTLE.toNanos() + (killed == null ? 0 : SESSION_TIMEOUT.toNanos());
                try (AlertTopicReader reader = new AlertTopicReader(broker.bootstrapServers(), alerts)) {
                    await("every verdict due by the pause", SETTLE.plusSeconds(30), processes, () -> "", () -> {
                        reader.readToEnd();
                        return Clock.SYSTEM.epochNanos() >= settled;
                    });
                    reader.readToEnd();
                    assertEquals(List.of(), reader.undecodable, "alerts that do not decode");
                    Map<String, Integer> ids = new HashMap<>();
                    reader.alerts.forEach(a -> ids.merge(a.id(), 1, Integer::sum));
                    assertTrue(ids.values().stream().allMatch(n -> n == 1), "alert ids read twice: " + ids);
                    reader.alerts.forEach(a -> scaledAlerts.add(tuple(a)));
                    scaledAll.addAll(reader.alerts);
                    scaled = judged(reader.alerts, judgedFrom, judgedUntil);
                }
                try (AlertTopicReader counts = new AlertTopicReader(broker.bootstrapServers(), prefix + ".pair-counts")) {
                    counts.readToEnd();
                    long matched = counts.texts.stream().map(MATCHED::matcher).filter(java.util.regex.Matcher::find)
                            .mapToLong(m -> Long.parseLong(m.group(1))).sum();
                    assertTrue(matched > 100, "the correlators must be joining (matched departures in "
                            + prefix + ".pair-counts: " + matched + ")\n" + processes.tails());
                }
                for (String name : List.of("collector-0", "collector-1", "correlator-0", "correlator-1", "correlator-2")) {
                    String log = processes.log(name);
                    assertTrue(!log.contains("Exception in thread") && !log.contains("OutOfMemoryError"),
                            name + " failed:\n" + processes.tail(name));
                }
                for (String name : List.of("collector-0", "collector-1", "correlator-0", "correlator-1", "correlator-2")) {
                    if (name.equals(killed)) {
                        continue;
                    }
                    assertTrue(processes.process(name).isAlive(), name + " died:\n" + processes.tail(name));
                }
            }
        }
        List<Alert> replayed = new ArrayList<>();
        Replay.run(ConfigLoader.load(null, Map.of(), join),
                List.of(CaptureInput.of(capture.toString(), null)), Replay.DEFAULT_REORDER_EVENTS,
                event -> {
                    if (event instanceof Alert alert) {
                        replayed.add(alert);
                    }
                }, new PrintStream(System.err, true, StandardCharsets.UTF_8));
        Set<String> single = judged(replayed, judgedFrom, judgedUntil);
        // A tuple whose loss began before the judged range is not judged, whichever side reported its
        // first attempt then: the first moments after the streams come up (clock offsets still being
        // learned) may decide that attempt differently, and a later retransmission of the same tuple
        // is then the first alert of one side and a repeat in the other.
        Set<String> startedBefore = judged(replayed, Long.MIN_VALUE, judgedFrom);
        startedBefore.addAll(judged(scaledAll, Long.MIN_VALUE, judgedFrom));
        single.removeAll(startedBefore);
        scaled.removeAll(startedBefore);
        return new Outcome(single, scaled, scaledAlerts, replayed, scaledAll);
    }

    /** The compared verdicts' tuples of departures first seen in [from, until). */
    private static Set<String> judged(List<Alert> alerts, long from, long until) {
        Instant start = Instant.ofEpochSecond(0, from);
        Instant end = Instant.ofEpochSecond(0, until);
        return alerts.stream().filter(a -> COMPARED.contains(a.verdict()))
                .filter(a -> !a.firstSeen().isBefore(start) && a.firstSeen().isBefore(end))
                .map(ScaledEquivalenceIT::tuple).collect(Collectors.toCollection(TreeSet::new));
    }

    private static String tuple(Alert alert) {
        String verdict = alert.verdict() == Verdict.LOST_IN_TRANSIT ? "LOST" : alert.verdict().name();
        return verdict + " " + alert.protocol() + " " + alert.kind() + " " + endpoints(alert);
    }

    /** {@code solcp01=10.101.224.0/24,fd00:101:224::/64;...}: what Demo tells the daemon. */
    private static String podCidrs(ClusterTopology topology) {
        Map<String, String> v4 = topology.podCidrsV4();
        Map<String, String> v6 = topology.podCidrsV6();
        return v4.keySet().stream().map(node -> node + "=" + v4.get(node) + "," + v6.get(node))
                .collect(Collectors.joining(";"));
    }

    private static void awaitGroupOf(int members, String group, ScaledProcesses processes) {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()))) {
            await(members + " correlators in " + group, Duration.ofSeconds(90), processes, () -> "", () -> {
                try {
                    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get()
                            .get(group);
                    return description.members().size() == members
                            && description.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                } catch (java.util.concurrent.ExecutionException notYet) {
                    return false;
                }
            });
        }
    }

    private static void await(String what, Duration atMost, ScaledProcesses processes,
            java.util.function.Supplier<String> state, java.util.concurrent.Callable<Boolean> done) {
        try {
            Awaitility.await(what).atMost(atMost).pollInSameThread().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50)).until(done);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + ": " + state.get() + "\n" + processes.tails(), e);
        }
    }
}
