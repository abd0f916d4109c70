package io.transitwatch.daemon.kubernetes;

import java.util.List;
import java.util.Map;

/**
 * Immutable. What Kubernetes discovery knows and how well, at one moment: for {@code /api/status},
 * metrics and {@code transitwatch doctor}.
 *
 * @param enabled false when {@code kubernetes.enabled} is off (every other field is empty)
 * @param resources each watched resource
 * @param snapshots snapshots handed to the join so far
 * @param lastSnapshotEpochNanos when the last one was built (daemon clock), 0 before the first
 * @param endpointIps pod IPs placed exactly (CiliumEndpoint)
 * @param endpointsWithoutNode endpoints whose node IP matches no known node (not placed)
 * @param ciliumNodeCidrs CiliumNode pod and pool CIDRs
 * @param nodeCidrs Node pod CIDRs
 * @param conflicts prefixes claimed by two nodes (first by name kept)
 * @param malformed objects skipped because a field could not be read, since start
 * @param lastMalformed the last such object and why, else null
 * @param calibrations node → calibration (empty while cilium-config is unknown)
 * @param explicitDepartures the configuration names the departure points (calibration does not change them)
 * @param explicitFirstData the configuration names the aggregation flags
 * @param apiServerAddresses where the API server answers (the {@code default/kubernetes} EndpointSlices)
 */
public record DiscoveryStatus(boolean enabled, List<ResourceWatch> resources, long snapshots,
        long lastSnapshotEpochNanos, int endpointIps, int endpointsWithoutNode, int ciliumNodeCidrs, int nodeCidrs,
        int conflicts, long malformed, String lastMalformed, Map<String, NodeCalibration> calibrations,
        boolean explicitDepartures, boolean explicitFirstData, List<String> apiServerAddresses) {

    public DiscoveryStatus {
        resources = List.copyOf(resources);
        calibrations = Map.copyOf(calibrations);
        apiServerAddresses = List.copyOf(apiServerAddresses);
    }

    public static DiscoveryStatus disabled() {
        return new DiscoveryStatus(false, List.of(), 0, 0, 0, 0, 0, 0, 0, 0, null, Map.of(), false, false, List.of());
    }

    /** Whether the API server is reachable and every essential resource is listed and watched. */
    public boolean connected() {
        return enabled && resources.stream().filter(ResourceWatch::essential).allMatch(ResourceWatch::healthy);
    }

    /**
     * Immutable. One node's calibration in plain values (proto names of observation points).
     *
     * @param sources value → where it came from (cilium-config key, CiliumNodeConfig, agent default)
     * @param blindSpots non-empty: detection is impossible on this node
     */
    public record NodeCalibration(List<String> departurePoints, List<String> arrivalExtras, boolean firstData,
            boolean ipv4, boolean ipv6, List<String> blindSpots, List<String> warnings, Map<String, String> sources) {
        public NodeCalibration {
            departurePoints = List.copyOf(departurePoints);
            arrivalExtras = List.copyOf(arrivalExtras);
            blindSpots = List.copyOf(blindSpots);
            warnings = List.copyOf(warnings);
            sources = Map.copyOf(sources);
        }
    }
}
