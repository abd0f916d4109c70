package io.transitwatch.daemon.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.transitwatch.daemon.ingest.NodeIngestState;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.kubernetes.CalibrationCheck;
import io.transitwatch.daemon.kubernetes.DiscoveryStatus;
import io.transitwatch.daemon.kubernetes.ResourceWatch;
import io.transitwatch.daemon.lifecycle.Daemon;
import io.transitwatch.daemon.topology.Topology.PlacementSource;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Immutable once built. What {@code transitwatch doctor} found after watching a cluster for a while,
 * as the JSON of {@code docs/schemas/transitwatch.doctor.v1.schema.json} and as text. {@code problems}
 * are what blocks detection (exit 1); {@code warnings} make some verdicts doubtful.
 */
final class DoctorReport {
    static final String SCHEMA = "transitwatch.doctor/v1";
    /** {@code hubble_version} of a source whose server has not said (yet). */
    static final String UNKNOWN_VERSION = "unknown";
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ObjectNode root;
    private final List<String> problems;
    private final List<String> warnings;

    private DoctorReport(ObjectNode root, List<String> problems, List<String> warnings) {
        this.root = root;
        this.problems = problems;
        this.warnings = warnings;
    }

    boolean ok() {
        return problems.isEmpty();
    }

    static DoctorReport of(Daemon daemon, double watchedSeconds) {
        List<String> problems = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        ObjectNode root = JSON.createObjectNode();
        root.put("schema", SCHEMA);
        root.put("watched_seconds", watchedSeconds);

        ObjectNode hubble = root.putObject("hubble");
        hubble.put("mode", daemon.settings().get(io.transitwatch.daemon.config.ConfigKeys.HUBBLE_MODE).name()
                .toLowerCase(Locale.ROOT));
        ArrayNode streams = hubble.putArray("streams");
        int connected = 0;
        for (NodeIngestState stream : daemon.ingest().state().nodes()) {
            ObjectNode entry = streams.addObject();
            entry.put("node", stream.name());
            entry.put("connected", stream.connected());
            String version = daemon.ingest().state().hubbleVersion(stream.name());
            entry.put("hubble_version", version == null ? UNKNOWN_VERSION : version);
            entry.put("flows", stream.flows());
            entry.put("flows_per_second", watchedSeconds > 0 ? stream.flows() / watchedSeconds : 0);
            entry.put("last_error", stream.lastError().isEmpty() ? null : stream.lastError());
            connected += stream.connected() ? 1 : 0;
        }
        if (connected == 0) {
            problems.add("no Hubble stream is up (" + hubble.get("mode").asText() + "): check hubble.* settings, "
                    + "that Hubble and Relay are enabled, and the TLS files");
        }

        DiscoveryStatus discovery = daemon.discovery() == null ? DiscoveryStatus.disabled()
                : daemon.discovery().status();
        ObjectNode kubernetes = root.putObject("kubernetes");
        kubernetes.put("enabled", discovery.enabled());
        kubernetes.put("connected", discovery.connected());
        ArrayNode resources = kubernetes.putArray("resources");
        for (ResourceWatch resource : discovery.resources()) {
            ObjectNode entry = resources.addObject();
            entry.put("resource", resource.resource());
            entry.put("healthy", resource.healthy());
            entry.put("served", resource.served());
            entry.put("forbidden", resource.forbidden());
            entry.put("error", resource.lastError());
            // A resource that only names things (the API server's EndpointSlice) is missed, not needed.
            List<String> findings = resource.essential() ? problems : warnings;
            if (resource.forbidden() != null) {
                findings.add("RBAC: " + resource.forbidden());
            } else if (!resource.healthy()) {
                findings.add("kubernetes: " + resource.resource() + " is not listed and watched"
                        + (resource.lastError() == null ? "" : ": " + resource.lastError()));
            }
        }
        kubernetes.put("endpoint_ips", discovery.endpointIps());
        kubernetes.put("ciliumnode_cidrs", discovery.ciliumNodeCidrs());
        kubernetes.put("node_cidrs", discovery.nodeCidrs());
        kubernetes.put("malformed", discovery.malformed());
        ArrayNode apiServers = kubernetes.putArray("api_server_addresses");
        discovery.apiServerAddresses().forEach(apiServers::add);
        if (discovery.malformed() > 0) {
            warnings.add("kubernetes: " + discovery.malformed() + " objects skipped, last: " + discovery.lastMalformed());
        }
        if (daemon.discovery() != null) {
            checkNodeNames(daemon.ingest().state().nodes().stream().filter(NodeIngestState::connected)
                    .map(NodeIngestState::name).toList(), daemon.discovery().nodeAddresses().keySet(), problems, warnings);
        }
        if (discovery.endpointsWithoutNode() > 0) {
            warnings.add("kubernetes: " + discovery.endpointsWithoutNode() + " CiliumEndpoints name a node IP no "
                    + "Node or CiliumNode has; their pods are placed from traffic only");
        }

        Map<DiscoveryStatus.NodeCalibration, List<String>> groups = new LinkedHashMap<>();
        discovery.calibrations().forEach((node, calibration) ->
                groups.computeIfAbsent(calibration, c -> new ArrayList<>()).add(node));
        ArrayNode calibrations = root.putArray("calibration");
        boolean firstData = !groups.isEmpty();
        for (Map.Entry<DiscoveryStatus.NodeCalibration, List<String>> group : groups.entrySet()) {
            DiscoveryStatus.NodeCalibration calibration = group.getKey();
            ObjectNode entry = calibrations.addObject();
            ArrayNode nodes = entry.putArray("nodes");
            group.getValue().stream().sorted().forEach(nodes::add);
            ArrayNode departures = entry.putArray("departure_points");
            calibration.departurePoints().forEach(departures::add);
            entry.put("first_data", calibration.firstData());
            entry.put("ipv4", calibration.ipv4());
            entry.put("ipv6", calibration.ipv6());
            ArrayNode blind = entry.putArray("blind_spots");
            calibration.blindSpots().forEach(blind::add);
            ObjectNode sources = entry.putObject("sources");
            new TreeMap<>(calibration.sources()).forEach(sources::put);
            calibration.blindSpots().forEach(spot -> problems.add("nodes " + group.getValue() + ": " + spot));
            calibration.warnings().forEach(warning -> warnings.add("nodes " + group.getValue() + ": " + warning));
            firstData &= calibration.firstData();
        }

        // The calibration against what each stream showed while doctor watched: every disagreement is
        // reported; one the stream proves (to-overlay on a node calibrated otherwise) blocks detection
        // there unless the configuration names the departure points itself.
        ArrayNode disagreements = root.putArray("calibration_disagreements");
        for (CalibrationCheck.Disagreement disagreement : CalibrationCheck.check(discovery.calibrations(),
                daemon.counters().egressPointsSeen(id -> {
                    String name = daemon.dictionary().get(id);
                    return name == null ? "#" + id : name;
                }))) {
            ObjectNode entry = disagreements.addObject();
            entry.put("node", disagreement.node());
            ArrayNode points = entry.putArray("departure_points");
            disagreement.calibrated().forEach(points::add);
            ObjectNode seen = entry.putObject("seen");
            new TreeMap<>(disagreement.seen()).forEach(seen::put);
            entry.put("message", disagreement.message());
            if (disagreement.certain() && !discovery.explicitDepartures()) {
                problems.add("calibration: " + disagreement.message());
            } else {
                warnings.add("calibration: " + disagreement.message());
            }
        }

        ObjectNode coverage = root.putObject("placement_coverage");
        long total = 0;
        long unplaced = daemon.topology().placements(PlacementSource.UNPLACED);
        ObjectNode bySource = coverage.putObject("lookups_by_source");
        for (PlacementSource source : PlacementSource.values()) {
            long count = daemon.topology().placements(source);
            bySource.put(source.name().toLowerCase(Locale.ROOT), count);
            total += count;
        }
        coverage.put("placed_share", total == 0 ? null : (double) (total - unplaced) / total);

        ObjectNode skew = root.putObject("clock_offset_seconds");
        JoinCounters counters = daemon.counters();
        for (int node = 0, count = counters.nodeCount(); node < count; node++) {
            String name = daemon.dictionary().get(counters.nodeId(node));
            skew.put(name == null ? "#" + counters.nodeId(node) : name,
                    counters.node(node, JoinCounters.PerNode.CLOCK_OFFSET_NANOS) / 1e9);
        }

        long masqueraded = counters.get(JoinCounters.Global.MATCHED_MASQUERADED);
        if (masqueraded > 0) {
            warnings.add("datapath: " + masqueraded + " pod-to-pod packets reached their destination from their source "
                    + "node's own address (masqueraded): in native routing, ipv4-native-routing-cidr / "
                    + "ipv6-native-routing-cidr must cover every pod CIDR, or the destination's network policy sees "
                    + "the node instead of the pod; TransitWatch matched them by that address");
        }

        ObjectNode verdicts = root.putObject("verdicts");
        int nodesSeeing = nodesSeeing(groups);
        boolean seeing = connected > 0 && nodesSeeing != 0;
        // a two-end verdict needs two nodes that report trace events: every pair has a blind node otherwise
        boolean twoEndPossible = seeing && nodesSeeing != 1;
        String twoEnd = twoEndPossible ? "possible" : !seeing ? "impossible: nothing is observed"
                : "impossible: only one node reports trace events";
        verdicts.put("LOST_IN_TRANSIT", twoEnd);
        verdicts.put("DROPPED_AT_DESTINATION", twoEnd);
        verdicts.put("NO_REPLY", seeing ? "possible" : "impossible: nothing is observed");
        verdicts.put("FIRST_DATA", !twoEndPossible ? twoEnd : firstData ? "possible"
                : groups.isEmpty() ? "as join.monitor-aggregation-flags says (no cilium-config read)"
                : "impossible: not every node reports ACK and PSH (monitor-aggregation-flags)");

        root.put("ok", problems.isEmpty());
        ArrayNode problemList = root.putArray("problems");
        problems.forEach(problemList::add);
        ArrayNode warningList = root.putArray("warnings");
        warnings.forEach(warningList::add);
        return new DoctorReport(root, List.copyOf(problems), List.copyOf(warnings));
    }

    String json() {
        return root.toString();
    }

    String text() {
        StringBuilder out = new StringBuilder();
        out.append(ok() ? "OK" : "PROBLEMS").append(": transitwatch doctor, watched ")
                .append(root.get("watched_seconds").asDouble()).append(" s\n");
        out.append("Hubble (").append(root.get("hubble").get("mode").asText()).append("):\n");
        root.get("hubble").get("streams").forEach(stream -> out.append(String.format(Locale.ROOT,
                "  %-20s %s  %.1f flows/s  hubble %s%s%n", stream.get("node").asText(),
                stream.get("connected").asBoolean() ? "up  " : "DOWN", stream.get("flows_per_second").asDouble(),
                stream.get("hubble_version").asText(),
                stream.get("last_error").isNull() ? "" : "  " + stream.get("last_error").asText())));
        JsonView kubernetes = new JsonView(root.get("kubernetes"));
        out.append("Kubernetes: ").append(!kubernetes.bool("enabled") ? "off (kubernetes.enabled)"
                : kubernetes.bool("connected") ? "connected" : "NOT connected").append('\n');
        root.get("kubernetes").get("resources").forEach(resource -> out.append("  ")
                .append(resource.get("resource").asText()).append(": ")
                .append(!resource.get("served").asBoolean() ? "not served (CRD not installed; not needed)"
                        : resource.get("healthy").asBoolean() ? "watched" : "NOT watched").append('\n'));
        if (kubernetes.bool("enabled")) {
            JsonNode apiServers = root.get("kubernetes").get("api_server_addresses");
            out.append("  API server at: ").append(apiServers.isEmpty() ? "not listed (round trips to it may be named "
                    + "world when flows carry no reserved:kube-apiserver label)" : apiServers.toString()).append('\n');
        }
        out.append("Calibration:\n");
        root.get("calibration").forEach(group -> {
            out.append("  nodes ").append(group.get("nodes").toString()).append('\n');
            group.get("sources").properties().forEach(source ->
                    out.append("    ").append(source.getKey()).append(": ").append(source.getValue().asText()).append('\n'));
        });
        out.append("Calibration vs streams: ").append(root.get("calibration_disagreements").isEmpty() ? "agree"
                : root.get("calibration_disagreements").size() + " nodes disagree (see below)").append('\n');
        out.append("Placement coverage: ").append(root.get("placement_coverage").toString()).append('\n');
        out.append("Clock offsets (s): ").append(root.get("clock_offset_seconds").toString()).append('\n');
        out.append("Verdicts:\n");
        root.get("verdicts").properties().forEach(verdict ->
                out.append("  ").append(verdict.getKey()).append(": ").append(verdict.getValue().asText()).append('\n'));
        problems.forEach(problem -> out.append("PROBLEM: ").append(problem).append('\n'));
        warnings.forEach(warning -> out.append("WARNING: ").append(warning).append('\n'));
        return out.toString();
    }

    /**
     * How many of the nodes Kubernetes calibrated report trace events (no blind spot: trace events on,
     * and kept by Hubble), or -1 when none was calibrated (no cilium-config read: nothing says a node is
     * blind). The nodes that do are still joined with each other when others are blind.
     */
    static int nodesSeeing(Map<DiscoveryStatus.NodeCalibration, List<String>> nodesByCalibration) {
        if (nodesByCalibration.isEmpty()) {
            return -1;
        }
        return nodesByCalibration.entrySet().stream().filter(group -> group.getKey().blindSpots().isEmpty())
                .mapToInt(group -> group.getValue().size()).sum();
    }

    /**
     * Hubble's node names against the Kubernetes API's (as Hubble would write them): placements and
     * calibration found in Kubernetes apply to a stream only under the same name. None in common is a
     * problem (cilium-config's cluster-name unreadable or different from the agents'); a few not in
     * common, a warning (nodes joining or leaving while doctor watched).
     */
    static void checkNodeNames(List<String> connectedStreams, java.util.Set<String> kubernetesNodes,
            List<String> problems, List<String> warnings) {
        List<String> unknown = connectedStreams.stream().filter(name -> !kubernetesNodes.contains(name)).sorted()
                .toList();
        if (kubernetesNodes.isEmpty() || unknown.isEmpty()) {
            return;
        }
        String detail = "Hubble names " + unknown + ", which the Kubernetes API does not (its nodes, as Hubble "
                + "would name them: " + kubernetesNodes.stream().sorted().limit(5).toList()
                + (kubernetesNodes.size() > 5 ? " and " + (kubernetesNodes.size() - 5) + " more" : "") + ")";
        if (unknown.size() == connectedStreams.size()) {
            problems.add("kubernetes: " + detail + ": no pod CIDR or calibration found there applies to a stream; "
                    + "Hubble writes <cluster-name>/<node> when cilium-config's cluster-name is not \"default\", "
                    + "so check that TransitWatch can read it (kubernetes.cilium-config-map, RBAC)");
        } else {
            warnings.add("kubernetes: " + detail + ": what Kubernetes says of pod CIDRs and calibration does not "
                    + "apply to them");
        }
    }

    /** Reads booleans of a JSON object. */
    private record JsonView(com.fasterxml.jackson.databind.JsonNode node) {
        boolean bool(String field) {
            return node.get(field).asBoolean();
        }
    }
}
