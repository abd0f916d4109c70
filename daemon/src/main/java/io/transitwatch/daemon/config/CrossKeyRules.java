package io.transitwatch.daemon.config;

import static io.transitwatch.daemon.config.ConfigKeys.HUBBLE_BACKOFF_INITIAL;
import static io.transitwatch.daemon.config.ConfigKeys.HUBBLE_BACKOFF_MAX;
import static io.transitwatch.daemon.config.ConfigKeys.HUBBLE_MODE;
import static io.transitwatch.daemon.config.ConfigKeys.HUBBLE_NODES;
import static io.transitwatch.daemon.config.ConfigKeys.HUBBLE_TLS_CA_FILE;
import static io.transitwatch.daemon.config.ConfigKeys.HUBBLE_TLS_CERT_FILE;
import static io.transitwatch.daemon.config.ConfigKeys.HUBBLE_TLS_ENABLED;
import static io.transitwatch.daemon.config.ConfigKeys.HUBBLE_TLS_KEY_FILE;
import static io.transitwatch.daemon.config.ConfigKeys.JOIN_LATE_HORIZON;
import static io.transitwatch.daemon.config.ConfigKeys.JOIN_WINDOW;
import static io.transitwatch.daemon.config.ConfigKeys.KAFKA_BOOTSTRAP_SERVERS;
import static io.transitwatch.daemon.config.ConfigKeys.SCALE_COLLECTOR_TIMEOUT;
import static io.transitwatch.daemon.config.ConfigKeys.SCALE_HEARTBEAT_INTERVAL;
import static io.transitwatch.daemon.config.ConfigKeys.SINKS;
import static io.transitwatch.daemon.config.ConfigKeys.SLACK_WEBHOOK_URL_ENV;
import static io.transitwatch.daemon.config.ConfigKeys.SLACK_WEBHOOK_URL_FILE;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Rules that span keys. A rule whose keys did not parse is skipped: the parse error already names
 * them, and a second message about the same mistake would only confuse.
 *
 * <p>Files the daemon will read are checked here, at validate time, so that a missing Secret mount
 * fails the start with its key named instead of failing a connection minutes later.
 */
final class CrossKeyRules {
    /**
     * The shortest {@code scale.collector-timeout}: twice the second after which a collector's heartbeats say
     * the broker holds its records ({@code EventPublisher.UNDELIVERED_AFTER_NANOS}). Shorter, and the
     * correlators would count collectors gone after every broker outage before any heartbeat could say so.
     */
    static final Duration MIN_COLLECTOR_TIMEOUT = Duration.ofSeconds(2);
    /** Heartbeats a collector may miss in a row, at {@code scale.heartbeat-interval}, before it may count as gone. */
    static final int HEARTBEATS_PER_COLLECTOR_TIMEOUT = 4;

    private final Settings settings;
    private final Set<Key<?>> invalid;
    private final List<ConfigError> errors = new ArrayList<>();

    private CrossKeyRules(Settings settings, Set<Key<?>> invalid) {
        this.settings = settings;
        this.invalid = invalid;
    }

    static List<ConfigError> check(Settings settings, Set<Key<?>> invalid) {
        CrossKeyRules rules = new CrossKeyRules(settings, invalid);
        rules.checkHubble();
        rules.checkJoin();
        rules.checkSinks();
        rules.checkScale();
        return rules.errors;
    }

    private void checkHubble() {
        if (valid(HUBBLE_MODE, HUBBLE_NODES) && settings.get(HUBBLE_MODE) == HubbleMode.RELAY
                && !settings.get(HUBBLE_NODES).isEmpty()) {
            error(HUBBLE_NODES, "is set, but hubble.mode is relay, which ignores it; set hubble.mode: direct "
                    + "or remove hubble.nodes");
        }
        if (valid(HUBBLE_TLS_ENABLED) && settings.bool(HUBBLE_TLS_ENABLED)) {
            // The examples name the files of Cilium's hubble-relay-client-certs Secret, mounted as the docs show.
            String because = "hubble.tls.enabled is true";
            requireReadableFile(HUBBLE_TLS_CA_FILE, because, "/var/lib/transitwatch/tls/ca.crt");
            requireReadableFile(HUBBLE_TLS_CERT_FILE, because, "/var/lib/transitwatch/tls/tls.crt");
            requireReadableFile(HUBBLE_TLS_KEY_FILE, because, "/var/lib/transitwatch/tls/tls.key");
        }
        atLeast(HUBBLE_BACKOFF_MAX, HUBBLE_BACKOFF_INITIAL);
    }

    private void checkJoin() {
        atLeast(JOIN_LATE_HORIZON, JOIN_WINDOW);
    }

    private void checkScale() {
        if (!valid(SCALE_COLLECTOR_TIMEOUT)) {
            return;
        }
        Duration timeout = settings.duration(SCALE_COLLECTOR_TIMEOUT);
        if (timeout.compareTo(MIN_COLLECTOR_TIMEOUT) < 0) {
            error(SCALE_COLLECTOR_TIMEOUT, DurationType.format(timeout) + " is too short: a collector's heartbeats say "
                    + "that the broker holds its records only after 1s without acknowledgement, so every broker outage "
                    + "would count collectors gone; make it at least " + DurationType.format(MIN_COLLECTOR_TIMEOUT)
                    + " (the default is 5s)");
        } else if (valid(SCALE_HEARTBEAT_INTERVAL)) {
            Duration least = settings.duration(SCALE_HEARTBEAT_INTERVAL).multipliedBy(HEARTBEATS_PER_COLLECTOR_TIMEOUT);
            if (timeout.compareTo(least) < 0) {
                error(SCALE_COLLECTOR_TIMEOUT, DurationType.format(timeout) + " is shorter than "
                        + HEARTBEATS_PER_COLLECTOR_TIMEOUT + " scale.heartbeat-interval ("
                        + DurationType.format(settings.duration(SCALE_HEARTBEAT_INTERVAL)) + "), so a collector that "
                        + "misses a few heartbeats would count as gone; make it at least " + DurationType.format(least)
                        + " or the interval shorter");
            }
        }
    }

    private void checkSinks() {
        if (!valid(SINKS)) {
            return;
        }
        if (settings.get(SINKS).contains(SinkKind.KAFKA) && valid(KAFKA_BOOTSTRAP_SERVERS)
                && settings.get(KAFKA_BOOTSTRAP_SERVERS).isEmpty()) {
            error(KAFKA_BOOTSTRAP_SERVERS, "is not set, but sinks includes kafka; set it like "
                    + "kafka.bootstrap-servers: [kafka-0.kafka.svc:9092]");
        }
        if (settings.get(SINKS).contains(SinkKind.SLACK) && valid(SLACK_WEBHOOK_URL_FILE, SLACK_WEBHOOK_URL_ENV)) {
            checkSlackWebhook();
        }
    }

    /** Exactly one source for the webhook URL, and that source must hold something. */
    private void checkSlackWebhook() {
        boolean fromFile = settings.find(SLACK_WEBHOOK_URL_FILE).isPresent();
        Optional<String> variable = settings.find(SLACK_WEBHOOK_URL_ENV);
        if (fromFile && variable.isPresent()) {
            error(SLACK_WEBHOOK_URL_ENV, "and slack.webhook-url-file are both set; keep one");
        } else if (fromFile) {
            requireReadableFile(SLACK_WEBHOOK_URL_FILE, "sinks includes slack", "/var/run/secrets/slack/url");
        } else if (variable.isPresent()) {
            if (settings.environmentVariableNamedBy(SLACK_WEBHOOK_URL_ENV).filter(url -> !url.isBlank()).isEmpty()) {
                error(SLACK_WEBHOOK_URL_ENV, InvalidValue.quote(variable.get()) + " names an environment variable "
                        + "that is not set or empty; set it (e.g. from the Secret) or use slack.webhook-url-file");
            }
        } else {
            error(SLACK_WEBHOOK_URL_FILE, "is not set, and neither is slack.webhook-url-env, but sinks includes "
                    + "slack; set one of them to where the webhook URL is");
        }
    }

    private void requireReadableFile(Key<Path> key, String because, String example) {
        if (!valid(key)) {
            return;
        }
        Optional<Path> file = settings.find(key);
        if (file.isEmpty()) {
            error(key, "is not set, but " + because + "; set it like " + key.name() + ": " + example);
        } else if (!Files.isRegularFile(file.get()) || !Files.isReadable(file.get())) {
            error(key, InvalidValue.quote(file.get().toString()) + " does not exist or cannot be read; mount the "
                    + "file there or correct the path");
        }
    }

    /** {@code longer} must be at least {@code shorter}, e.g. the backoff cap at least its first step. */
    private void atLeast(Key<Duration> longer, Key<Duration> shorter) {
        if (valid(longer, shorter) && settings.duration(longer).compareTo(settings.duration(shorter)) < 0) {
            String least = DurationType.format(settings.duration(shorter));
            error(longer, DurationType.format(settings.duration(longer)) + " is shorter than " + shorter.name()
                    + " (" + least + "); make it at least " + least);
        }
    }

    private boolean valid(Key<?>... keys) {
        for (Key<?> key : keys) {
            if (invalid.contains(key)) {
                return false;
            }
        }
        return true;
    }

    private void error(Key<?> key, String message) {
        errors.add(new ConfigError(key.name(), message));
    }
}
