package io.transitwatch.daemon.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.replay.CaptureInput;
import io.transitwatch.daemon.replay.CaptureWriter;
import io.transitwatch.daemon.replay.Replay;
import io.transitwatch.daemon.sim.ClusterTopology;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.Simulator;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.daemon.testsupport.AddressLiterals;
import io.transitwatch.daemon.testsupport.KafkaTestBroker;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.Verdict;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.ListConsumerGroupOffsetsOptions;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.common.TopicPartition;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * Test-thread only. One run of the scaled pipeline against the single process (issue #13, "Done
 * when"), for {@link ScaledEquivalenceIT}: the simulator (one Hubble server per node, Peer service)
 * recording every event it emits, two collectors and three correlators as separate JVMs of the
 * daemon, a 12-partition event topic on the test's KRaft broker. Halfway through the judged traffic a
 * {@link Disruption} may kill, restart or cut off a part of it. The outcome holds the LOST_IN_TRANSIT
 * and NO_REPLY tuples a {@code read_committed} consumer reads from the alerts topic and those the
 * single-process join decides when it replays the recording ({@link Replay}, the join of {@code
 * transitwatch replay} and {@code run}), for departures first seen from {@link #OBSERVATION_MARGIN}
 * after every stream was up until the traffic was paused. Every run asserts that no alert id is read
 * twice, that the correlators joined, and that no process crashed.
 */
final class ScaledRun {
    static final int PARTITIONS = 12;
    static final Duration WINDOW = Duration.ofSeconds(5);
    /** As the detection report: the first moment of a stream is held as incomplete (ScenarioRun). */
    static final Duration OBSERVATION_MARGIN = Duration.ofSeconds(1);
    /** How far a node's clock in the recording may be from the test's: the largest skew of the scenarios, 2 s. */
    private static final Duration NODE_CLOCK_MARGIN = Duration.ofSeconds(2);
    /** After the pause: every departure's deadline plus what the heartbeats need to pass it. */
    static final Duration SETTLE = WINDOW.plusSeconds(4);
    /** The correlators' session: how long a killed one keeps its partitions (the broker's minimum is 6 s). */
    private static final Duration SESSION_TIMEOUT = Duration.ofSeconds(6);
    static final List<String> PROCESSES = List.of("collector-0", "collector-1", "correlator-0", "correlator-1",
            "correlator-2");
    /** The matched and LOST counts of a pair count: what a correlator that is joining decides. */
    private static final java.util.regex.Pattern DECIDED = java.util.regex.Pattern.compile("\"(?:matched|lost)\":(\\d+)");
    private static final Set<Verdict> COMPARED = Set.of(Verdict.LOST_IN_TRANSIT, Verdict.NO_REPLY, Verdict.REFUSED,
            Verdict.DROPPED_AT_DESTINATION);

    /** Test-thread only: what happens to the running pipeline halfway through the judged traffic. */
    interface Disruption {
        Disruption NONE = pipeline -> { };

        void apply(Pipeline pipeline) throws Exception;
    }

    /** Test-thread only: the running pipeline as a {@link Disruption} sees and changes it. */
    static final class Pipeline {
        final KafkaTestBroker broker;
        final ScaledProcesses processes;
        final String eventsTopic;
        final String observersTopic;
        final List<String> nodes;
        private final List<String> common;
        private final String peerTarget;
        /** Processes stopped for good: neither expected alive nor checked for a crash at the end. */
        final Set<String> stopped = new HashSet<>();
        /** When the disruption began and when the pipeline was whole again (wall clock, epoch nanos). */
        long disruptedAt;
        long recoveredAt;
        /** Added to the settle time after the pause (a collector timeout, reconnects); a moved partition is awaited instead. */
        Duration extraSettle = Duration.ZERO;

        private Pipeline(KafkaTestBroker broker, ScaledProcesses processes, String eventsTopic, String observersTopic,
                List<String> nodes, List<String> common, String peerTarget) {
            this.broker = broker;
            this.processes = processes;
            this.eventsTopic = eventsTopic;
            this.observersTopic = observersTopic;
            this.nodes = nodes;
            this.common = common;
            this.peerTarget = peerTarget;
        }

        /** Starts {@code collector-<shard>} of 2 (again: the same settings, the same shard, the same log). */
        void startCollector(int shard) throws IOException {
            List<String> settings = new ArrayList<>(common);
            settings.addAll(List.of("hubble.mode=direct", "hubble.peer.address=" + peerTarget,
                    "scale.shards=2", "scale.shard-index=" + shard, "scale.member-id=collector-" + shard));
            processes.start("collector-" + shard, "collect", settings);
        }

        /** The nodes collector {@code shard} of 2 streams. */
        List<String> nodesOf(int shard) {
            ShardAssignment assignment = new ShardAssignment(2, shard);
            return nodes.stream().filter(assignment::owns).toList();
        }
    }

    /**
     * @param single the single process's compared tuples (departures first seen in the judged range)
     * @param scaled the scaled pipeline's, the same way
     * @param pairCounts every record of the pair-counts topic
     */
    record Outcome(Set<String> single, Set<String> scaled, List<String> scaledAlerts, List<Alert> singleAll,
            List<Alert> scaledAll, List<PairCount> pairCounts, Pipeline pipeline) {
        /** The single process's compared tuples whose alerts were first seen in [from, until). */
        Set<String> singleFirstSeen(long from, long until) {
            Set<String> tuples = judged(singleAll, from, until);
            tuples.retainAll(single);
            return tuples;
        }

        /** The single process's compared tuples whose alerts' every node satisfies {@code node}. */
        Set<String> singleOn(java.util.function.Predicate<String> node) {
            Set<String> tuples = singleAll.stream().filter(a -> COMPARED.contains(a.verdict()))
                    .filter(a -> node.test(a.source().node())
                            && (a.verdict() == Verdict.NO_REPLY || node.test(a.destination().node())))
                    .map(ScaledRun::tuple).collect(Collectors.toCollection(TreeSet::new));
            tuples.retainAll(single);
            return tuples;
        }

        String difference() {
            Set<String> onlySingle = new TreeSet<>(single);
            onlySingle.removeAll(scaled);
            Set<String> onlyScaled = new TreeSet<>(scaled);
            onlyScaled.removeAll(single);
            return "only the single process: " + onlySingle + " (the single process's alerts of them: "
                    + about(onlySingle, singleAll) + ", the scaled pipeline's: "
                    + about(onlySingle, scaledAll) + "); only the scaled pipeline: " + onlyScaled
                    + " (the single process's alerts of them: " + about(onlyScaled, singleAll) + ", the scaled: "
                    + about(onlyScaled, scaledAll) + "); compared alerts of the scaled pipeline first seen after the "
                    + "recovery: " + judged(scaledAll, pipeline.recoveredAt, Long.MAX_VALUE) + "; disrupted at " + Instant.ofEpochSecond(0, pipeline.disruptedAt)
                    + ", recovered at " + Instant.ofEpochSecond(0, pipeline.recoveredAt);
        }

        /** The alerts of both sides on the endpoints of {@code tuples}, for an assertion message. */
        String alertsOf(Set<String> tuples) {
            return "the single process's alerts of " + tuples + ": " + about(tuples, singleAll) + "; the scaled: "
                    + about(tuples, scaledAll);
        }

        /** Every alert, any verdict and time, on the endpoints of {@code tuples}. */
        private static List<String> about(Set<String> tuples, List<Alert> alerts) {
            Set<String> endpoints = tuples.stream().map(t -> t.substring(t.indexOf(' ', t.indexOf(' ', t.indexOf(' ') + 1) + 1) + 1))
                    .collect(Collectors.toSet());
            return alerts.stream().filter(a -> endpoints.contains(endpoints(a))).map(ScaledRun::describe).toList();
        }
    }

    private ScaledRun() {
    }

    /**
     * @param prefix the run's topic and group names (runs share the broker)
     * @param judgedTraffic how much traffic is judged (input size, not a condition of the outcome)
     * @param disruption applied halfway through the judged traffic
     */
    static Outcome run(KafkaTestBroker broker, Path dir, String preset, String prefix, Duration judgedTraffic,
            Disruption disruption) throws Exception {
        return run(broker, dir, Scenario.preset(preset), prefix, judgedTraffic, disruption);
    }

    /** As {@link #run(KafkaTestBroker, Path, String, String, Duration, Disruption)}, on any scenario (seed 42, 100 connections/s). */
    static Outcome run(KafkaTestBroker broker, Path dir, Scenario preset, String prefix, Duration judgedTraffic,
            Disruption disruption) throws Exception {
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
                "scale.correlator-group=" + group, "scale.heartbeat-interval=100ms",
                "http.port=0")); // each role's /healthz, /readyz, /metrics on a free port: many JVMs on one host

        Path capture = dir.resolve(prefix + ".jsonl");
        Set<String> scaled;
        List<String> scaledAlerts = new ArrayList<>();
        List<Alert> scaledAll = new ArrayList<>();
        List<PairCount> pairCounts = new ArrayList<>();
        Pipeline pipeline;
        long judgedFrom;
        long judgedUntil;
        // The processes' logs stay in target/ after the run, for the failure a tail does not explain.
        Path logs = Path.of("target", "scaled-logs", prefix);
        java.nio.file.Files.createDirectories(logs);
        try (java.util.stream.Stream<Path> old = java.nio.file.Files.list(logs)) {
            for (Path file : old.toList()) {
                java.nio.file.Files.delete(file);
            }
        }
        try (CaptureWriter recorder = CaptureWriter.open(capture);
                ScaledProcesses processes = new ScaledProcesses(logs)) {
            try (Simulator sim = Simulator.start(SimulatorConfig.builder().mode(SimMode.NODES).host("127.0.0.1").port(0)
                    .scenario(scenario).clock(Clock.SYSTEM).emissions(recorder).build())) {
                pipeline = new Pipeline(broker, processes, events, observers, sim.topology().nodeNames(), common,
                        sim.peerTarget());
                for (int i = 0; i < 3; i++) {
                    List<String> settings = new ArrayList<>(common);
                    settings.addAll(List.of("scale.member-id=correlator-" + i,
                            "kafka.consumer.session.timeout.ms=" + SESSION_TIMEOUT.toMillis()));
                    processes.start("correlator-" + i, "correlate", settings);
                }
                awaitGroupOf(broker, 3, group, processes);
                for (int shard = 0; shard < 2; shard++) {
                    pipeline.startCollector(shard);
                }
                try (EventTopicView view = new EventTopicView(broker.bootstrapServers(), events, observers, PARTITIONS)) {
                    await("every node's flows in the event topic", Duration.ofSeconds(90), processes, view::summary, () -> {
                        view.poll();
                        return view.flowShardsByNode.keySet().containsAll(pipeline.nodes);
                    });
                }
                judgedFrom = Clock.SYSTEM.epochNanos() + OBSERVATION_MARGIN.toNanos();
                long disruptAt = judgedFrom + judgedTraffic.toNanos() / 2;
                long pauseAt = judgedFrom + judgedTraffic.toNanos();
                await("half the judged traffic", judgedTraffic.plusSeconds(30), processes, () -> "",
                        () -> Clock.SYSTEM.epochNanos() >= disruptAt);
                pipeline.disruptedAt = Clock.SYSTEM.epochNanos();
                pipeline.recoveredAt = pipeline.disruptedAt;
                disruption.apply(pipeline);
                await("the judged traffic", judgedTraffic.plusSeconds(60), processes, () -> "",
                        () -> Clock.SYSTEM.epochNanos() >= pauseAt);
                sim.pauseTraffic();
                judgedUntil = Clock.SYSTEM.epochNanos();
                long settled = judgedUntil + SETTLE.plus(pipeline.extraSettle).toNanos();
                try (AlertTopicReader reader = new AlertTopicReader(broker.bootstrapServers(), alerts)) {
                    await("every verdict due by the pause", SETTLE.plus(pipeline.extraSettle).plusSeconds(30), processes,
                            () -> "", () -> {
                                reader.readToEnd();
                                return Clock.SYSTEM.epochNanos() >= settled;
                            });
                    awaitCommittedToTheEnd(broker, group, events, processes);
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
                    for (String text : counts.texts) {
                        pairCounts.add(PairCount.fromJson(text.getBytes(StandardCharsets.UTF_8)));
                    }
                    long decided = counts.texts.stream().map(DECIDED::matcher)
                            .flatMap(m -> m.results().map(r -> Long.parseLong(r.group(1)))).mapToLong(Long::longValue).sum();
                    assertTrue(decided > 100, "the correlators must be joining (matched and LOST departures in "
                            + prefix + ".pair-counts: " + decided + ")\n" + processes.tails());
                }
                for (String name : PROCESSES) {
                    String log = processes.log(name);
                    assertTrue(!log.contains("Exception in thread") && !log.contains("OutOfMemoryError"),
                            name + " failed:\n" + processes.tail(name));
                    assertTrue(pipeline.stopped.contains(name) || processes.process(name).isAlive(),
                            name + " died:\n" + processes.tail(name));
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
        // What a failure's message does not hold stays beside the processes' logs: the recording (to
        // replay it alone, `transitwatch replay`) and every alert of each side.
        java.nio.file.Files.copy(capture, logs.resolve("recording.jsonl"));
        java.nio.file.Files.write(logs.resolve("alerts-single.txt"), replayed.stream().map(ScaledRun::describe).toList());
        java.nio.file.Files.write(logs.resolve("alerts-scaled.txt"), scaledAll.stream().map(ScaledRun::describe).toList());
        Set<String> single = judged(replayed, judgedFrom, judgedUntil);
        // A tuple whose loss began before the judged range is not judged, whichever side reported its
        // first attempt then: the first moments after the streams come up (clock offsets still being
        // learned) may decide that attempt differently, and a later retransmission of the same tuple
        // is then the first alert of one side and a repeat in the other.
        Set<String> startedBefore = judged(replayed, Long.MIN_VALUE, judgedFrom);
        startedBefore.addAll(judged(scaledAll, Long.MIN_VALUE, judgedFrom));
        // First data is judged only with its connection's handshake (DESIGN §3.8). The replay reads the
        // whole recording; the collectors' first streams start at each node's newest event, so a
        // connection that opened before the streams came up has first data that only one side judges.
        Set<String> openedBefore = connectionsOpenedBefore(capture, judgedFrom + NODE_CLOCK_MARGIN.toNanos());
        java.util.stream.Stream.concat(replayed.stream(), scaledAll.stream())
                .filter(a -> a.kind().startsWith("FIRST-") && openedBefore.contains(connection(
                        a.source().ip(), a.source().port(), a.destination().ip(), a.destination().port())))
                .forEach(a -> startedBefore.add(tuple(a)));
        single.removeAll(startedBefore);
        scaled.removeAll(startedBefore);
        return new Outcome(single, scaled, scaledAlerts, replayed, scaledAll, pairCounts, pipeline);
    }

    /**
     * The TCP connections ({@link #connection}) with a SYN in {@code capture} whose {@code Flow.time}
     * is before {@code nanos}: node clocks, hence {@link #NODE_CLOCK_MARGIN} on the caller's side.
     */
    private static Set<String> connectionsOpenedBefore(Path capture, long nanos) throws IOException {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        Set<String> opened = new HashSet<>();
        try (java.util.stream.Stream<String> lines = java.nio.file.Files.lines(capture)) {
            for (String line : (Iterable<String>) lines::iterator) {
                com.fasterxml.jackson.databind.JsonNode flow = json.readTree(line).path("flow");
                com.fasterxml.jackson.databind.JsonNode tcp = flow.path("l4").path("TCP");
                if (!tcp.path("flags").path("SYN").asBoolean()) {
                    continue;
                }
                Instant time = Instant.parse(flow.path("time").asText());
                if (time.getEpochSecond() * 1_000_000_000L + time.getNano() < nanos) {
                    opened.add(connection(flow.path("IP").path("source").asText(), tcp.path("source_port").asInt(),
                            flow.path("IP").path("destination").asText(), tcp.path("destination_port").asInt()));
                }
            }
        }
        return opened;
    }

    /** Two endpoints in either order, addresses in one text form: a connection's name. */
    private static String connection(String ipA, int portA, String ipB, int portB) {
        String a = AddressLiterals.canonical(ipA) + " " + portA;
        String b = AddressLiterals.canonical(ipB) + " " + portB;
        return a.compareTo(b) < 0 ? a + " | " + b : b + " | " + a;
    }

    /** The compared verdicts' tuples of departures first seen in [from, until). */
    static Set<String> judged(List<Alert> alerts, long from, long until) {
        Instant start = Instant.ofEpochSecond(0, from);
        Instant end = Instant.ofEpochSecond(0, until);
        return alerts.stream().filter(a -> COMPARED.contains(a.verdict()))
                .filter(a -> !a.firstSeen().isBefore(start) && a.firstSeen().isBefore(end))
                .map(ScaledRun::tuple).collect(Collectors.toCollection(TreeSet::new));
    }

    /** An alert in a line: first seen, verdict, kind, endpoints, last seen, attempts, evidence. */
    private static String describe(Alert alert) {
        return alert.firstSeen() + " " + alert.verdict() + " " + alert.kind() + " " + endpoints(alert) + " last "
                + alert.lastSeen() + " attempts " + alert.attempts() + " evidence " + alert.evidence();
    }

    static String tuple(Alert alert) {
        String verdict = alert.verdict() == Verdict.LOST_IN_TRANSIT ? "LOST" : alert.verdict().name();
        return verdict + " " + alert.protocol() + " " + alert.kind() + " " + endpoints(alert);
    }

    private static String endpoints(Alert alert) {
        return alert.source().ip() + ":" + alert.source().port() + " > " + alert.destination().ip() + ":"
                + alert.destination().port();
    }

    /** {@code solcp01=10.101.224.0/24,fd00:101:224::/64;...}: what Demo tells the daemon. */
    private static String podCidrs(ClusterTopology topology) {
        Map<String, String> v4 = topology.podCidrsV4();
        Map<String, String> v6 = topology.podCidrsV6();
        return v4.keySet().stream().map(node -> node + "=" + v4.get(node) + "," + v6.get(node))
                .collect(Collectors.joining(";"));
    }

    private static void awaitGroupOf(KafkaTestBroker broker, int members, String group, ScaledProcesses processes) {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers()))) {
            await(members + " correlators in " + group, Duration.ofSeconds(90), processes, () -> "", () -> {
                try {
                    ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get()
                            .get(group);
                    return description.members().size() == members
                            && description.members().stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty());
                } catch (ExecutionException notYet) {
                    return false;
                }
            });
        }
    }

    /**
     * Waits until the group's stable committed offsets reach every event partition's end as it is now:
     * the alerts of what was read commit with those offsets, so every verdict the records so far allow
     * is then readable. A correlator killed inside a transaction leaves its offsets unstable, and its
     * alert partitions unreadable, until the broker aborts the transaction (transaction.timeout.ms).
     */
    private static void awaitCommittedToTheEnd(KafkaTestBroker broker, String group, String topic,
            ScaledProcesses processes) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", broker.bootstrapServers(),
                "request.timeout.ms", 5000, "default.api.timeout.ms", 5000))) {
            Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
            for (int partition = 0; partition < PARTITIONS; partition++) {
                latest.put(new TopicPartition(topic, partition), OffsetSpec.latest());
            }
            Map<TopicPartition, Long> ends = new TreeMap<>(java.util.Comparator.comparingInt(TopicPartition::partition));
            admin.listOffsets(latest).all().get().forEach((partition, info) -> ends.put(partition, info.offset()));
            Map<TopicPartition, Long> committed = new TreeMap<>(java.util.Comparator.comparingInt(TopicPartition::partition));
            await(group + "'s commits up to the ends of " + topic + " " + ends, Duration.ofSeconds(90), processes,
                    () -> "committed " + committed, () -> {
                        try {
                            admin.listConsumerGroupOffsets(group, new ListConsumerGroupOffsetsOptions().requireStable(true))
                                    .partitionsToOffsetAndMetadata().get()
                                    .forEach((partition, offset) -> committed.put(partition, offset == null ? -1 : offset.offset()));
                        } catch (ExecutionException unstable) {
                            return false; // a transaction holding the group's offsets is still open
                        }
                        return ends.entrySet().stream()
                                .allMatch(end -> committed.getOrDefault(end.getKey(), -1L) >= end.getValue());
                    });
        }
    }

    static void await(String what, Duration atMost, ScaledProcesses processes, Supplier<String> state,
            Callable<Boolean> done) {
        try {
            Awaitility.await(what).atMost(atMost).pollInSameThread().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(50)).until(done);
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + ": " + state.get() + "\n" + processes.tails(), e);
        }
    }
}
