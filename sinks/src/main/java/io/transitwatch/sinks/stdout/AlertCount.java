package io.transitwatch.sinks.stdout;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.transitwatch.sinks.Verdict;
import io.transitwatch.sinks.json.EventJson;
import io.transitwatch.sinks.text.EventText;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Immutable: how many alerts of one verdict on one (source node, destination node, family) the
 * stdout sink did not print one by one since its previous count ({@code stdout.alerts: summary}).
 *
 * <pre>
 * +143 more LOST_IN_TRANSIT solwk03 → solwk02 IPv6 over 10 s: SYN 140, UDP-NEW 3 incident=01KBX5N3K0T9Q2W7E4R6Y8U1I3
 * </pre>
 *
 * @param time            when the count was printed (the daemon's time of the event that made it due)
 * @param verdict         the verdict of every alert counted
 * @param sourceNode      the sending node
 * @param destinationNode the receiving node
 * @param family          {@code "IPv4"} or {@code "IPv6"}
 * @param incidentId      the firing incident of the pair and family, or null when there is none
 *                        (DROPPED_AT_DESTINATION alerts, or LATE ones after it resolved)
 * @param count           alerts counted
 * @param kinds           the same alerts by packet kind ({@code SYN}, {@code UDP-NEW}, ...)
 * @param firstAlertTime  when the daemon decided the first alert counted
 * @param lastAlertTime   when it decided the last one
 */
public record AlertCount(Instant time, Verdict verdict, String sourceNode, String destinationNode, String family,
        String incidentId, long count, SortedMap<String, Long> kinds, Instant firstAlertTime, Instant lastAlertTime) {

    public static final String SCHEMA = "transitwatch.alert-summary/v1";
    private static final JsonFactory FACTORY = new JsonFactory();

    public AlertCount {
        Objects.requireNonNull(time, "time");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(sourceNode, "sourceNode");
        Objects.requireNonNull(destinationNode, "destinationNode");
        Objects.requireNonNull(family, "family");
        if (count < 1) {
            throw new IllegalArgumentException("count must be >= 1, was " + count);
        }
        kinds = Collections.unmodifiableSortedMap(new TreeMap<>(kinds));
        Objects.requireNonNull(firstAlertTime, "firstAlertTime");
        Objects.requireNonNull(lastAlertTime, "lastAlertTime");
    }

    /** The one-line human form. */
    public String text() {
        long seconds = Math.max(1, (Duration.between(firstAlertTime, lastAlertTime).toMillis() + 999) / 1000);
        StringBuilder line = new StringBuilder(160);
        line.append('+').append(count).append(" more ").append(verdict).append(' ')
                .append(sourceNode).append(EventText.ARROW).append(destinationNode).append(' ').append(family)
                .append(" over ").append(seconds).append(" s:");
        String separator = " ";
        for (Map.Entry<String, Long> kind : kinds.entrySet()) {
            line.append(separator).append(kind.getKey()).append(' ').append(kind.getValue());
            separator = ", ";
        }
        if (incidentId != null) {
            line.append(" incident=").append(incidentId);
        }
        return line.toString();
    }

    /** One line of JSON ({@link #SCHEMA}), field by field like {@link EventJson}, without a trailing newline. */
    public String json() {
        StringWriter out = new StringWriter(384);
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("schema", SCHEMA);
            json.writeStringField("time", EventJson.formatTime(time));
            json.writeStringField("verdict", verdict.name());
            json.writeStringField("source_node", sourceNode);
            json.writeStringField("destination_node", destinationNode);
            json.writeStringField("family", family);
            json.writeStringField("incident_id", incidentId);
            json.writeNumberField("count", count);
            json.writeObjectFieldStart("kinds");
            for (Map.Entry<String, Long> kind : kinds.entrySet()) {
                json.writeNumberField(kind.getKey(), kind.getValue());
            }
            json.writeEndObject();
            json.writeStringField("first_alert_time", EventJson.formatTime(firstAlertTime));
            json.writeStringField("last_alert_time", EventJson.formatTime(lastAlertTime));
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return out.toString();
    }
}
