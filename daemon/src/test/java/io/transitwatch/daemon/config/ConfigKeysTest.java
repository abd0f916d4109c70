package io.transitwatch.daemon.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.join.PacketKind;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigKeysTest {
    @Test
    void shouldHaveDefaultsThatAreThemselvesValid() throws InvalidValue {
        for (Key<?> key : ConfigKeys.keys()) {
            assertDefaultRoundTrips(key);
        }
    }

    @Test
    void shouldDeclareEachNameOnceWithADistinctEnvironmentVariable() {
        Set<String> names = new HashSet<>();
        Set<String> envNames = new HashSet<>();
        for (Declaration declaration : ConfigKeys.declarations()) {
            assertTrue(names.add(declaration.name()), "declared twice: " + declaration.name());
            assertTrue(envNames.add(declaration.envName()), "environment variable taken twice: " + declaration.envName());
            assertTrue(declaration.name().matches("[a-z][a-z0-9-]*(\\.[a-z][a-z0-9-]*)*\\.?"), declaration.name());
            assertTrue(declaration.doc().endsWith("."), "a doc is a sentence: " + declaration.name());
        }
    }

    @Test
    void shouldNameEnvironmentVariablesByTheDocumentedRule() {
        assertEquals("TRANSITWATCH_JOIN_WINDOW", ConfigKeys.JOIN_WINDOW.envName());
        assertEquals("TRANSITWATCH_HUBBLE_TLS_CA_FILE", ConfigKeys.HUBBLE_TLS_CA_FILE.envName());
        assertEquals("TRANSITWATCH_KAFKA_PRODUCER_", ConfigKeys.KAFKA_PRODUCER.envName());
        assertEquals("kafka.producer.sasl.jaas.config",
                ConfigKeys.KAFKA_PRODUCER.keyOfEnv("TRANSITWATCH_KAFKA_PRODUCER_SASL_JAAS_CONFIG"));
    }

    @Test
    void shouldSpellPointsAndKindsAsTheJoinReadsThem() {
        for (String point : ConfigLoader.defaults().get(ConfigKeys.JOIN_DEPARTURE_POINTS)) {
            int number = io.transitwatch.proto.flow.TraceObservationPoint.valueOf(point).getNumber();
            assertEquals(point, io.transitwatch.proto.flow.TraceObservationPoint.forNumber(number).name());
        }
        for (String kind : ConfigLoader.defaults().get(ConfigKeys.JOIN_PACKET_KINDS)) {
            assertEquals(kind, PacketKind.name(PacketKind.byName(kind)));
        }
    }

    @Test
    void shouldKeepDeclarationOrderForTheReference() {
        List<Declaration> declarations = ConfigKeys.declarations();

        assertEquals("hubble.mode", declarations.get(0).name());
        assertEquals("http.address", declarations.get(declarations.size() - 1).name());
        assertEquals(declarations.size(), ConfigKeys.keys().size() + ConfigKeys.passThroughs().size());
    }

    private static <T> void assertDefaultRoundTrips(Key<T> key) throws InvalidValue {
        if (key.defaultValue().isEmpty()) {
            return;
        }
        T value = key.defaultValue().get();
        assertEquals(value, key.type().parse(key.type().toPlain(value)), key.name());
    }
}
