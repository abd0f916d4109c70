package io.transitwatch.sinks.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.Verdict;
import io.transitwatch.sinks.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** The sink's record mapping and accounting against Kafka's {@link MockProducer}; the real broker is in {@link KafkaSinkBrokerIT}. */
class KafkaSinkTest {
    private final MockProducer<byte[], byte[]> producer =
            new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final KafkaSinkConfig config = KafkaSinkConfig.defaults("unused:9092").withCluster("talos-lab");
    private final KafkaSink sink = new KafkaSink(config, producer, System::nanoTime);

    @Test
    void shouldPublishAlertsAsBinaryModeCloudEventsKeyedByNodePair() {
        Alert alert = TestEvents.lostAlert();
        sink.publish(List.of(alert));

        ProducerRecord<byte[], byte[]> record = producer.history().get(0);
        assertEquals("transitwatch.alerts", record.topic());
        assertEquals("solwk03|solwk02", new String(record.key(), StandardCharsets.UTF_8));
        assertEquals(EventJson.encode(alert), new String(record.value(), StandardCharsets.UTF_8));
        assertEquals(alert.time().toEpochMilli(), record.timestamp());
        assertEquals(Map.of(
                "ce_specversion", "1.0",
                "ce_type", "io.transitwatch.alert.lost_in_transit.v1",
                "ce_source", "/transitwatch/talos-lab",
                "ce_id", alert.id(),
                "ce_time", "2026-02-11T22:17:36.784Z",
                "content-type", "application/json"), headers(record));
    }

    @Test
    void shouldPublishIncidentChangesToTheirOwnTopicWithTheirOwnType() {
        IncidentChange firing = TestEvents.firing();
        Alert late = TestEvents.lostAlert().toBuilder().verdict(Verdict.LATE)
                .resolvesAlertId("01JKPZ5N3G0000000000000000").arrivalDelay(Duration.ofSeconds(6)).build();
        sink.publish(List.of(firing, late));

        ProducerRecord<byte[], byte[]> incident = producer.history().get(0);
        assertEquals("transitwatch.incidents", incident.topic());
        assertEquals("io.transitwatch.incident.firing.v1", headers(incident).get("ce_type"));
        assertEquals(firing.id(), headers(incident).get("ce_id"));
        assertEquals("io.transitwatch.alert.late.v1", headers(producer.history().get(1)).get("ce_type"));
    }

    @Test
    void shouldCountEachRecordExactlyOnceWhateverTheOutcome() {
        List<SinkEvent> batch = List.of(TestEvents.lostAlert("A"), TestEvents.lostAlert("B"), TestEvents.lostAlert("C"));
        CompletableFuture<Void> taken = sink.publish(batch);
        assertTrue(taken.isDone() && !taken.isCompletedExceptionally(), "the producer holds the batch now");
        CompletableFuture<Void> flushed = sink.flush();
        assertEquals(3, sink.inFlight());

        producer.completeNext();
        producer.errorNext(new TimeoutException("Expiring 1 record(s): 120000 ms has passed since batch creation"));
        assertFalse(flushed.isDone(), "one record is still in flight");
        producer.errorNext(new RecordTooLargeException("too large"));

        assertTrue(flushed.isDone());
        assertEquals(3, sink.attempted());
        assertEquals(1, sink.delivered());
        assertEquals(2, sink.failed());
        assertEquals(0, sink.inFlight());
    }

    @Test
    void shouldCountASendThatThrowsAsFailed() {
        producer.sendException = new org.apache.kafka.common.KafkaException("producer closed");
        sink.publish(List.of(TestEvents.lostAlert(), TestEvents.firing()));
        assertEquals(2, sink.failed());
        assertEquals(0, sink.inFlight());
        assertTrue(sink.flush().isDone());
    }

    @Test
    void shouldCloseTheProducer() {
        sink.close();
        assertTrue(producer.closed());
    }

    @Test
    void shouldLayPassThroughPropertiesOverSafeDefaultsButKeepByteArraySerializers() {
        Map<String, Object> properties = KafkaSinkConfig.defaults("broker:9093")
                .withProducer(Map.of("compression.type", "lz4", "security.protocol", "SASL_SSL",
                        "value.serializer", "org.apache.kafka.common.serialization.StringSerializer"))
                .producerProperties();
        assertEquals("all", properties.get("acks"));
        assertEquals("true", properties.get("enable.idempotence"));
        assertEquals("lz4", properties.get("compression.type"));
        assertEquals("SASL_SSL", properties.get("security.protocol"));
        assertEquals("1000", properties.get("max.block.ms"));
        assertEquals("broker:9093", properties.get("bootstrap.servers"));
        assertEquals(ByteArraySerializer.class.getName(), properties.get("value.serializer"));
    }

    @Test
    void shouldTakeOnlyKafkaProducerKeysFromAFlatConfig() {
        assertEquals(Map.of("linger.ms", "20", "sasl.mechanism", "SCRAM-SHA-512"), KafkaSinkConfig.producerOverrides(Map.of(
                "kafka.producer.linger.ms", "20", "kafka.producer.sasl.mechanism", "SCRAM-SHA-512",
                "kafka.topic.alerts", "x", "slack.webhook.file", "/secret")));
    }

    @Test
    void shouldNameTheBadSettingWhenConfigIsInvalid() {
        IllegalArgumentException topic = assertThrows(IllegalArgumentException.class,
                () -> KafkaSinkConfig.defaults("b:9092").withTopics("alerts with spaces", "ok"));
        assertTrue(topic.getMessage().contains("alertsTopic"), topic.getMessage());
        IllegalArgumentException cluster = assertThrows(IllegalArgumentException.class,
                () -> KafkaSinkConfig.defaults("b:9092").withCluster("a/b"));
        assertTrue(cluster.getMessage().contains("cluster"), cluster.getMessage());
    }

    static Map<String, String> headers(ProducerRecord<byte[], byte[]> record) {
        java.util.Map<String, String> map = new java.util.LinkedHashMap<>();
        for (Header header : record.headers()) {
            map.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return map;
    }
}
