package io.transitwatch.sinks.kafka;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.json.EventJson;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Thread-safe (stateless): the CloudEvents 1.0 Kafka protocol binding, binary content mode. The
 * record value is the event's JSON; its attributes travel as {@code ce_*} headers, so consumers
 * can route on {@code ce_type} without parsing the value.
 */
final class CloudEvents {
    static final String SPEC_VERSION = "1.0";
    static final String CONTENT_TYPE = "application/json";

    private CloudEvents() {}

    /** {@code io.transitwatch.alert.lost_in_transit.v1}, {@code io.transitwatch.incident.firing.v1}, ... */
    static String type(SinkEvent event) {
        if (event instanceof Alert alert) {
            return "io.transitwatch.alert." + alert.verdict().name().toLowerCase(Locale.ROOT) + ".v1";
        }
        IncidentChange incident = (IncidentChange) event;
        return "io.transitwatch.incident." + incident.state().name().toLowerCase(Locale.ROOT) + ".v1";
    }

    static Headers headers(SinkEvent event, String source) {
        RecordHeaders headers = new RecordHeaders();
        headers.add("ce_specversion", utf8(SPEC_VERSION));
        headers.add("ce_type", utf8(type(event)));
        headers.add("ce_source", utf8(source));
        headers.add("ce_id", utf8(event.id()));
        headers.add("ce_time", utf8(EventJson.formatTime(event.time())));
        headers.add("content-type", utf8(CONTENT_TYPE));
        return headers;
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
