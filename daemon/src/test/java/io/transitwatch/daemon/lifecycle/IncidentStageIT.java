package io.transitwatch.daemon.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.scale.PairCount;
import io.transitwatch.daemon.testsupport.KafkaTestBroker;
import io.transitwatch.daemon.testsupport.ScaledAlertRules;
import io.transitwatch.sinks.slack.SlackStub;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertEndpoint;
import io.transitwatch.sinks.Evidence;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import io.transitwatch.sinks.json.EventJson;
import io.transitwatch.sinks.kafka.KafkaSink;
import io.transitwatch.sinks.kafka.KafkaSinkConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code transitwatch incidents} against a real KRaft broker and a test Slack webhook: alerts and pair
 * counts written as the correlators write them (transactions, key = node pair) become incidents on
 * Slack, on stdout and on the incidents topic, exactly as {@code run} makes them.
 */
class IncidentStageIT {
    private static final String ALERTS = "alerts";
    private static final String COUNTS = "pair-counts";
    private static final String INCIDENTS = "incidents";

    @TempDir
    Path dir;

    @Test
    void shouldOpenAnIncidentOnSlackFromAnAlertAndResolveItFromMatchedCounts() throws Exception {
        try (KafkaTestBroker broker = KafkaTestBroker.start();
                SlackStub slack = new SlackStub(java.time.Clock.systemUTC())) {
            try (Admin admin = Admin.create(Map.of("bootstrap.servers", broker.bootstrapServers()))) {
                admin.createTopics(List.of(new NewTopic(ALERTS, 3, (short) 1), new NewTopic(COUNTS, 3, (short) 1),
                        new NewTopic(INCIDENTS, 1, (short) 1))).all().get();
            }
            Path webhook = Files.writeString(dir.resolve("webhook"), slack.url() + "\n");
            Settings settings = ConfigLoader.load(null, Map.of(), List.of(
                    "kafka.bootstrap-servers=" + broker.bootstrapServers(), "kafka.topic.alerts=" + ALERTS,
                    "kafka.topic.incidents=" + INCIDENTS, "scale.topic.pair-counts=" + COUNTS,
                    "scale.member-id=incidents-0", "kafka.consumer.auto.offset.reset=earliest",
                    "sinks=stdout,slack,kafka", "stdout.alerts=every", "slack.webhook-url-file=" + webhook,
                    "slack.group-wait=0s", "incidents.resolve-after=1s", "incidents.update-interval=1s"));
            ByteArrayOutputStream printed = new ByteArrayOutputStream();
            Alert lost = lost();
            try (KafkaProducer<byte[], byte[]> correlator = transactionalProducer(broker);
                    IncidentStage stage = IncidentStage.start(settings, Clock.SYSTEM,
                            new PrintStream(printed, true, StandardCharsets.UTF_8))) {
                KafkaSinkConfig records = KafkaSinkConfig.defaults(broker.bootstrapServers()).withTopics(ALERTS, INCIDENTS);
                correlator.beginTransaction();
                correlator.send(KafkaSink.record(records, lost));
                correlator.send(new ProducerRecord<>(COUNTS, "garbage".getBytes(StandardCharsets.UTF_8),
                        "not a count".getBytes(StandardCharsets.UTF_8)));
                correlator.commitTransaction();

                await().atMost(Duration.ofSeconds(60)).until(() -> !slack.requests().isEmpty());
                String posted = slack.requests().get(0).body();
                assertTrue(posted.contains("solwk03") && posted.contains("solwk02"), posted);
                await().atMost(Duration.ofSeconds(30)).until(() -> printed.toString(StandardCharsets.UTF_8)
                        .contains(lost.id()));
                assertEquals(1, stage.malformed(), "the bad count is counted and skipped");

                PairCount matched = new PairCount(PairCount.PAIR, "solwk03", "solwk02", "IPv6", 5, 0, 0, 0, 0, 0, 0, 0);
                correlator.beginTransaction();
                correlator.send(new ProducerRecord<>(COUNTS, matched.key().getBytes(StandardCharsets.UTF_8),
                        matched.toJson()));
                correlator.commitTransaction();

                await().atMost(Duration.ofSeconds(60)).until(() -> read(broker, INCIDENTS).stream()
                        .anyMatch(change -> ((IncidentChange) change).state() == IncidentState.RESOLVED));
                List<SinkEvent> changes = read(broker, INCIDENTS);
                IncidentChange first = (IncidentChange) changes.get(0);
                assertEquals(IncidentState.FIRING, first.state());
                assertEquals(1, first.lost());
                IncidentChange resolved = (IncidentChange) changes.get(changes.size() - 1);
                assertEquals(IncidentState.RESOLVED, resolved.state());
                assertEquals(5, resolved.matched(), "the correlators' matched count moved the incident");
                assertEquals(List.of(lost.id()), read(broker, ALERTS).stream().map(SinkEvent::id).toList(),
                        "the stage's Kafka sink publishes incident changes only");
                assertEquals(1, stage.alertsRead());
                Set<String> exported = ScaledAlertRules.exported(stage.view().metrics());
                assertTrue(exported.containsAll(ScaledAlertRules.metricsOf("transitwatch_incident_stage_")),
                        "every incident stage metric the scaled alert rules name is exported: " + exported);
            }
        }
    }

    private static KafkaProducer<byte[], byte[]> transactionalProducer(KafkaTestBroker broker) {
        KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers(), "transactional.id", "test-correlator"), new ByteArraySerializer(),
                new ByteArraySerializer());
        producer.initTransactions();
        return producer;
    }

    private static List<SinkEvent> read(KafkaTestBroker broker, String topic) {
        List<SinkEvent> events = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of("bootstrap.servers",
                broker.bootstrapServers(), "isolation.level", "read_committed"), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    events.add(EventJson.decode(new String(record.value(), StandardCharsets.UTF_8)));
                }
            }
        }
        return events;
    }

    private static Alert lost() {
        Instant now = Instant.now();
        return Alert.builder().id("01JKPZ5N3G0000000000000001").verdict(Verdict.LOST_IN_TRANSIT)
                .time(now).family("IPv6").protocol("TCP").kind("SYN")
                .communityId("1:x").source(new AlertEndpoint("solwk03", "fd00::1", 40000, "ns", "a-0", "a", 1))
                .destination(new AlertEndpoint("solwk02", "fd00::2", 9090, "ns", "b-0", "b", 2))
                .firstSeen(now).lastSeen(now).windowMs(5000)
                .evidence(new Evidence("TO_NETWORK", null, null)).build();
    }
}
