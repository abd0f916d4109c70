package io.transitwatch.daemon.config;

import static io.transitwatch.daemon.config.ConfigFixtures.errors;
import static io.transitwatch.daemon.config.ConfigFixtures.keysOf;
import static io.transitwatch.daemon.config.ConfigFixtures.load;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigRulesTest {
    @TempDir
    Path dir;

    @Test
    void shouldRequireBootstrapServersForTheKafkaSink() {
        assertEquals(List.of("kafka.bootstrap-servers: is not set, but sinks includes kafka; set it like "
                + "kafka.bootstrap-servers: [kafka-0.kafka.svc:9092]"),
                errors(null, "sinks=kafka").stream().map(ConfigError::toString).toList());
        load(null, "sinks=kafka", "kafka.bootstrap-servers=kafka-0:9092,kafka-1:9092");
    }

    @Test
    void shouldNotRepeatAnErrorThatParsingAlreadyReported() {
        assertEquals(List.of("kafka.bootstrap-servers"), keysOf(errors(null, "sinks=kafka", "kafka.bootstrap-servers=kafka")));
    }

    @Test
    void shouldRequireExactlyOneSlackWebhookSource() throws IOException {
        Path url = Files.writeString(dir.resolve("url"), "https://hooks.slack.com/services/T/B/X");

        assertEquals(List.of("slack.webhook-url-file"), keysOf(errors(null, "sinks=slack")));
        assertEquals(List.of("slack.webhook-url-env"), keysOf(errors(null, Map.of("URL", "https://x"),
                "sinks=slack", "slack.webhook-url-env=URL", "slack.webhook-url-file=" + url)));
        load(null, "sinks=slack", "slack.webhook-url-file=" + url);
    }

    @Test
    void shouldRequireTheSlackFileOrVariableToExist() {
        assertEquals(List.of("slack.webhook-url-file"),
                keysOf(errors(null, "sinks=slack", "slack.webhook-url-file=" + dir.resolve("missing"))));
        assertEquals(List.of("slack.webhook-url-env: \"SLACK_URL\" names an environment variable that is not set or "
                + "empty; set it (e.g. from the Secret) or use slack.webhook-url-file"),
                errors(null, "sinks=slack", "slack.webhook-url-env=SLACK_URL").stream().map(ConfigError::toString).toList());
    }

    @Test
    void shouldHandTheNamedVariableToTheSlackSink() {
        Settings settings = ConfigLoader.load(null, Map.of("SLACK_URL", "https://hooks.slack.com/x", "OTHER", "y"),
                List.of("sinks=slack", "slack.webhook-url-env=SLACK_URL"));

        assertEquals(Optional.of("https://hooks.slack.com/x"),
                settings.environmentVariableNamedBy(ConfigKeys.SLACK_WEBHOOK_URL_ENV));
        assertFalse(settings.toString().contains("hooks.slack.com"), "the webhook URL is a secret");
    }

    @Test
    void shouldRequireEveryTlsFileToBeSetAndToExist() throws IOException {
        Path ca = Files.writeString(dir.resolve("ca.crt"), "pem");
        Path missing = dir.resolve("tls.crt");

        List<ConfigError> errors = errors(null, "hubble.tls.enabled=true", "hubble.tls.ca-file=" + ca,
                "hubble.tls.cert-file=" + missing);

        assertEquals(List.of(
                "hubble.tls.cert-file: \"" + missing + "\" does not exist or cannot be read; mount the file there or "
                        + "correct the path",
                "hubble.tls.key-file: is not set, but hubble.tls.enabled is true; set it like "
                        + "hubble.tls.key-file: /var/lib/transitwatch/tls/tls.key"),
                errors.stream().map(ConfigError::toString).toList());
    }

    @Test
    void shouldNotCheckTlsFilesWhileTlsIsOff() {
        load(null, "hubble.tls.ca-file=" + dir.resolve("not-mounted-yet.crt"));
    }

    @Test
    void shouldRejectANodeListThatRelayModeWouldIgnore() {
        assertEquals(List.of("hubble.nodes"), keysOf(errors(null, "hubble.nodes=solwk01=10.0.0.21:4244")));
        load(null, "hubble.mode=direct", "hubble.nodes=solwk01=10.0.0.21:4244,solwk02=10.0.0.22:4244");
        load(null, "hubble.mode=direct"); // nodes come from the Peer service at hubble.peer.address
    }

    @Test
    void shouldKeepDurationsThatBoundEachOtherInOrder() {
        assertEquals(List.of(
                "hubble.backoff.max: 500ms is shorter than hubble.backoff.initial (1s); make it at least 1s",
                "join.late-horizon: 2s is shorter than join.window (5s); make it at least 5s"),
                errors(null, "hubble.backoff.max=500ms", "join.late-horizon=2s").stream()
                        .map(ConfigError::toString).toList());
    }

    @Test
    void shouldRejectACollectorTimeoutTooShortForABrokerOutageOrTheHeartbeats() {
        assertEquals(List.of("scale.collector-timeout: 1500ms is too short: a collector's heartbeats say that the "
                + "broker holds its records only after 1s without acknowledgement, so every broker outage would count "
                + "collectors gone; make it at least 2s (the default is 5s)"),
                errors(null, "scale.collector-timeout=1500ms").stream().map(ConfigError::toString).toList());
        assertEquals(List.of("scale.collector-timeout: 3s is shorter than 4 scale.heartbeat-interval (1s), so a "
                + "collector that misses a few heartbeats would count as gone; make it at least 4s or the interval "
                + "shorter"),
                errors(null, "scale.collector-timeout=3s", "scale.heartbeat-interval=1s").stream()
                        .map(ConfigError::toString).toList());
        load(null, "scale.collector-timeout=2s", "scale.heartbeat-interval=500ms");
        load(null, "scale.collector-timeout=2s", "scale.heartbeat-interval=100ms");
    }
}
