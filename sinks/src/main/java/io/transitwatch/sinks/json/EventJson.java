package io.transitwatch.sinks.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertEndpoint;
import io.transitwatch.sinks.Evidence;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import io.transitwatch.sinks.WorkloadLoss;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * Thread-safe (stateless): the one JSON encoding of alerts and incident changes, used by every
 * sink (DESIGN §6).
 *
 * <p>The generator is driven field by field rather than through data binding so that the field
 * order is the documented one and cannot change by accident when a record gains a component.
 * Field names are the contract: fields may be added, never renamed. Times are RFC 3339 in UTC
 * with exactly three fractional digits. Optional alert fields ({@code drop_reason},
 * {@code resolves_alert_id}, {@code arrival_delay_ms}) appear only when set; unknown endpoint
 * names are written as {@code null} so that every object always has the same fields.
 */
public final class EventJson {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final ObjectMapper READER = new ObjectMapper(FACTORY);
    private static final DateTimeFormatter RFC3339_MILLIS =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private EventJson() {}

    /** One line of JSON, without a trailing newline. */
    public static String encode(SinkEvent event) {
        StringWriter out = new StringWriter(event instanceof Alert ? 768 : 512);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            if (event instanceof Alert alert) {
                writeAlert(json, alert);
            } else if (event instanceof IncidentChange incident) {
                writeIncident(json, incident);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return out.toString();
    }

    /** RFC 3339 UTC with milliseconds, e.g. {@code 2026-02-11T22:17:36.784Z}; also the CloudEvents {@code ce_time}. */
    public static String formatTime(Instant time) {
        return RFC3339_MILLIS.format(time);
    }

    private static void writeAlert(JsonGenerator json, Alert alert) throws IOException {
        json.writeStartObject();
        json.writeStringField("schema", Alert.SCHEMA);
        json.writeStringField("id", alert.id());
        json.writeStringField("verdict", alert.verdict().name());
        json.writeStringField("time", formatTime(alert.time()));
        json.writeStringField("family", alert.family());
        json.writeStringField("protocol", alert.protocol());
        json.writeStringField("kind", alert.kind());
        json.writeStringField("community_id", alert.communityId());
        writeEndpoint(json, "source", alert.source());
        writeEndpoint(json, "destination", alert.destination());
        json.writeNumberField("attempts", alert.attempts());
        json.writeStringField("first_seen", formatTime(alert.firstSeen()));
        json.writeStringField("last_seen", formatTime(alert.lastSeen()));
        json.writeNumberField("window_ms", alert.windowMs());
        json.writeObjectFieldStart("evidence");
        json.writeStringField("observation_point", alert.evidence().observationPoint());
        json.writeStringField("interface", alert.evidence().interfaceName());
        json.writeStringField("trace_reason", alert.evidence().traceReason());
        json.writeEndObject();
        if (alert.dropReason() != null) {
            json.writeStringField("drop_reason", alert.dropReason());
        }
        if (alert.resolvesAlertId() != null) {
            json.writeStringField("resolves_alert_id", alert.resolvesAlertId());
        }
        if (alert.arrivalDelay() != null) {
            json.writeNumberField("arrival_delay_ms", alert.arrivalDelay().toMillis());
        }
        if (alert.destinationName() != null) {
            json.writeStringField("destination_name", alert.destinationName());
        }
        json.writeEndObject();
    }

    private static void writeEndpoint(JsonGenerator json, String name, AlertEndpoint endpoint) throws IOException {
        json.writeObjectFieldStart(name);
        json.writeStringField("node", endpoint.node());
        json.writeStringField("ip", endpoint.ip());
        json.writeNumberField("port", endpoint.port());
        json.writeStringField("namespace", endpoint.namespace());
        json.writeStringField("pod", endpoint.pod());
        json.writeStringField("workload", endpoint.workload());
        json.writeNumberField("identity", endpoint.identity());
        json.writeEndObject();
    }

    private static void writeIncident(JsonGenerator json, IncidentChange incident) throws IOException {
        json.writeStartObject();
        json.writeStringField("schema", IncidentChange.SCHEMA);
        json.writeStringField("id", incident.id());
        json.writeStringField("incident_id", incident.incidentId());
        json.writeNumberField("sequence", incident.sequence());
        json.writeStringField("time", formatTime(incident.time()));
        json.writeStringField("state", incident.state().name());
        json.writeStringField("source_node", incident.sourceNode());
        json.writeStringField("destination_node", incident.destinationNode());
        json.writeStringField("family", incident.family());
        json.writeNumberField("lost", incident.lost());
        json.writeNumberField("matched", incident.matched());
        json.writeNumberField("unverified", incident.unverified());
        json.writeNumberField("loss_ratio", incident.lossRatio());
        json.writeStringField("first_seen", formatTime(incident.firstSeen()));
        json.writeStringField("last_seen", formatTime(incident.lastSeen()));
        json.writeArrayFieldStart("top_workloads");
        for (WorkloadLoss workload : incident.topWorkloads()) {
            json.writeStartObject();
            json.writeStringField("source", workload.source());
            json.writeStringField("destination", workload.destination());
            json.writeNumberField("lost", workload.lost());
            json.writeEndObject();
        }
        json.writeEndArray();
        if (incident.verdict() != null) {
            json.writeStringField("verdict", incident.verdict());
        }
        if (incident.note() != null) {
            json.writeStringField("note", incident.note());
        }
        json.writeEndObject();
    }

    /**
     * Reads what {@link #encode} wrote (for replay and tests). Unknown fields are ignored, so that
     * newer writers stay readable; a missing or mistyped required field throws
     * {@link IllegalArgumentException} naming it.
     */
    public static SinkEvent decode(String line) {
        JsonNode root;
        try {
            root = READER.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new IllegalArgumentException("expected a JSON object");
        }
        String schema = text(root, "schema");
        switch (schema) {
            case Alert.SCHEMA:
                return readAlert(root);
            case IncidentChange.SCHEMA:
                return readIncident(root);
            default:
                throw new IllegalArgumentException("unknown schema \"" + schema + "\"");
        }
    }

    private static Alert readAlert(JsonNode root) {
        JsonNode evidence = object(root, "evidence");
        JsonNode delay = root.get("arrival_delay_ms");
        return Alert.builder()
                .id(text(root, "id"))
                .verdict(Verdict.valueOf(text(root, "verdict")))
                .time(time(root, "time"))
                .family(text(root, "family"))
                .protocol(text(root, "protocol"))
                .kind(text(root, "kind"))
                .communityId(text(root, "community_id"))
                .source(readEndpoint(object(root, "source")))
                .destination(readEndpoint(object(root, "destination")))
                .attempts((int) number(root, "attempts"))
                .firstSeen(time(root, "first_seen"))
                .lastSeen(time(root, "last_seen"))
                .windowMs(number(root, "window_ms"))
                .evidence(new Evidence(text(evidence, "observation_point"),
                        optionalText(evidence, "interface"), optionalText(evidence, "trace_reason")))
                .dropReason(optionalText(root, "drop_reason"))
                .resolvesAlertId(optionalText(root, "resolves_alert_id"))
                .arrivalDelay(delay == null || delay.isNull() ? null : Duration.ofMillis(number(root, "arrival_delay_ms")))
                .destinationName(optionalText(root, "destination_name"))
                .build();
    }

    private static AlertEndpoint readEndpoint(JsonNode node) {
        return new AlertEndpoint(text(node, "node"), text(node, "ip"), (int) number(node, "port"),
                optionalText(node, "namespace"), optionalText(node, "pod"), optionalText(node, "workload"),
                number(node, "identity"));
    }

    private static IncidentChange readIncident(JsonNode root) {
        JsonNode top = root.get("top_workloads");
        if (top == null || !top.isArray()) {
            throw new IllegalArgumentException("\"top_workloads\" must be an array");
        }
        List<WorkloadLoss> workloads = new ArrayList<>(top.size());
        for (JsonNode entry : top) {
            workloads.add(new WorkloadLoss(text(entry, "source"), text(entry, "destination"), number(entry, "lost")));
        }
        JsonNode ratio = root.get("loss_ratio");
        JsonNode sequence = root.get("sequence");
        if (ratio == null || !ratio.isNumber()) {
            throw new IllegalArgumentException("\"loss_ratio\" must be a number");
        }
        return IncidentChange.builder()
                .id(text(root, "id"))
                .incidentId(optionalText(root, "incident_id")) // absent in lines written before it existed
                .sequence(sequence == null || sequence.isNull() ? 1 : (int) number(root, "sequence"))
                .time(time(root, "time"))
                .state(IncidentState.valueOf(text(root, "state")))
                .sourceNode(text(root, "source_node"))
                .destinationNode(text(root, "destination_node"))
                .family(text(root, "family"))
                .lost(number(root, "lost"))
                .matched(number(root, "matched"))
                .unverified(number(root, "unverified"))
                .lossRatio(ratio.doubleValue())
                .firstSeen(time(root, "first_seen"))
                .lastSeen(time(root, "last_seen"))
                .topWorkloads(workloads)
                .verdict(optionalText(root, "verdict"))
                .note(optionalText(root, "note"))
                .build();
    }

    private static JsonNode object(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an object");
        }
        return node;
    }

    private static String text(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string");
        }
        return node.textValue();
    }

    private static String optionalText(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw new IllegalArgumentException("\"" + field + "\" must be a string or null");
        }
        return node.textValue();
    }

    private static long number(JsonNode parent, String field) {
        JsonNode node = parent.get(field);
        if (node == null || !node.isIntegralNumber()) {
            throw new IllegalArgumentException("\"" + field + "\" must be an integer");
        }
        return node.longValue();
    }

    private static Instant time(JsonNode parent, String field) {
        String text = text(parent, field);
        try {
            return OffsetDateTime.parse(text, DateTimeFormatter.ISO_OFFSET_DATE_TIME).toInstant();
        } catch (java.time.format.DateTimeParseException e) {
            throw new IllegalArgumentException("\"" + field + "\" is not an RFC 3339 time: " + text, e);
        }
    }
}
