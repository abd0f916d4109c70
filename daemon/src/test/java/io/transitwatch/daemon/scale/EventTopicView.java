package io.transitwatch.daemon.scale;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Test-thread only. What the collectors wrote, as a correlator would read it: every partition of the
 * event topic and the observers topic from the beginning (assigned, no group), each record decoded
 * with {@link EventRecordReader}, and summarised per node, per partition and per collector shard.
 */
final class EventTopicView implements AutoCloseable {
    private final KafkaConsumer<byte[], byte[]> consumer;
    private final String eventsTopic;
    private final StringDictionary dictionary = new StringDictionary(1 << 16);
    private final EventRecordReader reader = new EventRecordReader(dictionary);
    private final NodeEvent slot = new NodeEvent();
    private final int partitions;

    /** Node name to the collector shards that wrote FLOW records of it. */
    final Map<String, Set<Integer>> flowShardsByNode = new TreeMap<>();
    /** Node name to the kinds of status records (NODE_UP, ...) seen for it in the event topic. */
    final Map<String, Set<Byte>> statusKindsByNode = new TreeMap<>();
    /** Partition to the collector shards whose heartbeats it holds. */
    final Map<Integer, Set<Integer>> heartbeatShardsByPartition = new TreeMap<>();
    /** Collector shard to the heartbeat count per partition. */
    final Map<Integer, Map<Integer, Integer>> heartbeatsByShard = new HashMap<>();
    /** Observers topic: node key to the kinds of the records under it, with the node the record itself names. */
    final Map<String, List<String>> observerRecordsByKey = new TreeMap<>();
    /** Records whose key hashes to another partition than the one they were read from. */
    final List<String> misplaced = new ArrayList<>();
    long flowRecords;
    long records;

    EventTopicView(String bootstrapServers, String eventsTopic, String observersTopic, int partitions) {
        Properties properties = new Properties();
        properties.put("bootstrap.servers", bootstrapServers);
        properties.put("enable.auto.commit", "false");
        properties.put("isolation.level", "read_committed");
        this.consumer = new KafkaConsumer<>(properties, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        this.eventsTopic = eventsTopic;
        this.partitions = partitions;
        List<TopicPartition> assigned = new ArrayList<>();
        for (int p = 0; p < partitions; p++) {
            assigned.add(new TopicPartition(eventsTopic, p));
        }
        assigned.add(new TopicPartition(observersTopic, 0));
        consumer.assign(assigned);
        consumer.seekToBeginning(assigned);
    }

    /** Reads what has come since the last call. */
    void poll() {
        for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
            records++;
            if (record.topic().equals(eventsTopic)) {
                event(record);
            } else {
                observer(record);
            }
        }
    }

    private void event(ConsumerRecord<byte[], byte[]> record) {
        byte[] value = record.value();
        int type = reader.read(value, 0, value.length, slot);
        if (type == EventRecordReader.HEARTBEAT) {
            heartbeatShardsByPartition.computeIfAbsent(record.partition(), p -> new HashSet<>()).add(reader.heartbeatShard());
            heartbeatsByShard.computeIfAbsent(reader.heartbeatShard(), s -> new HashMap<>())
                    .merge(record.partition(), 1, Integer::sum);
            return;
        }
        if (type != EventRecordReader.EVENT) {
            return; // counted by the reader: malformed()
        }
        String node = dictionary.get(slot.node);
        if (record.key() != null && KafkaPartitions.of(record.key(), partitions) != record.partition()) {
            misplaced.add(node + " in partition " + record.partition());
        }
        if (slot.kind == NodeEvent.FLOW) {
            flowRecords++;
            flowShardsByNode.computeIfAbsent(node, n -> new HashSet<>()).add(reader.eventShard());
        } else {
            statusKindsByNode.computeIfAbsent(node, n -> new HashSet<>()).add(slot.kind);
        }
    }

    private void observer(ConsumerRecord<byte[], byte[]> record) {
        String key = record.key() == null ? "(no key)" : new String(record.key(), java.nio.charset.StandardCharsets.UTF_8);
        byte[] value = record.value();
        int type = reader.read(value, 0, value.length, slot);
        String what = type == EventRecordReader.EVENT ? "kind " + slot.kind + " of " + dictionary.get(slot.node)
                : "type " + type;
        observerRecordsByKey.computeIfAbsent(key, k -> new ArrayList<>()).add(what);
    }

    /** Reads until every partition's position reached its end offset as of this call. */
    void readToEnd() {
        Map<TopicPartition, Long> ends = consumer.endOffsets(consumer.assignment(), Duration.ofSeconds(30));
        while (ends.entrySet().stream().anyMatch(end -> consumer.position(end.getKey(), Duration.ofSeconds(30))
                < end.getValue())) {
            poll();
        }
    }

    /** NODE_UP records of {@code node} in the observers topic so far: one per stream start. */
    long nodeUps(String node) {
        return observerRecordsByKey.getOrDefault(node, List.of()).stream()
                .filter(what -> what.equals("kind " + NodeEvent.NODE_UP + " of " + node)).count();
    }

    long malformed() {
        return reader.malformedTotal();
    }

    String summary() {
        return records + " records, " + flowRecords + " flows; flow shards by node " + flowShardsByNode
                + "; heartbeat shards by partition " + heartbeatShardsByPartition + "; status kinds by node "
                + statusKindsByNode + "; observer keys " + observerRecordsByKey.keySet() + "; malformed "
                + malformed() + "; misplaced " + misplaced.size();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
