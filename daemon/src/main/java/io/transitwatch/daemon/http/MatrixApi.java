package io.transitwatch.daemon.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.transitwatch.daemon.ingest.IngestState;
import io.transitwatch.daemon.ingest.NodeIngestState;
import io.transitwatch.daemon.join.JoinCounters;
import java.io.IOException;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * Thread-safe (stateless): runs on an HTTP thread, reading counters and the {@link PairHistory}.
 *
 * <p>{@code GET /api/matrix}: the nodes, and for each (source node, destination node, family) the
 * verdict counts over the recent window and since start, the recent loss ratio and the cell state
 * the page colours ({@code loss}, {@code ok} or {@code idle}, see {@link PairReading#state()}).
 */
final class MatrixApi {
    private MatrixApi() {}

    static byte[] write(DaemonView daemon, PairHistory history, long nowNanos) throws IOException {
        List<PairReading> current = PairReading.readAll(daemon);
        PairHistory.Sample baseline = history.baseline(nowNanos);
        double windowSeconds = baseline == null ? 0 : MetricBuilders.seconds(nowNanos - baseline.atNanos());
        return Json.write(json -> {
            json.writeStartObject();
            json.writeNumberField("window_seconds", Math.round(windowSeconds * 10) / 10.0);
            json.writeNumberField("window_max_seconds", MetricBuilders.seconds(history.windowNanos()));
            json.writeArrayFieldStart("families");
            json.writeString("IPv4");
            json.writeString("IPv6");
            json.writeEndArray();
            json.writeArrayFieldStart("nodes");
            for (String node : nodes(daemon, current)) {
                json.writeString(node);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("pairs");
            for (PairReading total : current) {
                PairReading recent = baseline == null ? total : total.since(baseline.pair(total.slot()));
                json.writeStartObject();
                json.writeStringField("source_node", total.sourceNode());
                json.writeStringField("destination_node", total.destinationNode());
                json.writeStringField("family", total.family());
                json.writeStringField("state", recent.state());
                json.writeNumberField("loss_ratio", recent.lossRatio());
                writeCounts(json, "recent", recent);
                writeCounts(json, "total", total);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /** Every node the join or the ingest knows, sorted; the relay stream is not a node. */
    private static SortedSet<String> nodes(DaemonView daemon, List<PairReading> pairs) {
        SortedSet<String> nodes = new TreeSet<>();
        JoinCounters counters = daemon.counters();
        for (int node = 0, count = counters.nodeCount(); node < count; node++) {
            nodes.add(daemon.nodeName(counters.nodeId(node)));
        }
        for (NodeIngestState source : daemon.ingest().nodes()) {
            if (!source.name().equals(IngestState.RELAY)) {
                nodes.add(source.name());
            }
        }
        for (PairReading pair : pairs) {
            nodes.add(pair.sourceNode());
            nodes.add(pair.destinationNode());
        }
        return nodes;
    }

    private static void writeCounts(JsonGenerator json, String name, PairReading counts) throws IOException {
        json.writeObjectFieldStart(name);
        json.writeNumberField("departures", counts.departures());
        json.writeNumberField("matched", counts.matched());
        json.writeNumberField("lost", counts.lost());
        json.writeNumberField("dropped", counts.dropped());
        json.writeNumberField("late", counts.late());
        json.writeNumberField("unverified", counts.unverified());
        json.writeEndObject();
    }
}
