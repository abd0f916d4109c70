package io.transitwatch.sinks.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.Await;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.JsonSchemas;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.TestThreads;
import io.transitwatch.sinks.dispatch.DispatchSettings;
import io.transitwatch.sinks.dispatch.SinkDispatcher;
import io.transitwatch.sinks.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Kafka sink behind the dispatcher, against a real KRaft broker in this JVM (Kafka's test kit). */
class KafkaSinkBrokerIT {
    private static TestBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = TestBroker.start();
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    static List<SinkEvent> alerts(String prefix, int count) {
        List<SinkEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(TestEvents.lostAlert(String.format("%s%016d", prefix, i), "solwk0" + (i % 3 + 1), "solwk02"));
        }
        return events;
    }

    static SinkDispatcher dispatcher(KafkaSink sink, DispatchSettings settings) {
        SinkDispatcher dispatcher = new SinkDispatcher(List.of(sink), new TestThreads("sink"), settings, System::nanoTime);
        dispatcher.start();
        return dispatcher;
    }

    @Test
    void shouldDeliverAlertsAndIncidentsWithKeyHeadersAndJson() throws Exception {
        KafkaTopics.create(broker.bootstrapServers(), "a1.alerts", "a1.incidents");
        KafkaSinkConfig config = KafkaSinkConfig.defaults(broker.bootstrapServers())
                .withTopics("a1.alerts", "a1.incidents").withCluster("lab");
        KafkaSink sink = KafkaSink.create(config, System::nanoTime);
        SinkDispatcher dispatcher = dispatcher(sink, DispatchSettings.defaults());
        List<SinkEvent> alerts = alerts("01JKPZ5N3G", 20);
        alerts.forEach(dispatcher::offer);
        dispatcher.offer(TestEvents.firing());

        assertTrue(dispatcher.close(Await.GENEROUS));
        assertEquals(21, sink.delivered());

        List<ConsumerRecord<byte[], byte[]>> records = KafkaTopics.readAll(broker.bootstrapServers(), "a1.alerts", 20);
        assertEquals(20, records.size());
        for (int i = 0; i < 20; i++) {
            ConsumerRecord<byte[], byte[]> record = records.get(i);
            SinkEvent sent = alerts.get(i);
            assertEquals(sent.key(), KafkaTopics.text(record.key()));
            assertEquals(sent, EventJson.decode(KafkaTopics.text(record.value())));
            assertEquals(List.of(), JsonSchemas.errors(Alert.SCHEMA, KafkaTopics.text(record.value())));
            assertEquals(Map.of("ce_specversion", "1.0", "ce_type", "io.transitwatch.alert.lost_in_transit.v1",
                    "ce_source", "/transitwatch/lab", "ce_id", sent.id(), "ce_time", "2026-02-11T22:17:36.784Z",
                    "content-type", "application/json"), headers(record));
        }
        List<ConsumerRecord<byte[], byte[]>> incidents = KafkaTopics.readAll(broker.bootstrapServers(), "a1.incidents", 1);
        assertEquals(1, incidents.size());
        assertEquals(TestEvents.firing(), EventJson.decode(KafkaTopics.text(incidents.get(0).value())));
        assertEquals(List.of(), JsonSchemas.errors(IncidentChange.SCHEMA, KafkaTopics.text(incidents.get(0).value())));
        assertEquals("io.transitwatch.incident.firing.v1", headers(incidents.get(0)).get("ce_type"));
    }

    static Map<String, String> headers(ConsumerRecord<byte[], byte[]> record) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        for (Header header : record.headers()) {
            map.put(header.key(), new String(header.value(), StandardCharsets.UTF_8));
        }
        return map;
    }
}
