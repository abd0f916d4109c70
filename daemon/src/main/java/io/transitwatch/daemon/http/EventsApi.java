package io.transitwatch.daemon.http;

import com.fasterxml.jackson.core.JsonGenerator;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.json.EventJson;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * Thread-safe (stateless): runs on an HTTP thread, reading copies the incident tracker and the
 * alert factory hand out.
 *
 * <p>{@code GET /api/incidents} ({@code {"incidents":[...]}}, FIRING incidents, most lost first) and
 * {@code GET /api/alerts} ({@code {"alerts":[...]}}, the most recent alerts, newest first). Each
 * element has exactly the JSON of the sinks ({@link EventJson}: {@code transitwatch.incident/v1},
 * {@code transitwatch.alert/v1}), so a tool that reads Kafka reads this too.
 */
final class EventsApi {
    private EventsApi() {}

    static byte[] incidents(DaemonView daemon) throws IOException {
        List<IncidentChange> open = new ArrayList<>(daemon.incidents().openIncidents());
        open.sort(Comparator.comparingLong(IncidentChange::lost).reversed()
                .thenComparing(IncidentChange::sourceNode).thenComparing(IncidentChange::destinationNode)
                .thenComparing(IncidentChange::family));
        return Json.write(json -> writeArray(json, "incidents", open));
    }

    static byte[] alerts(DaemonView daemon) throws IOException {
        List<Alert> recent = new ArrayList<>(daemon.alerts().recentAlerts());
        Collections.reverse(recent);
        return Json.write(json -> writeArray(json, "alerts", recent));
    }

    private static void writeArray(JsonGenerator json, String name, List<? extends SinkEvent> events)
            throws IOException {
        json.writeStartObject();
        json.writeArrayFieldStart(name);
        for (SinkEvent event : events) {
            json.writeRawValue(EventJson.encode(event));
        }
        json.writeEndArray();
        json.writeEndObject();
    }
}
