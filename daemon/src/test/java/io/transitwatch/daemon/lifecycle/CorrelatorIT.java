package io.transitwatch.daemon.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.scale.EventKeys;
import io.transitwatch.daemon.scale.EventPublisher;
import io.transitwatch.daemon.scale.PairCount;
import io.transitwatch.daemon.scale.ShardAssignment;
import io.transitwatch.daemon.testsupport.KafkaTestBroker;
import io.transitwatch.daemon.testsupport.ScaledAlertRules;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import io.transitwatch.sinks.json.EventJson;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerGroupMetadata;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@code transitwatch correlate} against a real KRaft broker: the test writes the event topic as two
 * collectors would (EventPublisher, EventRecordWriter, 12 partitions) and reads the verdicts back
 * with a {@code read_committed} consumer.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES) // a take-over waits up to 120 s after setup; the JUnit default (120 s) would cut it short
class CorrelatorIT {
    private static final int PARTITIONS = 12;
    private static final Duration DECIDED = Duration.ofSeconds(60);
    /** Node a belongs to collector 0, node b to collector 1, by the collectors' own rendezvous hashing. */
    private static final String A = IntStream.range(0, 100).mapToObj(n -> "node-" + n)
            .filter(n -> ShardAssignment.ownerOf(n, 2) == 0).findFirst().orElseThrow();
    private static final String B = IntStream.range(0, 100).mapToObj(n -> "node-" + n)
            .filter(n -> ShardAssignment.ownerOf(n, 2) == 1).findFirst().orElseThrow();
    private static final String POD_A = "10.0.1.5";
    private static final String POD_B = "10.0.2.7";

    private static KafkaTestBroker broker;
    private static int run;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private final ScheduledExecutorService heartbeats =
            Executors.newSingleThreadScheduledExecutor(NamedThreadFactory.daemon("test-heartbeats"));
    private String events;
    private String observers;
    private String alerts;
    private String pairCounts;
    private TestCollector collectorA;
    private TestCollector collectorB;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = KafkaTestBroker.start();
    }

    @AfterAll
    static void stopBroker() {
        broker.close();
    }

    @AfterEach
    void close() throws Exception {
        heartbeats.shutdownNow();
        heartbeats.awaitTermination(10, TimeUnit.SECONDS);
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    void shouldReportALostDepartureOnceAndNothingForAMatchedOne() throws Exception {
        topicsAndCollectors();
        Correlator correlator = correlator("correlator-0");

        collectorA.publish(syn(collectorA, A, POD_A, 41001, POD_B, JoinConstants.POINT_TO_NETWORK)); // lost
        collectorA.publish(syn(collectorA, A, POD_A, 41002, POD_B, JoinConstants.POINT_TO_NETWORK)); // matched
        collectorB.publish(syn(collectorB, B, POD_A, 41002, POD_B, JoinConstants.POINT_TO_ENDPOINT));

        AlertReader reader = new AlertReader();
        await().atMost(DECIDED).until(() -> reader.counts().stream().mapToLong(PairCount::matched).sum() >= 1
                && reader.alerts().size() >= 1);
        List<Alert> lost = reader.alerts();
        assertEquals(1, lost.size(), () -> "alerts: " + lost);
        assertEquals(Verdict.LOST_IN_TRANSIT, lost.get(0).verdict());
        assertEquals(41001, lost.get(0).source().port());
        assertEquals(A, lost.get(0).source().node());
        assertEquals(B, lost.get(0).destination().node());
        assertEquals(1, reader.counts().stream().mapToLong(PairCount::lost).sum());
        assertTrue(correlator.stats().transactions() > 0);
    }

    @Test
    void shouldTurnTheWindowsOfAGoneCollectorsNodesUnverifiedNotLost() throws Exception {
        topicsAndCollectors();
        Correlator correlator = correlator("correlator-0");
        AlertReader reader = new AlertReader();
        // the correlator is up and both collectors' heartbeats are read: a matched departure is decided
        collectorA.publish(syn(collectorA, A, POD_A, 42001, POD_B, JoinConstants.POINT_TO_NETWORK));
        collectorB.publish(syn(collectorB, B, POD_A, 42001, POD_B, JoinConstants.POINT_TO_ENDPOINT));
        await().atMost(DECIDED).until(() -> reader.counts().stream().mapToLong(PairCount::matched).sum() >= 1);

        collectorB.stopHeartbeats(); // b's collector is gone; a's goes on
        collectorA.publish(syn(collectorA, A, POD_A, 42002, POD_B, JoinConstants.POINT_TO_NETWORK));

        await().atMost(DECIDED).until(() -> reader.counts().stream().mapToLong(PairCount::unverified).sum() >= 1);
        assertEquals(List.of(), reader.alerts(), "b's arrivals are unknown: UNVERIFIED, never LOST");
        // what the correlator's /metrics shows an operator
        assertTrue(metric(correlator, "transitwatch_correlator_collectors_declared_gone") >= 1);
        assertEquals(null, correlator.view().notReadyReason());
        assertEquals(null, correlator.view().notLiveReason());

        // with a's collector silent too no partition's time moves: nothing is decided, and the lag says so
        collectorA.stopHeartbeats();
        await().atMost(DECIDED).until(() -> metric(correlator, "transitwatch_correlator_decision_lag_seconds") > 5);
        Set<String> exported = ScaledAlertRules.exported(correlator.view().metrics());
        assertTrue(exported.containsAll(ScaledAlertRules.metricsOf("transitwatch_correlator_")),
                "every correlator metric the scaled alert rules name is exported: " + exported);
    }

    @Test
    void shouldFailItsLivenessWhenAnErrorEndsItsThread() throws Exception {
        topicsAndCollectors();
        AtomicBoolean armed = new AtomicBoolean();
        // the system clock, throwing an Error once, for the correlator's own thread, once armed
        Correlator correlator = Correlator.start(settings("correlator-0"), InjectedError.failingOnceOn("correlate", armed));
        closing.add(correlator);
        // armed once its partitions are assigned, so that the Error comes from its own loop, not from
        // inside the consumer's rebalance callback
        await().atMost(DECIDED).until(() -> metric(correlator, "transitwatch_correlator_partitions_assigned") > 0);
        assertEquals(null, correlator.view().notLiveReason());

        armed.set(true);
        await().atMost(DECIDED).until(correlator::failed);
        String reason = correlator.view().notLiveReason();
        assertTrue(reason != null && reason.startsWith("correlator stopped: " + InjectedError.class.getName()),
                String.valueOf(reason));
    }

    private static double metric(Correlator correlator, String name) {
        return correlator.view().metrics().stream().filter(metric -> metric.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no metric " + name)).value();
    }

    @Test
    void shouldMovePartitionsToASecondCorrelatorWithoutLosingOrRepeatingAnAlert() throws Exception {
        topicsAndCollectors();
        Correlator first = correlator("correlator-0");
        AlertReader reader = new AlertReader();
        Set<Integer> expected = new HashSet<>();
        int port = 43000;
        for (; port < 43040; port++) {
            collectorA.publish(syn(collectorA, A, POD_A, port, POD_B, JoinConstants.POINT_TO_NETWORK));
            expected.add(port);
        }
        await().atMost(DECIDED).until(() -> !reader.alerts().isEmpty()); // the first owner is publishing

        Correlator second = correlator("correlator-1");
        // departures keep coming while the group rebalances: some are pending when their partition moves
        for (; port < 43080 || second.stats().partitionsRebuilt() == 0; port++) {
            collectorA.publish(syn(collectorA, A, POD_A, port, POD_B, JoinConstants.POINT_TO_NETWORK));
            expected.add(port);
            TimeUnit.MILLISECONDS.sleep(50); // pacing only: what is asserted is awaited below
            assertTrue(port < 44000, "the second correlator never got a partition");
        }

        await().atMost(DECIDED).until(() -> reader.alerts().size() >= expected.size());
        List<Alert> all = reader.alerts();
        Map<String, Long> ids = all.stream().collect(Collectors.groupingBy(Alert::id, Collectors.counting()));
        assertEquals(Map.of(), ids.entrySet().stream().filter(e -> e.getValue() > 1)
                .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)), "alert ids read twice");
        Map<Integer, Long> ports = all.stream().collect(Collectors.groupingBy(a -> a.source().port(), Collectors.counting()));
        assertEquals(expected, ports.keySet(), "every lost departure reported");
        assertTrue(ports.values().stream().allMatch(n -> n == 1), () -> "a tuple reported twice: " + ports);
        assertTrue(first.stats().partitionsRebuilt() >= PARTITIONS, "the first correlator had all partitions");
        assertTrue(second.stats().partitionsRebuilt() > 0 && second.stats().partitionsRebuilt() < PARTITIONS, "partitions moved");
        assertTrue(first.failure() == null && second.failure() == null);
    }

    /**
     * A correlator killed between a transaction's first send and its commit leaves the transaction
     * open, holding the group's offsets (a {@code read_committed} member's {@code committed()} waits
     * for them, 60 s at most) and the alert partition it wrote. The broker must abort it before the
     * next owner gives up: with the producer's default transaction timeout (60 s) it would not.
     */
    @Test
    void shouldTakeOverFromACorrelatorKilledInsideATransaction() throws Exception {
        topicsAndCollectors();
        Map<String, Object> properties = CorrelatorClients.producerProperties(settings("correlator-killed"),
                broker.bootstrapServers(), "correlator-killed");
        KafkaProducer<byte[], byte[]> killed = new KafkaProducer<>(properties);
        closing.add(() -> killed.close(Duration.ZERO)); // a forced close aborts nothing, as kill -9
        killed.initTransactions();
        killed.beginTransaction();
        killed.send(new ProducerRecord<>(alerts, (A + "|" + B).getBytes(StandardCharsets.UTF_8),
                "never committed".getBytes(StandardCharsets.UTF_8))).get();
        Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
        for (int partition = 0; partition < PARTITIONS; partition++) {
            offsets.put(new TopicPartition(events, partition), new OffsetAndMetadata(0));
        }
        killed.sendOffsetsToTransaction(offsets, new ConsumerGroupMetadata("correlators-" + run));

        Correlator successor = correlator("correlator-0");
        collectorA.publish(syn(collectorA, A, POD_A, 44001, POD_B, JoinConstants.POINT_TO_NETWORK)); // lost
        AlertReader reader = new AlertReader();
        await().atMost(Duration.ofSeconds(120)).until(() -> !reader.alerts().isEmpty() || successor.failure() != null);

        assertEquals(null, successor.failure(), "the successor stopped");
        assertEquals(List.of(44001), reader.alerts().stream().map(a -> a.source().port()).toList());
        assertEquals(PARTITIONS, successor.stats().partitionsRebuilt());
    }

    // ---- the pipeline around the correlator ----

    private void topicsAndCollectors() throws Exception {
        run++;
        events = "events-" + run;
        observers = "observers-" + run;
        alerts = "alerts-" + run;
        pairCounts = "pair-counts-" + run;
        try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
            admin.createTopics(List.of(new NewTopic(events, PARTITIONS, (short) 1),
                    new NewTopic(observers, 1, (short) 1).configs(Map.of("cleanup.policy", "compact")),
                    new NewTopic(alerts, 3, (short) 1), new NewTopic(pairCounts, 3, (short) 1),
                    new NewTopic("incidents-" + run, 1, (short) 1))).all().get();
        }
        collectorA = new TestCollector(0);
        collectorB = new TestCollector(1);
        closing.add(collectorA);
        closing.add(collectorB);
        // Both nodes' streams have been up for a while, as a live node's have: their views began 10 s
        // ago (in the single process as in every partition), whatever partition their own flows hash to,
        // so the departures judged here start after each destination's view began (join.watermark-slack).
        collectorA.publish(earlier(status(collectorA, A, NodeEvent.NODE_UP)));
        collectorB.publish(earlier(status(collectorB, B, NodeEvent.NODE_UP)));
        collectorA.publish(earlier(firstFlow(collectorA, A, POD_A)));
        collectorB.publish(earlier(firstFlow(collectorB, B, POD_B)));
        heartbeats.scheduleAtFixedRate(() -> {
            collectorA.heartbeat();
            collectorB.heartbeat();
        }, 0, 100, TimeUnit.MILLISECONDS);
    }

    private Correlator correlator(String member) {
        Correlator correlator = Correlator.start(settings(member), Clock.SYSTEM);
        closing.add(correlator);
        return correlator;
    }

    private Settings settings(String member) {
        return ConfigLoader.load(null, Map.of(), List.of(
                "kafka.bootstrap-servers=" + broker.bootstrapServers(),
                "kafka.topic.alerts=" + alerts, "kafka.topic.incidents=incidents-" + run,
                "scale.topic.events=" + events, "scale.topic.observers=" + observers,
                "scale.topic.pair-counts=" + pairCounts, "scale.correlator-group=correlators-" + run,
                "scale.member-id=" + member, "scale.collector-timeout=2s",
                "join.window=1s",
                "join.pending-capacity=1024", "join.arrival-capacity=1024", "join.max-pairs=64", "join.max-nodes=16",
                "topology.pod-cidrs=" + A + "=10.0.1.0/24;" + B + "=10.0.2.0/24",
                "kafka.consumer.session.timeout.ms=10000"));
    }

    /** Writes the event topic as {@code transitwatch collect} of one shard does, heartbeats included. */
    private final class TestCollector implements AutoCloseable {
        final StringDictionary names = new StringDictionary(256);
        private final KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(), "enable.idempotence", "true", "acks", "all",
                "linger.ms", "0"), new ByteArraySerializer(), new ByteArraySerializer());
        private final EventPublisher publisher;
        private volatile boolean heartbeating = true;

        TestCollector(int shard) {
            publisher = new EventPublisher(names, new ShardAssignment(2, shard),
                    new EventKeys(JoinConfig.defaults(), List.of(IpPrefix.parse("10.0.1.0/24"), IpPrefix.parse("10.0.2.0/24"))),
                    new EventPublisher.RecordSink() {
                        @Override
                        public void send(int partition, byte[] key, byte[] value) {
                            producer.send(new ProducerRecord<>(events, partition < 0 ? null : partition, key, value));
                        }

                        @Override
                        public void status(byte[] node, byte[] value) {
                            producer.send(new ProducerRecord<>(observers, node, value));
                        }
                    }, PARTITIONS, "collector-" + shard);
        }

        /** Publishes and flushes: once this returns, the next heartbeat stands behind the event in every partition. */
        synchronized void publish(NodeEvent event) {
            publisher.onEvent(event, true);
            producer.flush();
        }

        synchronized void heartbeat() {
            if (heartbeating) {
                publisher.heartbeat(Clock.SYSTEM.epochNanos());
            }
        }

        void stopHeartbeats() {
            heartbeating = false;
        }

        @Override
        public void close() {
            producer.close(Duration.ofSeconds(5));
        }
    }

    private static NodeEvent status(TestCollector collector, String node, byte kind) {
        NodeEvent event = new NodeEvent();
        event.clear();
        event.kind = kind;
        event.node = collector.names.pin(node);
        event.timeNanos = Clock.SYSTEM.epochNanos();
        event.receivedNanos = event.timeNanos;
        return event;
    }

    private static NodeEvent earlier(NodeEvent event) {
        event.timeNanos -= TimeUnit.SECONDS.toNanos(10);
        event.receivedNanos -= TimeUnit.SECONDS.toNanos(10);
        return event;
    }

    private static NodeEvent syn(TestCollector collector, String node, String source, int sourcePort, String destination,
            int point) {
        NodeEvent flow = status(collector, node, NodeEvent.FLOW);
        flow.verdict = JoinConstants.VERDICT_FORWARDED;
        flow.observationPoint = (short) point;
        flow.traceReason = JoinConstants.TRACE_REASON_NEW;
        flow.ipVersion = 4;
        flow.srcLo = ipv4(source);
        flow.dstLo = ipv4(destination);
        flow.protocol = NodeEvent.PROTO_TCP;
        flow.tcpFlags = NodeEvent.TCP_SYN;
        flow.srcPort = sourcePort;
        flow.dstPort = 8080;
        flow.eventType = 4;
        flow.srcEndpointId = point == JoinConstants.POINT_TO_NETWORK ? 101 : 0;
        flow.dstEndpointId = point == JoinConstants.POINT_TO_ENDPOINT ? 202 : 0;
        return flow;
    }

    /** A flow the join does not join (a pod's packet seen leaving its endpoint): published only as where the view begins. */
    private static NodeEvent firstFlow(TestCollector collector, String node, String pod) {
        NodeEvent flow = syn(collector, node, pod, 30000, "10.96.0.10", JoinConstants.POINT_FROM_ENDPOINT);
        flow.protocol = NodeEvent.PROTO_UDP;
        flow.tcpFlags = 0;
        flow.dstPort = 53;
        return flow;
    }

    private static long ipv4(String address) {
        long value = 0;
        for (String part : address.split("\\.")) {
            value = (value << 8) | Integer.parseInt(part);
        }
        return 0x0000_ffff_0000_0000L | value;
    }

    /** A read_committed reader of the alerts and pair-counts topics, from the beginning, kept open. */
    private final class AlertReader implements AutoCloseable {
        private final KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                "bootstrap.servers", broker.bootstrapServers(), "isolation.level", "read_committed",
                "enable.auto.commit", "false"), new ByteArrayDeserializer(), new ByteArrayDeserializer());
        private final List<Alert> alertsRead = new ArrayList<>();
        private final List<PairCount> countsRead = new ArrayList<>();

        AlertReader() {
            List<TopicPartition> partitions = new ArrayList<>();
            for (String topic : List.of(alerts, pairCounts)) {
                consumer.partitionsFor(topic).forEach(info -> partitions.add(new TopicPartition(topic, info.partition())));
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            closing.add(this);
        }

        synchronized List<Alert> alerts() {
            poll();
            return List.copyOf(alertsRead);
        }

        synchronized List<PairCount> counts() {
            poll();
            return List.copyOf(countsRead);
        }

        private void poll() {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                if (record.topic().equals(alerts)) {
                    SinkEvent event = EventJson.decode(new String(record.value(), StandardCharsets.UTF_8));
                    Alert alert = (Alert) event;
                    assertEquals(alert.source().node() + "|" + alert.destination().node(),
                            new String(record.key(), StandardCharsets.UTF_8), "alerts are keyed by node pair");
                    alertsRead.add(alert);
                } else {
                    try {
                        countsRead.add(PairCount.fromJson(record.value()));
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                }
            }
        }

        @Override
        public void close() {
            consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        }
    }
}
