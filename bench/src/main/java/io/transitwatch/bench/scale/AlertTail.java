package io.transitwatch.bench.scale;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Benchmark-thread only. A topic as an operator's {@code read_committed} consumer reads it: every
 * partition from the beginning, no group, only records of committed transactions. Alerts are decoded
 * with the sinks' one JSON codec and handed over with the moment the poll returned them.
 */
final class AlertTail implements AutoCloseable {
    private static final Duration POLL = Duration.ofMillis(100);

    /** Receives each alert with the wall-clock time (epoch ns) its poll returned. */
    interface AlertReader {
        void read(Alert alert, long readEpochNanos);
    }

    private final KafkaConsumer<byte[], byte[]> consumer;
    private final List<TopicPartition> partitions;
    private long undecodable;

    AlertTail(String bootstrapServers, String topic, int partitionCount) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers);
        properties.put("enable.auto.commit", "false");
        properties.put("isolation.level", "read_committed");
        consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        partitions = IntStream.range(0, partitionCount).mapToObj(p -> new TopicPartition(topic, p)).toList();
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** One poll (at most 100 ms): every alert it returned goes to {@code reader}. */
    void poll(AlertReader reader) {
        var records = consumer.poll(POLL);
        long read = Clock.SYSTEM.epochNanos();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            try {
                SinkEvent event = EventJson.decode(new String(record.value(), StandardCharsets.UTF_8));
                if (event instanceof Alert alert) {
                    reader.read(alert, read);
                }
            } catch (RuntimeException e) {
                undecodable++;
            }
        }
    }

    /** Values that were not a decodable sink event. */
    long undecodable() {
        return undecodable;
    }

    /** Every value as text, up to the last stable offsets as of this call. */
    List<String> readToEnd() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions);
        List<String> values = new ArrayList<>();
        while (partitions.stream().anyMatch(p -> consumer.position(p) < ends.get(p))) {
            for (ConsumerRecord<byte[], byte[]> record : consumer.poll(POLL)) {
                values.add(new String(record.value(), StandardCharsets.UTF_8));
            }
        }
        return values;
    }

    @Override
    public void close() {
        consumer.close(CloseOptions.timeout(Duration.ofSeconds(5)));
    }
}
