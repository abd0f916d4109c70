package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.ingest.IngestConfig;
import java.util.List;

/** Stateless: the {@code hubble.*} and {@code handoff.*} settings as an {@link IngestConfig}. */
final class IngestSettings {
    private IngestSettings() {}

    static IngestConfig from(Settings settings) {
        IngestConfig config = switch (settings.get(ConfigKeys.HUBBLE_MODE)) {
            case RELAY -> IngestConfig.relay(settings.string(ConfigKeys.HUBBLE_RELAY_ADDRESS));
            case DIRECT -> {
                List<String> nodes = settings.get(ConfigKeys.HUBBLE_NODES);
                yield nodes.isEmpty()
                        ? IngestConfig.peer(settings.string(ConfigKeys.HUBBLE_PEER_ADDRESS))
                        : IngestConfig.staticNodes(nodes.stream().map(IngestConfig.StaticNode::parse).toList());
            }
        };
        if (settings.bool(ConfigKeys.HUBBLE_TLS_ENABLED)) {
            config = config.withTls(new IngestConfig.TlsFiles(settings.get(ConfigKeys.HUBBLE_TLS_CA_FILE),
                    settings.get(ConfigKeys.HUBBLE_TLS_CERT_FILE), settings.get(ConfigKeys.HUBBLE_TLS_KEY_FILE)),
                    settings.find(ConfigKeys.HUBBLE_TLS_SERVER_NAME).orElse(null))
                    .withTlsReloadInterval(settings.duration(ConfigKeys.HUBBLE_TLS_RELOAD_INTERVAL));
        }
        return config
                .withBackoff(settings.duration(ConfigKeys.HUBBLE_BACKOFF_INITIAL),
                        settings.duration(ConfigKeys.HUBBLE_BACKOFF_MAX))
                .withOverlap(settings.duration(ConfigKeys.HUBBLE_BACKFILL_OVERLAP))
                .withNodePollInterval(nodePollInterval(settings))
                .withRelayStragglerWindow(settings.duration(ConfigKeys.HUBBLE_RELAY_STRAGGLER_WINDOW))
                .withRing(settings.integer(ConfigKeys.HANDOFF_CAPACITY), config.requestWindow())
                .withRequest(settings.bool(ConfigKeys.HUBBLE_SERVER_FILTERS), settings.bool(ConfigKeys.HUBBLE_FIELD_MASK));
    }

    /**
     * {@code hubble.get-nodes-interval}, at most half of {@code join.window}: Relay reports a failed node's
     * stream up to 10 s late (its error aggregation window), so it is this poll that puts the node down
     * before departures to it are judged on its idle watermark.
     */
    static java.time.Duration nodePollInterval(Settings settings) {
        java.time.Duration configured = settings.duration(ConfigKeys.HUBBLE_GET_NODES_INTERVAL);
        java.time.Duration halfWindow = settings.duration(ConfigKeys.JOIN_WINDOW).dividedBy(2);
        return configured.compareTo(halfWindow) <= 0 ? configured : halfWindow;
    }
}
