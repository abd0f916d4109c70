package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.scale.CorrelatedPartition;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Single-threaded: used by the correlator thread only.
 *
 * <p>The latest record per node of the compacted observers topic (value and Kafka timestamp), read by
 * the correlator's assign()-ed consumer, for seeding the joins it rebuilds: a node whose latest status
 * is older than a replay's start is not among the replayed records.
 */
final class ObserverStatuses {
    private record Status(byte[] value, long timestampMillis) {}

    private final Consumer<byte[], byte[]> consumer;
    private final Map<String, Status> latest = new HashMap<>();

    ObserverStatuses(Consumer<byte[], byte[]> consumer) {
        this.consumer = consumer;
    }

    /** Reads the topic to the end it had when called, for at most {@code atMost} or until {@code running} turns false. */
    void catchUp(Duration atMost, Duration pollTimeout, BooleanSupplier running) {
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment());
        long deadline = System.nanoTime() + atMost.toNanos();
        while (running.getAsBoolean() && System.nanoTime() < deadline && ends.entrySet().stream()
                .anyMatch(end -> consumer.position(end.getKey()) < end.getValue())) {
            poll(pollTimeout);
        }
    }

    void poll(Duration timeout) {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(timeout)) {
            if (record.key() == null) {
                continue;
            }
            String node = new String(record.key(), StandardCharsets.UTF_8);
            if (record.value() == null) {
                latest.remove(node); // a tombstone: the node is gone from the cluster
            } else {
                latest.put(node, new Status(record.value(), record.timestamp()));
            }
        }
    }

    /** Feeds a rebuilt partition every status older than its replay's start ({@link CorrelatedPartition#seedStatus}). */
    void seed(CorrelatedPartition partition, long replayFromMillis, long nowNanos) {
        for (Status status : latest.values()) {
            if (status.timestampMillis() < replayFromMillis) {
                partition.seedStatus(status.value(), nowNanos);
            }
        }
    }
}
