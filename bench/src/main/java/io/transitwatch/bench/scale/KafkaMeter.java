package io.transitwatch.bench.scale;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupIdNotFoundException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Benchmark-thread only. What the scale benchmark reads from the broker, as an operator's tools
 * would (Kafka's Admin client): topics created as an operator creates them, records appended
 * (end offsets), bytes on disk (log directories), a consumer group's committed offsets and members.
 */
final class KafkaMeter implements AutoCloseable {
    private final String bootstrapServers;
    private final Admin admin;

    KafkaMeter(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        this.admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrapServers));
    }

    void createTopic(String topic, int partitions, boolean compacted) {
        NewTopic newTopic = new NewTopic(topic, partitions, (short) 1);
        if (compacted) {
            newTopic.configs(Map.of("cleanup.policy", "compact"));
        }
        get(admin.createTopics(List.of(newTopic)).all());
    }

    private static List<TopicPartition> partitions(String topic, int count) {
        return IntStream.range(0, count).mapToObj(p -> new TopicPartition(topic, p)).toList();
    }

    /** Records appended to {@code topic} so far: the sum of its partitions' end offsets. */
    long endOffsets(String topic, int partitionCount) {
        Map<TopicPartition, OffsetSpec> latest = partitions(topic, partitionCount).stream()
                .collect(Collectors.toMap(p -> p, p -> OffsetSpec.latest()));
        return get(admin.listOffsets(latest).all()).values().stream().mapToLong(info -> info.offset()).sum();
    }

    /** Bytes of {@code topic}'s log segments on the (single) broker: record batches as stored, compressed or not. */
    long bytesOnDisk(String topic) {
        Map<Integer, Map<String, LogDirDescription>> dirs = get(admin.describeLogDirs(List.of(1)).allDescriptions());
        return dirs.values().stream().flatMap(byDir -> byDir.values().stream())
                .flatMap(dir -> dir.replicaInfos().entrySet().stream())
                .filter(replica -> replica.getKey().topic().equals(topic))
                .mapToLong(replica -> replica.getValue().size()).sum();
    }

    /** Commits offset 0 of every partition for a new group, so that its members start at the beginning. */
    void commitStart(String group, String topic, int partitionCount) {
        Map<TopicPartition, OffsetAndMetadata> start = new HashMap<>();
        partitions(topic, partitionCount).forEach(p -> start.put(p, new OffsetAndMetadata(0)));
        get(admin.alterConsumerGroupOffsets(group, start).all());
    }

    /** The sum of {@code group}'s committed offsets on {@code topic}. */
    long committed(String group, String topic) {
        return get(admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()).entrySet().stream()
                .filter(entry -> entry.getKey().topic().equals(topic) && entry.getValue() != null)
                .mapToLong(entry -> entry.getValue().offset()).sum();
    }

    /** Whether {@code group} has exactly {@code members} members and together they own all {@code partitions}. */
    boolean groupSettled(String group, int members, int partitionCount) {
        try {
            ConsumerGroupDescription description = admin.describeConsumerGroups(List.of(group)).all().get().get(group);
            List<MemberDescription> current = List.copyOf(description.members());
            return current.size() == members && current.stream().allMatch(m -> !m.assignment().topicPartitions().isEmpty())
                    && current.stream().mapToInt(m -> m.assignment().topicPartitions().size()).sum() == partitionCount;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return false;
            }
            throw new IllegalStateException("describing consumer group " + group + " failed", e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * The average key + value bytes of the first {@code limit} records of {@code topic} (uncompressed,
     * without Kafka's per-record and per-batch framing): the event record itself.
     */
    double averageRecordBytes(String topic, int partitionCount, int limit) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers);
        properties.put("enable.auto.commit", "false");
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            List<TopicPartition> all = partitions(topic, partitionCount);
            consumer.assign(all);
            consumer.seekToBeginning(all);
            long records = 0;
            long bytes = 0;
            int emptyPolls = 0;
            while (records < limit && emptyPolls < 20) {
                int polled = 0;
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    bytes += (record.key() == null ? 0 : record.key().length)
                            + (record.value() == null ? 0 : record.value().length);
                    polled++;
                }
                records += polled;
                emptyPolls = polled == 0 ? emptyPolls + 1 : 0;
            }
            return records == 0 ? 0 : bytes / (double) records;
        }
    }

    String bootstrapServers() {
        return bootstrapServers;
    }

    /** Every value of {@code topic} as text, as a {@code read_committed} reader sees them now. */
    List<String> readCommitted(String topic, int partitionCount) {
        try (AlertTail tail = new AlertTail(bootstrapServers, topic, partitionCount)) {
            return tail.readToEnd();
        }
    }

    private static <T> T get(org.apache.kafka.common.KafkaFuture<T> future) {
        try {
            return future.get();
        } catch (ExecutionException e) {
            throw new IllegalStateException("Kafka admin request failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        admin.close(Duration.ofSeconds(5));
    }
}
