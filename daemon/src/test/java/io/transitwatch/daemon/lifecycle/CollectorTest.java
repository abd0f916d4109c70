package io.transitwatch.daemon.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.Settings;
import java.util.List;
import java.util.Map;
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
}
