package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.ingest.HubbleIngest;
import io.transitwatch.daemon.kubernetes.KubernetesDiscovery;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.daemon.topology.DiscoverySnapshot;
import java.time.Duration;
import java.util.Objects;

/**
 * Stateless: builds Kubernetes discovery from the settings, or nothing when {@code kubernetes.enabled}
 * is off. Snapshots go into the hand-off ring's control headroom as DISCOVERY events, so the join
 * thread takes them between flows, in order, without a lock.
 */
final class DiscoveryAssembly {
    /** Changes within this time make one snapshot (a rolling node update touches many objects). */
    private static final Duration COALESCE = Duration.ofMillis(200);

    private DiscoveryAssembly() {}

    static KubernetesDiscovery build(Settings settings, StringDictionary dictionary, HubbleIngest ingest, Clock clock) {
        if (!settings.bool(ConfigKeys.KUBERNETES_ENABLED)) {
            return null;
        }
        boolean departuresExplicit = !Objects.equals(settings.get(ConfigKeys.JOIN_DEPARTURE_POINTS),
                ConfigKeys.JOIN_DEPARTURE_POINTS.defaultValue().orElse(null));
        boolean flagsExplicit = !Objects.equals(settings.get(ConfigKeys.JOIN_MONITOR_AGGREGATION_FLAGS),
                ConfigKeys.JOIN_MONITOR_AGGREGATION_FLAGS.defaultValue().orElse(null));
        KubernetesDiscovery.Options options = new KubernetesDiscovery.Options(
                settings.string(ConfigKeys.KUBERNETES_CILIUM_NAMESPACE),
                settings.string(ConfigKeys.KUBERNETES_CILIUM_CONFIG_MAP),
                settings.duration(ConfigKeys.KUBERNETES_RESYNC),
                settings.duration(ConfigKeys.KUBERNETES_SYNC_TIMEOUT),
                COALESCE, !departuresExplicit, !flagsExplicit);
        return new KubernetesDiscovery(KubernetesDiscovery.clientConfig(settings.find(ConfigKeys.KUBERNETES_KUBECONFIG)),
                options, dictionary::pin, snapshot -> {
                    // the ingest first: its lost-events reports for the nodes it now watches follow this snapshot
                    ingest.eventsRateLimits(snapshot.eventsPerSecondLimits());
                    ingest.ring().publishControl(DiscoveryAssembly::write, snapshot);
                },
                NamedThreadFactory::daemon, clock);
    }

    private static void write(NodeEvent slot, DiscoverySnapshot snapshot) {
        slot.kind = NodeEvent.DISCOVERY;
        slot.discovery = snapshot;
    }
}
