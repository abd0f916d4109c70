package io.transitwatch.daemon.scale;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Test-thread only. The alerts topic as an operator's {@code read_committed} consumer sees it: every
 * partition from the beginning, only records of committed transactions, each value decoded with the
 * one JSON codec ({@link EventJson}); undecodable values are kept as text so a test can show them.
 */
final class AlertTopicReader implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions = new ArrayList<>();
    final List<Alert> alerts = new ArrayList<>();
    final List<String> undecodable = new ArrayList<>();
    /** Every record's value as text, whatever it is (the pair-counts topic is read this way too). */
    final List<String> texts = new ArrayList<>();

    AlertTopicReader(String bootstrapServers, String topic) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers);
        properties.put("enable.auto.commit", "false");
        properties.put("isolation.level", "read_committed");
        consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        for (PartitionInfo info : consumer.partitionsFor(topic, Duration.ofSeconds(30))) {
            partitions.add(new TopicPartition(topic, info.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Reads until every partition's position reached its last stable offset as of this call. */
    void readToEnd() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, Duration.ofSeconds(30));
        while (partitions.stream().anyMatch(p -> consumer.position(p, Duration.ofSeconds(30)) < ends.get(p))) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                String text = new String(record.value(), StandardCharsets.UTF_8);
                texts.add(text);
                if (!text.contains("\"schema\"")) {
                    continue; // not an alert (pair counts)
                }
                try {
                    SinkEvent event = EventJson.decode(text);
                    if (event instanceof Alert alert) {
                        alerts.add(alert);
                    }
                } catch (RuntimeException e) {
                    undecodable.add(text + " (" + e.getMessage() + ")");
                }
            }
        }
    }

    @Override
    public void close() {
        consumer.close();
    }
}
