package io.transitwatch.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code hubble.mode}: direct is the canonical spelling, the demo's "nodes" is read as direct. */
class HubbleModeSpellingTest {
    @Test
    void shouldReadNodesAsDirectAndKeepDirectCanonical() {
        assertEquals(HubbleMode.DIRECT, ConfigFixtures.load(null, "hubble.mode=nodes").get(ConfigKeys.HUBBLE_MODE));
        assertEquals(HubbleMode.DIRECT, ConfigFixtures.load(null, "hubble.mode=direct").get(ConfigKeys.HUBBLE_MODE));
        assertEquals(HubbleMode.RELAY, ConfigFixtures.load(null, "hubble.mode=relay").get(ConfigKeys.HUBBLE_MODE));
        assertEquals("one of relay, direct (nodes is read as direct)", ConfigKeys.HUBBLE_MODE.type().describe());
    }

    @Test
    void shouldStillRejectOtherSpellingsNamingTheCanonicalOnes() {
        List<ConfigError> errors = ConfigFixtures.errors(null, "hubble.mode=peer");
        assertEquals(1, errors.size());
        assertEquals("hubble.mode", errors.get(0).key());
    }
}
