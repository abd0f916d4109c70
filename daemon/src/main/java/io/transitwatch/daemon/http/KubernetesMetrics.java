package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.MetricBuilders.count;
import static io.transitwatch.daemon.http.MetricBuilders.counter;
import static io.transitwatch.daemon.http.MetricBuilders.gauge;
import static io.transitwatch.daemon.http.MetricBuilders.level;

import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.transitwatch.daemon.kubernetes.CalibrationCheck;
import io.transitwatch.daemon.kubernetes.DiscoveryStatus;
import io.transitwatch.daemon.kubernetes.ResourceWatch;
import java.util.Map;

/**
 * Thread-safe (stateless): runs on the scraping HTTP thread and reads one immutable
 * {@link DiscoveryStatus}. Nothing is exported while {@code kubernetes.enabled} is off.
 *
 * <p>How Kubernetes discovery stands: whether each resource is listed and watched (an outage or a
 * 403 shows as 0), the placements it provides, snapshots handed to the join and skipped objects.
 */
final class KubernetesMetrics {
    private KubernetesMetrics() {}

    static void collect(DiscoveryStatus status, Map<String, Map<String, Long>> egressPointsSeen,
            MetricSnapshots.Builder out) {
        if (!status.enabled()) {
            return;
        }
        out.metricSnapshot(gauge("transitwatch_calibration_disagreements",
                "Nodes whose Hubble stream shows egress points that disagree with their calibration from "
                + "Cilium's configuration (each is described in /api/status and by transitwatch doctor).")
                .dataPoint(level(CalibrationCheck.check(status.calibrations(), egressPointsSeen).size(),
                        Labels.EMPTY)).build());
        GaugeSnapshot.Builder watching = gauge("transitwatch_kubernetes_watching",
                "1 while the resource is listed and watched (or is optional and not served: no CRD); 0 during an "
                + "API-server outage, before the first list, or when RBAC forbids it (the last view is kept meanwhile).");
        GaugeSnapshot.Builder forbidden = gauge("transitwatch_kubernetes_forbidden",
                "1 when the API server answered 403 for the resource (see the log and /api/status for the Helm value).");
        for (ResourceWatch resource : status.resources()) {
            Labels labels = Labels.of("resource", resource.resource());
            watching.dataPoint(level(resource.healthy() ? 1 : 0, labels));
            forbidden.dataPoint(level(resource.forbidden() == null ? 0 : 1, labels));
        }
        GaugeSnapshot.Builder placements = gauge("transitwatch_kubernetes_placements",
                "Entries of the placement tables the last snapshot gave the join, by source.");
        placements.dataPoint(level(status.endpointIps(), Labels.of("source", "ciliumendpoint")));
        placements.dataPoint(level(status.ciliumNodeCidrs(), Labels.of("source", "ciliumnode")));
        placements.dataPoint(level(status.nodeCidrs(), Labels.of("source", "node")));
        out.metricSnapshot(watching.build());
        out.metricSnapshot(forbidden.build());
        out.metricSnapshot(placements.build());
        out.metricSnapshot(counter("transitwatch_kubernetes_snapshots",
                "Views of the cluster handed to the join.").dataPoint(count(status.snapshots(), Labels.EMPTY)).build());
        out.metricSnapshot(counter("transitwatch_kubernetes_malformed_objects",
                "API objects skipped because a field discovery needs could not be read.")
                .dataPoint(count(status.malformed(), Labels.EMPTY)).build());
        out.metricSnapshot(gauge("transitwatch_kubernetes_blind_nodes",
                "Nodes whose Cilium configuration makes detection impossible (bpf-events-trace-enabled=false).")
                .dataPoint(level(status.calibrations().values().stream()
                        .filter(node -> !node.blindSpots().isEmpty()).count(), Labels.EMPTY)).build());
    }
}
