package io.transitwatch.daemon.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.Settings;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.Cluster;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class CollectorTest {

    private static Settings settings(String... sets) {
        return ConfigLoader.load(null, Map.of(), List.of(sets));
    }

    @Test
    void shouldTakeTheShardFromTheConfigurationFirst() {
        Settings settings = settings("scale.shards=3", "scale.shard-index=1");
        assertEquals(1, Collector.shardIndex(settings, Map.of("HOSTNAME", "transitwatch-collector-2")));
    }

    @Test
    void shouldTakeTheShardFromTheStatefulSetOrdinal() {
        Settings settings = settings("scale.shards=3");
        assertEquals(2, Collector.shardIndex(settings, Map.of("HOSTNAME", "transitwatch-collector-2")));
    }

    @Test
    void shouldNameTheKeyAndTheFixWhenNoShardCanBeFound() {
        Settings settings = settings("scale.shards=3");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Collector.shardIndex(settings, Map.of("HOSTNAME", "laptop")));
        assertTrue(e.getMessage().contains("scale.shard-index") && e.getMessage().contains("laptop")
                && e.getMessage().contains("0..2"), e.getMessage());
    }

    /**
     * A heartbeat promises that everything before its watermark is written. After a record Kafka did
     * not take, no further record may be written, heartbeats least of all: a correlator would judge
     * the missing arrivals LOST. The collector then reports itself failed, and collect exits.
     */
    @Test
    void shouldWriteNothingMoreHeartbeatsIncludedOnceARecordCouldNotBeWritten() {
        Node broker = new Node(0, "localhost", 9092);
        List<PartitionInfo> partitions = new ArrayList<>();
        for (int p = 0; p < 3; p++) {
            partitions.add(new PartitionInfo("transitwatch.events.v1", p, broker, new Node[] {broker}, new Node[] {broker}));
        }
        MockProducer<byte[], byte[]> producer = new MockProducer<>(new Cluster("test", List.of(broker), partitions,
                Set.of(), Set.of()), false, null, new ByteArraySerializer(), new ByteArraySerializer());
        Collector collector = new Collector(settings("scale.shards=1", "scale.shard-index=0",
                "scale.topic.events=transitwatch.events.v1"), Clock.SYSTEM, producer, Map.of());
        collector.publisher().heartbeat(1_000);
        assertEquals(4, producer.history().size(), "one heartbeat per partition, and one under the collector's key in the observers topic");
        assertTrue(!collector.failed());

        producer.errorNext(new TimeoutException("expired in the accumulator"));
        collector.publisher().heartbeat(2_000);

        assertTrue(collector.failed(), "a refused record fails the collector");
        assertEquals(4, producer.history().size(), "no heartbeat after the failure");
        assertTrue(collector.sendFailures() >= 5, "the refused record and the 4 heartbeats not sent: "
                + collector.sendFailures());
    }
}
