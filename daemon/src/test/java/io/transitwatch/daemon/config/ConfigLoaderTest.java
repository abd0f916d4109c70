package io.transitwatch.daemon.config;

import static io.transitwatch.daemon.config.ConfigFixtures.errors;
import static io.transitwatch.daemon.config.ConfigFixtures.keysOf;
import static io.transitwatch.daemon.config.ConfigFixtures.load;
import static io.transitwatch.daemon.config.ConfigFixtures.yaml;
import static io.transitwatch.daemon.config.ConfigKeys.HUBBLE_MODE;
import static io.transitwatch.daemon.config.ConfigKeys.HUBBLE_RELAY_ADDRESS;
import static io.transitwatch.daemon.config.ConfigKeys.HUBBLE_TLS_SERVER_NAME;
import static io.transitwatch.daemon.config.ConfigKeys.JOIN_PACKET_KINDS;
import static io.transitwatch.daemon.config.ConfigKeys.JOIN_WINDOW;
import static io.transitwatch.daemon.config.ConfigKeys.KAFKA_PRODUCER;
import static io.transitwatch.daemon.config.ConfigKeys.SINKS;
import static io.transitwatch.daemon.config.ConfigKeys.SINKS_QUEUE_CAPACITY;
import static io.transitwatch.daemon.config.ConfigKeys.TOPOLOGY_POD_CIDRS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.topology.IpPrefix;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    @Test
    void shouldLoadEveryDefaultWithoutAnySource() {
        Settings settings = ConfigLoader.defaults();

        assertEquals(HubbleMode.RELAY, settings.get(HUBBLE_MODE));
        assertEquals(Duration.ofSeconds(5), settings.duration(JOIN_WINDOW));
        assertEquals(65536, settings.integer(ConfigKeys.HANDOFF_CAPACITY));
        assertEquals(List.of(SinkKind.STDOUT), settings.get(SINKS));
        assertEquals(Optional.empty(), settings.find(HUBBLE_TLS_SERVER_NAME));
        for (Key<?> key : ConfigKeys.keys()) {
            assertEquals(key.defaultValue(), settings.find(key), key.name());
        }
    }

    @Test
    void shouldReadNestedAndDottedYamlKeysAlike() {
        Settings nested = load(yaml(dir, "join:", "  window: 7s", "sinks:", "  queue-capacity: 20"));
        Settings dotted = load(yaml(dir, "join.window: 7s", "sinks.queue-capacity: 20"));
        Settings mixed = load(yaml(dir, "join: {window: 7s}", "sinks.queue-capacity: 20"));

        assertEquals(Duration.ofSeconds(7), nested.duration(JOIN_WINDOW));
        assertEquals(20, nested.integer(SINKS_QUEUE_CAPACITY));
        assertEquals(nested, dotted);
        assertEquals(nested, mixed);
    }

    @Test
    void shouldKeepNodeNamesWithDotsWhole() {
        Settings settings = load(yaml(dir,
                "topology:",
                "  pod-cidrs:",
                "    ip-10-0-0-1.ec2.internal: [10.101.224.0/24, \"fd00:101:224:1::/64\"]"));

        assertEquals(Map.of("ip-10-0-0-1.ec2.internal",
                        List.of(IpPrefix.parse("10.101.224.0/24"), IpPrefix.parse("fd00:101:224:1::/64"))),
                settings.get(TOPOLOGY_POD_CIDRS));
    }

    @Test
    void shouldLetEnvironmentOverrideFileAndFlagsOverrideEnvironment() {
        Path file = yaml(dir, "join.window: 7s", "hubble.mode: direct", "sinks.queue-capacity: 20");
        Map<String, String> environment = Map.of("TRANSITWATCH_JOIN_WINDOW", "8s", "TRANSITWATCH_HUBBLE_MODE", "relay");

        Settings settings = ConfigLoader.load(file, environment, List.of("join.window=9s", "join.window=10s"));

        assertEquals(Duration.ofSeconds(10), settings.duration(JOIN_WINDOW), "the last flag wins over everything");
        assertEquals(HubbleMode.RELAY, settings.get(HUBBLE_MODE), "the environment wins over the file");
        assertEquals(20, settings.integer(SINKS_QUEUE_CAPACITY), "the file wins over the default");
    }

    @Test
    void shouldWriteListsAndMapsAsTextInVariablesAndFlags() {
        Map<String, String> environment = Map.of(
                "TRANSITWATCH_JOIN_PACKET_KINDS", "syn, syn_ack, fin",
                "TRANSITWATCH_TOPOLOGY_POD_CIDRS", "solwk01=10.101.224.0/24,fd00:101:224:1::/64;solwk02=10.101.225.0/24");

        Settings settings = ConfigLoader.load(null, environment, List.of("sinks=stdout,kafka",
                "kafka.bootstrap-servers=kafka-0:9092"));

        assertEquals(List.of("SYN", "SYN-ACK", "FIN"), settings.get(JOIN_PACKET_KINDS));
        assertEquals(List.of(SinkKind.STDOUT, SinkKind.KAFKA), settings.get(SINKS));
        assertEquals(List.of("solwk01", "solwk02"), List.copyOf(settings.get(TOPOLOGY_POD_CIDRS).keySet()));
    }

    @Test
    void shouldReportEveryMistakeOfAFileNamingEachKey() {
        Path file = yaml(dir,
                "join:",
                "  window: 5x",
                "  packet-kinds: [SYN, SYN-ACK]",
                "handoff:",
                "  capacity: 1000",
                "hubble.mode: relai");

        List<ConfigError> errors = errors(file);

        assertEquals(List.of("hubble.mode", "handoff.capacity", "join.window"), keysOf(errors));
        assertEquals("join.window: \"5x\" is not a duration; write it like 5s, 250ms or 2m", errors.get(2).toString());
        assertEquals("handoff.capacity: 1000 must be a power of two; try 1024", errors.get(1).toString());
        assertEquals("hubble.mode: \"relai\" is not one of relay, direct; did you mean relay?",
                errors.get(0).toString());
    }

    @Test
    void shouldSuggestTheClosestKeyForAnUnknownOne() {
        List<ConfigError> errors = errors(yaml(dir, "join.windw: 5s", "hubble:", "  tls:", "    enable: true",
                "kafka.producr.acks: all", "frobnicate: 1"));

        assertEquals(List.of(
                "join.windw: unknown key; did you mean join.window?",
                "hubble.tls.enable: unknown key; did you mean hubble.tls.enabled?",
                "kafka.producr.acks: unknown key; did you mean kafka.producer.acks?",
                "frobnicate: unknown key; `transitwatch config defaults` lists every key"),
                errors.stream().map(ConfigError::toString).toList());
    }

    @Test
    void shouldSuggestForUnknownFlagsAndNameWhereTheValueCameFrom() {
        List<ConfigError> errors = errors(null, Map.of("TRANSITWATCH_JOIN_WINDOW", "5"), "join.windo=5s", "x");

        assertEquals(List.of(
                "join.windo: unknown key; did you mean join.window? (from --set)",
                "--set: \"x\" is not key=value; write it like --set join.window=10s",
                "join.window: \"5\" has no unit; write it like 5s or 5ms (from TRANSITWATCH_JOIN_WINDOW)"),
                errors.stream().map(ConfigError::toString).toList());
    }

    @Test
    void shouldExplainASectionWrittenAsAValue() {
        List<ConfigError> errors = errors(yaml(dir, "join: 5s"));

        assertEquals("join: is a section, not a key; write the keys under it, like join.window",
                errors.get(0).toString());
    }

    @Test
    void shouldReportWrongShapesAsErrorsNotExceptions() {
        List<ConfigError> errors = errors(yaml(dir,
                "hubble.relay.address: [a:80, b:80]",
                "join.window: {seconds: 5}",
                "sinks: {stdout: true}"));

        assertEquals(List.of(
                "sinks.stdout: unknown key; `transitwatch config defaults` lists every key",
                "hubble.relay.address: [\"a:80\", \"b:80\"] is a list, not a host:port; write a single host:port",
                "join.window: {seconds: 5} is a map, not a duration; write it like 5s, 250ms or 2m"),
                errors.stream().map(ConfigError::toString).toList());
    }

    @Test
    void shouldRejectAKeyGivenTwice() {
        List<ConfigError> errors = errors(yaml(dir, "join.window: 5s", "join:", "  window: 6s"));

        assertEquals(List.of("join.window"), keysOf(errors));
        assertTrue(errors.get(0).message().startsWith("is given twice"), errors.get(0).message());
    }

    @Test
    void shouldRejectAKeyWrittenTwiceInOneMap() {
        Path file = yaml(dir, "join:", "  window: 5s", "  window: 6s");

        assertEquals(List.of(new ConfigError(file.toString(), "line 3, column 9: 'window' is given twice; keep one")),
                errors(file));
    }

    @Test
    void shouldReportBrokenYamlWithItsLine() {
        Path file = yaml(dir, "join:", "  window: 5s", " sinks: [stdout");

        List<ConfigError> errors = errors(file);

        assertEquals(List.of(file.toString()), keysOf(errors));
        assertTrue(errors.get(0).message().startsWith("line 3,"), errors.get(0).message());
    }

    @Test
    void shouldReportAMissingFileAndATopLevelThatIsNotAMap() {
        Path missing = dir.resolve("missing.yaml");

        assertEquals("cannot be read: no such file, or not readable", errors(missing).get(0).message());
        assertEquals("must be a map of keys to values, like `join.window: 5s`; found a list",
                errors(yaml(dir, "- join.window: 5s")).get(0).message());
    }

    @Test
    void shouldTreatAnEmptyFileAndEmptyKeysAsDefaults() {
        assertEquals(ConfigLoader.defaults(), load(yaml(dir, "")));
        assertEquals(ConfigLoader.defaults(), load(yaml(dir, "join.window:", "hubble.tls.server-name:")));
    }

    @Test
    void shouldClearAnOptionalKeyWithAnEmptyValue() {
        Settings settings = ConfigLoader.load(yaml(dir, "hubble.tls.server-name: relay.example"),
                Map.of("TRANSITWATCH_HUBBLE_TLS_SERVER_NAME", ""), List.of());

        assertEquals(Optional.empty(), settings.find(HUBBLE_TLS_SERVER_NAME));
    }

    @Test
    void shouldPassKafkaProducerPropertiesThroughFromEveryLayer() {
        Path file = yaml(dir,
                "kafka:",
                "  producer:",
                "    linger.ms: 5",
                "    sasl:",
                "      mechanism: PLAIN",
                "    ssl.endpoint.identification.algorithm: \"\"");
        Map<String, String> environment = Map.of("TRANSITWATCH_KAFKA_PRODUCER_SASL_JAAS_CONFIG", "secret");

        Settings settings = ConfigLoader.load(file, environment, List.of("kafka.producer.compression.type=zstd"));

        assertEquals(Map.of("linger.ms", "5", "sasl.mechanism", "PLAIN", "ssl.endpoint.identification.algorithm", "",
                "sasl.jaas.config", "secret", "compression.type", "zstd"), settings.passThrough(KAFKA_PRODUCER));
        assertFalse(settings.toString().contains("secret"), "pass-through values may be credentials");
    }

    @Test
    void shouldRejectAListUnderThePassThroughPrefix() {
        List<ConfigError> errors = errors(yaml(dir, "kafka.producer.acks: [all]"));

        assertEquals(List.of("kafka.producer.acks"), keysOf(errors));
    }

    @Test
    void shouldIgnoreOtherTransitwatchVariablesSuchAsServiceLinks() {
        Map<String, String> environment = Map.of(
                "TRANSITWATCH_PORT", "tcp://10.96.0.12:8080",
                "TRANSITWATCH_SERVICE_HOST", "10.96.0.12",
                "TRANSITWATCH_JAVA_OPTS", "-Xmx1g",
                "HOME", "/root");

        assertEquals(ConfigLoader.defaults(), ConfigLoader.load(null, environment, List.of()));
    }

    @Test
    void shouldAcceptHostPortForms() {
        Settings settings = load(null, "hubble.relay.address=[fd00::1]:4245");
        assertEquals("[fd00::1]:4245", settings.string(HUBBLE_RELAY_ADDRESS));

        assertEquals(List.of(
                "hubble.relay.address: \"fd00::1:4245\" has an IPv6 address without brackets; write it like "
                        + "[fd00::1]:4244 (from --set)",
                "hubble.peer.address: \"hubble-peer\" is not host:port; write it like "
                        + "hubble-relay.kube-system.svc.cluster.local:80 (from --set)",
                "kafka.bootstrap-servers: \"kafka:99999\" needs a port between 1 and 65535 after the last colon "
                        + "(from --set)"),
                errors(null, "hubble.relay.address=fd00::1:4245", "hubble.peer.address=hubble-peer",
                        "kafka.bootstrap-servers=kafka:99999").stream().map(ConfigError::toString).toList());
    }
}
