package io.transitwatch.daemon.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.transitwatch.daemon.incident.RoundTripTally;
import java.io.IOException;
import java.util.List;

/**
 * Thread-safe (stateless): runs on an HTTP thread, reading the round-trip counts and the {@link PairHistory}.
 *
 * <p>{@code GET /api/round-trips}: connection attempts to destinations without arrival events, judged
 * on the client's node (DESIGN §3.7), per (source node, destination, family): {@code destination} is
 * a node name, {@code kube-apiserver}, {@code host} or {@code world} ({@code destination_kind} says
 * which: {@code node} or {@code class}); counts over the recent window and since start; the row state
 * ({@link RoundTripView}); and the nodes' watch, as in {@code /api/matrix}.
 */
final class RoundTripsApi {
    private RoundTripsApi() {}

    static byte[] write(DaemonView daemon, PairHistory history, long nowNanos) throws IOException {
        RecentView view = RecentView.read(daemon, history, nowNanos);
        List<RoundTripView.Row> rows = RoundTripView.of(daemon.alerts().roundTrips().read(daemon.dictionary()), view,
                history, nowNanos);
        return Json.write(json -> {
            json.writeStartObject();
            json.writeNumberField("window_seconds", Math.round(view.windowSeconds() * 10) / 10.0);
            json.writeNumberField("window_max_seconds", MetricBuilders.seconds(history.windowNanos()));
            MatrixApi.writeNodeWatch(json, view);
            json.writeArrayFieldStart("round_trips");
            for (RoundTripView.Row row : rows) {
                RoundTripTally.Reading total = row.total();
                json.writeStartObject();
                json.writeStringField("source_node", total.source());
                json.writeStringField("destination", total.destination());
                json.writeStringField("destination_kind", total.destinationIsNode() ? "node" : "class");
                json.writeStringField("family", total.family());
                json.writeStringField("state", row.state());
                json.writeStringField("unknown_reason", row.unknownReason());
                writeCounts(json, "recent", row.recent());
                writeCounts(json, "total", total);
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeNumberField("not_counted", daemon.alerts().roundTrips().misses());
            json.writeEndObject();
        });
    }

    private static void writeCounts(JsonGenerator json, String name, RoundTripTally.Reading counts) throws IOException {
        json.writeObjectFieldStart(name);
        json.writeNumberField("answered", counts.answered());
        json.writeNumberField("no_reply", counts.noReply());
        json.writeNumberField("refused", counts.refused());
        json.writeNumberField("unverified", counts.unverified());
        json.writeEndObject();
    }
}
