package io.transitwatch.daemon.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.transitwatch.daemon.ingest.IngestState;
import io.transitwatch.daemon.ingest.NodeIngestState;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinCounters.Global;
import io.transitwatch.daemon.join.JoinCounters.PerNode;
import io.transitwatch.daemon.kubernetes.CalibrationCheck;
import io.transitwatch.daemon.kubernetes.DiscoveryStatus;
import io.transitwatch.daemon.kubernetes.ResourceWatch;
import io.transitwatch.sinks.dispatch.SinkCounters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Thread-safe (stateless): runs on an HTTP thread and only reads counters.
 *
 * <p>{@code GET /api/observers}: each Hubble source's health (connected, last error, reconnects,
 * gaps, lost events, the request profile it accepted, its clock offset and lateness) and whether
 * its node is watched (see {@link RecentView}). {@code GET /api/status}: readiness, the daemon's
 * totals and the coverage of the recent window, for the page's header.
 */
final class StatusApi {
    private StatusApi() {}

    static byte[] observers(DaemonView daemon, RecentView view) throws IOException {
        Map<String, Integer> joinNodes = new HashMap<>();
        JoinCounters counters = daemon.counters();
        for (int node = 0, count = counters.nodeCount(); node < count; node++) {
            joinNodes.put(daemon.nodeName(counters.nodeId(node)), node);
        }
        return Json.write(json -> {
            json.writeStartObject();
            json.writeArrayFieldStart("observers");
            for (NodeIngestState source : daemon.ingest().nodes()) {
                json.writeStartObject();
                json.writeStringField("node", source.name());
                json.writeBooleanField("connected", source.connected());
                json.writeStringField("last_error", source.lastError());
                json.writeStringField("request_profile", source.requestProfile().name());
                json.writeNumberField("flows", source.flows());
                json.writeNumberField("reconnects", source.reconnects());
                json.writeNumberField("gaps", source.gaps());
                json.writeNumberField("lost_events", source.lostEvents());
                json.writeNumberField("duplicates", source.duplicates());
                json.writeNumberField("malformed", source.malformed());
                RecentView.NodeWatch watch = view.nodes().get(source.name());
                if (watch == null || source.name().equals(IngestState.RELAY)) {
                    // The relay stream is not a node: watched while it is up.
                    json.writeStringField("watch_state", source.connected() ? NodeReading.WATCHED : NodeReading.DOWN);
                    json.writeBooleanField("watched", source.connected());
                    json.writeBooleanField("complete_recently", source.connected());
                    json.writeStringField("watch_reason", source.connected() ? null
                            : "stream down" + (source.lastError().isEmpty() ? "" : ": " + source.lastError()));
                } else {
                    json.writeStringField("watch_state", watch.now().state());
                    json.writeBooleanField("watched", watch.now().watched());
                    json.writeBooleanField("complete_recently", watch.complete());
                    json.writeStringField("watch_reason", watch.why());
                }
                Integer node = joinNodes.get(source.name());
                writeSeconds(json, "clock_offset_seconds", node == null ? null : counters.node(node, PerNode.CLOCK_OFFSET_NANOS));
                writeSeconds(json, "lateness_seconds", node == null ? null : counters.node(node, PerNode.LATENESS_NANOS));
                writeSeconds(json, "extra_wait_seconds", node == null ? null : counters.node(node, PerNode.EXTRA_WAIT_NANOS));
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    static byte[] status(DaemonView daemon, RecentView view) throws IOException {
        Health.Status ready = Health.readiness(daemon);
        JoinCounters counters = daemon.counters();
        return Json.write(json -> {
            json.writeStartObject();
            json.writeBooleanField("ready", ready.ok());
            json.writeStringField("reason", ready.reason());
            json.writeBooleanField("join_running", daemon.joinLoop().isRunning());
            json.writeBooleanField("join_stalled", daemon.joinLoop().isStalled());
            json.writeBooleanField("overloaded", daemon.ingest().overload().overloaded());
            json.writeNumberField("overload_lost_events", daemon.ingest().overload().readerLostEvents());
            json.writeNumberField("window_ms", daemon.engine().config().window().toMillis());
            json.writeObjectFieldStart("join");
            json.writeNumberField("flows", counters.get(Global.FLOWS));
            json.writeNumberField("departures", counters.get(Global.DEPARTURES));
            json.writeNumberField("matched", counters.get(Global.MATCHED));
            json.writeNumberField("lost", counters.get(Global.LOST));
            json.writeNumberField("dropped", counters.get(Global.DROPPED));
            json.writeNumberField("unverified", counters.get(Global.UNVERIFIED));
            json.writeNumberField("pending", daemon.engine().pendingCount());
            json.writeNumberField("pending_capacity", daemon.engine().pendingCapacity());
            json.writeEndObject();
            MatrixApi.writeCoverage(json, view);
            json.writeArrayFieldStart("sinks");
            for (SinkCounters sink : daemon.dispatcher().counters()) {
                json.writeStartObject();
                json.writeStringField("sink", sink.sinkName());
                json.writeNumberField("sent", sink.sent());
                json.writeNumberField("failed", sink.failed());
                json.writeNumberField("dropped", sink.dropped());
                json.writeNumberField("queued", sink.queued());
                json.writeEndObject();
            }
            json.writeEndArray();
            writeKubernetes(json, daemon.discovery().get(), counters, daemon::nodeName);
            json.writeEndObject();
        });
    }

    /**
     * Kubernetes discovery: whether each resource is watched (an outage keeps the last view and says
     * so here), what the last snapshot placed, and the calibration grouped by identical node settings
     * (a big cluster has a handful of distinct ones), each value with where it came from.
     */
    private static void writeKubernetes(JsonGenerator json, DiscoveryStatus status, JoinCounters counters,
            java.util.function.IntFunction<String> nodeName) throws IOException {
        json.writeObjectFieldStart("kubernetes");
        json.writeBooleanField("enabled", status.enabled());
        if (status.enabled()) {
            json.writeBooleanField("connected", status.connected());
            json.writeNumberField("snapshots", status.snapshots());
            json.writeNumberField("endpoint_ips", status.endpointIps());
            json.writeNumberField("endpoints_without_node", status.endpointsWithoutNode());
            json.writeNumberField("ciliumnode_cidrs", status.ciliumNodeCidrs());
            json.writeNumberField("node_cidrs", status.nodeCidrs());
            json.writeNumberField("conflicts", status.conflicts());
            json.writeNumberField("malformed", status.malformed());
            json.writeStringField("last_malformed", status.lastMalformed());
            json.writeBooleanField("departure_points_configured", status.explicitDepartures());
            json.writeBooleanField("aggregation_flags_configured", status.explicitFirstData());
            json.writeArrayFieldStart("api_server_addresses");
            for (String address : status.apiServerAddresses()) {
                json.writeString(address);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("resources");
            for (ResourceWatch resource : status.resources()) {
                json.writeStartObject();
                json.writeStringField("resource", resource.resource());
                json.writeBooleanField("synced", resource.synced());
                json.writeBooleanField("watching", resource.watching());
                json.writeBooleanField("served", resource.served());
                json.writeNumberField("objects", resource.objects());
                json.writeStringField("forbidden", resource.forbidden());
                json.writeStringField("error", resource.lastError());
                json.writeEndObject();
            }
            json.writeEndArray();
            Map<DiscoveryStatus.NodeCalibration, List<String>> groups = new LinkedHashMap<>();
            status.calibrations().forEach((node, calibration) ->
                    groups.computeIfAbsent(calibration, c -> new ArrayList<>()).add(node));
            json.writeArrayFieldStart("calibration");
            for (Map.Entry<DiscoveryStatus.NodeCalibration, List<String>> group : groups.entrySet()) {
                DiscoveryStatus.NodeCalibration calibration = group.getKey();
                json.writeStartObject();
                json.writeArrayFieldStart("nodes");
                for (String node : group.getValue().stream().sorted().toList()) {
                    json.writeString(node);
                }
                json.writeEndArray();
                writeStrings(json, "departure_points", calibration.departurePoints());
                writeStrings(json, "arrival_points_added", calibration.arrivalExtras());
                json.writeBooleanField("first_data", calibration.firstData());
                json.writeBooleanField("ipv4", calibration.ipv4());
                json.writeBooleanField("ipv6", calibration.ipv6());
                writeStrings(json, "blind_spots", calibration.blindSpots());
                writeStrings(json, "warnings", calibration.warnings());
                json.writeObjectFieldStart("sources");
                for (Map.Entry<String, String> source : new TreeMap<>(calibration.sources()).entrySet()) {
                    json.writeStringField(source.getKey(), source.getValue());
                }
                json.writeEndObject();
                json.writeEndObject();
            }
            json.writeEndArray();
            // Each node's calibration against what its stream shows (CalibrationCheck): neither is trusted blindly.
            json.writeArrayFieldStart("calibration_disagreements");
            for (CalibrationCheck.Disagreement disagreement : CalibrationCheck.check(status.calibrations(),
                    counters.egressPointsSeen(nodeName))) {
                json.writeStartObject();
                json.writeStringField("node", disagreement.node());
                writeStrings(json, "departure_points", disagreement.calibrated());
                json.writeObjectFieldStart("seen");
                for (Map.Entry<String, Long> seen : new TreeMap<>(disagreement.seen()).entrySet()) {
                    json.writeNumberField(seen.getKey(), seen.getValue());
                }
                json.writeEndObject();
                json.writeStringField("message", disagreement.message());
                json.writeEndObject();
            }
            json.writeEndArray();
        }
        json.writeEndObject();
    }

    private static void writeStrings(JsonGenerator json, String name, List<String> values) throws IOException {
        json.writeArrayFieldStart(name);
        for (String value : values) {
            json.writeString(value);
        }
        json.writeEndArray();
    }

    private static void writeSeconds(JsonGenerator json, String name, Long nanos) throws IOException {
        if (nanos == null) {
            json.writeNullField(name);
        } else {
            json.writeNumberField(name, MetricBuilders.seconds(nanos));
        }
    }
}
