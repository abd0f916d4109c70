package io.transitwatch.daemon.http;

import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;

/**
 * Thread-safe (stateless): runs on an HTTP thread, reading counters and the {@link PairHistory}.
 *
 * <p>{@code GET /api/matrix}: the nodes and how well each is watched, the coverage of the recent
 * window, and for each (source node, destination node, family) the verdict counts over the recent
 * window and since start, the recent loss ratio and the cell state the page colours ({@code loss},
 * {@code ok}, {@code idle} or {@code unknown} with its reason, see {@link RecentView}). A pair
 * absent from {@code pairs} sent nothing yet: idle when both its nodes are complete, else unknown.
 */
final class MatrixApi {
    private MatrixApi() {}

    static byte[] write(DaemonView daemon, PairHistory history, long nowNanos) throws IOException {
        RecentView view = RecentView.read(daemon, history, nowNanos);
        return Json.write(json -> {
            json.writeStartObject();
            json.writeNumberField("window_seconds", Math.round(view.windowSeconds() * 10) / 10.0);
            json.writeNumberField("window_max_seconds", MetricBuilders.seconds(history.windowNanos()));
            json.writeArrayFieldStart("families");
            json.writeString("IPv4");
            json.writeString("IPv6");
            json.writeEndArray();
            json.writeArrayFieldStart("nodes");
            for (String node : view.nodes().keySet()) {
                json.writeString(node);
            }
            json.writeEndArray();
            writeNodeWatch(json, view);
            writeCoverage(json, view);
            json.writeArrayFieldStart("pairs");
            for (RecentView.Cell cell : view.cells()) {
                PairReading total = cell.total();
                json.writeStartObject();
                json.writeStringField("source_node", total.sourceNode());
                json.writeStringField("destination_node", total.destinationNode());
                json.writeStringField("family", total.family());
                json.writeStringField("state", cell.state());
                json.writeStringField("unknown_reason", cell.unknownReason());
                json.writeNumberField("loss_ratio", cell.recent().lossRatio());
                writeCounts(json, "recent", cell.recent());
                writeCounts(json, "total", total);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeEndObject();
        });
    }

    /**
     * {@code "node_watch": [...]}: per node, {@code state} ({@link NodeReading}'s), {@code watched}
     * (now), {@code complete} (watched now and over the whole recent window) and {@code reason}
     * (null when complete).
     */
    static void writeNodeWatch(JsonGenerator json, RecentView view) throws IOException {
        json.writeArrayFieldStart("node_watch");
        for (RecentView.NodeWatch node : view.nodes().values()) {
            json.writeStartObject();
            json.writeStringField("node", node.now().name());
            json.writeStringField("state", node.now().state());
            json.writeBooleanField("watched", node.now().watched());
            json.writeBooleanField("complete", node.complete());
            json.writeStringField("reason", node.why());
            json.writeEndObject();
        }
        json.writeEndArray();
    }

    /**
     * {@code "coverage": {...}}: how much of the cluster the daemon can judge. {@code ratio} is
     * judged / (judged + unverified + waiting_on_unwatched) departures of the recent window (null
     * when that is 0, see {@link RecentView});
     * {@code not_watched} lists the nodes not watched now with the reason, {@code incomplete_recently}
     * those watched now whose view had a hole within the window.
     */
    static void writeCoverage(JsonGenerator json, RecentView view) throws IOException {
        json.writeObjectFieldStart("coverage");
        json.writeNumberField("window_seconds", Math.round(view.windowSeconds() * 10) / 10.0);
        json.writeNumberField("judged", view.judged());
        json.writeNumberField("unverified", view.unverified());
        json.writeNumberField("waiting_on_unwatched", view.waitingOnUnwatched());
        Double ratio = view.coverage();
        if (ratio == null) {
            json.writeNullField("ratio");
        } else {
            json.writeNumberField("ratio", Math.floor(ratio * 10_000) / 10_000);
        }
        json.writeNumberField("nodes_known", view.nodes().size());
        json.writeNumberField("nodes_watched", view.watchedNodes());
        json.writeNumberField("cells_unknown", view.cellsIn(RecentView.UNKNOWN));
        json.writeArrayFieldStart("not_watched");
        for (RecentView.NodeWatch node : view.nodes().values()) {
            if (!node.now().watched()) {
                json.writeStartObject();
                json.writeStringField("node", node.now().name());
                json.writeStringField("state", node.now().state());
                json.writeStringField("reason", node.now().reason());
                json.writeEndObject();
            }
        }
        json.writeEndArray();
        json.writeArrayFieldStart("incomplete_recently");
        for (RecentView.NodeWatch node : view.nodes().values()) {
            if (node.now().watched() && !node.complete()) {
                json.writeStartObject();
                json.writeStringField("node", node.now().name());
                json.writeStringField("reason", node.recentProblem());
                json.writeEndObject();
            }
        }
        json.writeEndArray();
        json.writeEndObject();
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
