package io.transitwatch.daemon.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.config.ConfigLoader;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Relay's GetNodes poll: what puts a failed node down, since Relay holds a stream's error for up to 10 s. */
class IngestSettingsTest {
    @Test
    void shouldPollRelaysNodesAtLeastTwicePerWindow() {
        assertEquals(Duration.ofSeconds(2), pollInterval());
        assertEquals(Duration.ofSeconds(1), pollInterval("join.window=2s"));
        assertEquals(Duration.ofMillis(2500), pollInterval("hubble.get-nodes-interval=10s"));
        assertEquals(Duration.ofMillis(500), pollInterval("hubble.get-nodes-interval=500ms"));
    }

    private static Duration pollInterval(String... sets) {
        return IngestSettings.from(ConfigLoader.load(null, Map.of(), List.of(sets))).nodePollInterval();
    }
}
