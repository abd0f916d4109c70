package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.scale.EventPublisher;
import io.transitwatch.daemon.scale.EventRecordReader;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Called once, on the thread that starts the collector, before it writes anything.
 *
 * <p>Where a restarted collector resumes (DESIGN §8): every heartbeat of a collector is also written
 * into the compacted observers topic under {@code collector/<shard>}, so the latest one there says up
 * to when its predecessor wrote everything it received. Its node streams then ask Hubble for
 * everything since then ({@code HubbleIngest.resumeAfter}): what was in flight when it died, and what
 * the nodes sent while no collector read them, is re-read from Hubble's ring, not lost; what the ring
 * no longer holds is a gap, UNVERIFIED. The correlators drop what the predecessor had already
 * written (PartitionJoin, a restarted collector's flows).
 */
final class CollectorResume {
    private static final System.Logger LOG = System.getLogger(CollectorResume.class.getName());
    private static final Duration READ_LIMIT = Duration.ofSeconds(30);

    private CollectorResume() {
    }

    /**
     * The latest watermark of shard {@code shard}'s predecessor (collector clock, ns), or 0 for none or
     * when it cannot be read (then the streams start from now and the outage stays UNVERIFIED).
     */
    static long lastWatermark(Settings settings, String bootstrapServers, int shard) {
        try {
            return readLastWatermark(settings, bootstrapServers, shard);
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, () -> "cannot read shard " + shard + "'s predecessor from "
                    + settings.string(ConfigKeys.SCALE_TOPIC_OBSERVERS) + " (" + e + "; the collector needs Describe "
                    + "and Read on it): the streams start from now, and what its predecessor missed stays UNVERIFIED");
            return 0;
        }
    }

    private static long readLastWatermark(Settings settings, String bootstrapServers, int shard) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("bootstrap.servers", bootstrapServers);
        properties.put("client.id", "collector-" + shard + "-resume");
        properties.putAll(settings.passThrough(ConfigKeys.KAFKA_CONSUMER));
        properties.remove("group.id");
        properties.put("enable.auto.commit", "false");
        properties.put("allow.auto.create.topics", "false");
        properties.put("key.deserializer", ByteArrayDeserializer.class.getName());
        properties.put("value.deserializer", ByteArrayDeserializer.class.getName());
        String topic = settings.string(ConfigKeys.SCALE_TOPIC_OBSERVERS);
        byte[] key = EventPublisher.collectorKey(shard);
        EventRecordReader reader = new EventRecordReader(new StringDictionary(64));
        NodeEvent slot = new NodeEvent();
        long latest = 0;
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(properties)) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic, READ_LIMIT).stream()
                    .map(info -> new TopicPartition(topic, info.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, READ_LIMIT);
            long deadline = System.nanoTime() + READ_LIMIT.toNanos();
            while (System.nanoTime() < deadline && ends.entrySet().stream()
                    .anyMatch(end -> consumer.position(end.getKey(), READ_LIMIT) < end.getValue())) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    byte[] value = record.value();
                    if (value != null && Arrays.equals(key, record.key())
                            && reader.read(value, 0, value.length, slot) == EventRecordReader.HEARTBEAT
                            && reader.heartbeatShard() == shard) {
                        latest = Math.max(latest, reader.heartbeatWatermarkNanos());
                    }
                }
            }
        }
        long found = latest;
        LOG.log(System.Logger.Level.INFO, () -> found == 0 ? "no predecessor of shard " + shard + " in " + topic
                + ": the streams start from now" : "shard " + shard + "'s predecessor wrote everything up to "
                + java.time.Instant.ofEpochSecond(0, found) + ": the streams resume from there");
        return latest;
    }
}
