package io.transitwatch.sinks.schema;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertEndpoint;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.JsonSchemas;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.Verdict;
import io.transitwatch.sinks.json.EventJson;
import io.transitwatch.sinks.stdout.AlertCount;
import io.transitwatch.sinks.stdout.StdoutSink;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the sinks emit (the JSON of stdout and Kafka's record values) against the schemas in
 * {@code docs/schemas/}, checked by a JSON Schema validator; and the schemas themselves: every field
 * described, verdicts as the code has them.
 */
class EmittedJsonSchemaTest {
    private static final List<String> SCHEMAS = List.of(Alert.SCHEMA, IncidentChange.SCHEMA, AlertCount.SCHEMA,
            "transitwatch.replay-summary/v1");

    @Test
    void everyKindOfAlertValidates() {
        Alert lost = TestEvents.lostAlert();
        Alert unnamed = lost.toBuilder().id("01JKPZ5N3G0000000000000001")
                .source(new AlertEndpoint("solwk03", "10.101.224.7", 8, null, null, null, 0))
                .destination(new AlertEndpoint("solwk02", "10.101.225.9", 0, null, null, null, 0))
                .family("IPv4").protocol("ICMP").kind("ICMP-ECHO").build();
        Alert dropped = lost.toBuilder().id("01JKPZ5N3G0000000000000002").verdict(Verdict.DROPPED_AT_DESTINATION)
                .dropReason("POLICY_DENIED").build();
        Alert late = lost.toBuilder().id("01JKPZ5N3G0000000000000003").verdict(Verdict.LATE)
                .resolvesAlertId(lost.id()).arrivalDelay(Duration.ofMillis(6200)).build();
        Alert noReply = lost.toBuilder().id("01JKPZ5N3G0000000000000004").verdict(Verdict.NO_REPLY)
                .destination(new AlertEndpoint("solcp02", "fd00:101::12", 6443, null, null, null, 16_777_217))
                .destinationName("kube-apiserver").build();
        Alert refused = noReply.toBuilder().id("01JKPZ5N3G0000000000000005").verdict(Verdict.REFUSED)
                .destination(new AlertEndpoint("world", "203.0.113.9", 443, null, null, null, 2))
                .destinationName("world").build();
        for (Alert alert : List.of(lost, unnamed, dropped, late, noReply, refused)) {
            String line = EventJson.encode(alert);
            assertEquals(List.of(), JsonSchemas.errors(line), line);
            assertEquals(alert, EventJson.decode(line));
        }
        String unnamedRoundTrip = EventJson.encode(noReply.toBuilder().destinationName(null).build());
        assertFalse(JsonSchemas.errors(unnamedRoundTrip).isEmpty(), "a round trip names its destination: "
                + unnamedRoundTrip);
    }

    @Test
    void incidentChangesValidate() {
        IncidentChange firing = TestEvents.firing();
        IncidentChange update = IncidentChange.builder().id("01JKPZ5N3H0000000000000009")
                .incidentId(firing.incidentId()).sequence(2).time(firing.time()).state(IncidentState.FIRING)
                .sourceNode("solwk03").destinationNode("solwk02").family("IPv6").lost(300).matched(0).unverified(4)
                .firstSeen(firing.firstSeen()).lastSeen(firing.lastSeen()).topWorkloads(List.of()).build();
        IncidentChange resolved = IncidentChange.builder().id("01JKPZ5N3H000000000000000A")
                .incidentId(firing.incidentId()).sequence(3).time(firing.time()).state(IncidentState.RESOLVED)
                .sourceNode("solwk03").destinationNode("solwk02").family("IPv6").lost(300).matched(12).unverified(4)
                .firstSeen(firing.firstSeen()).lastSeen(firing.lastSeen()).topWorkloads(firing.topWorkloads()).build();
        for (IncidentChange change : List.of(firing, update, resolved)) {
            String line = EventJson.encode(change);
            assertEquals(List.of(), JsonSchemas.errors(line), line);
        }
    }

    @Test
    void theStdoutSinksCountLinesValidate() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StdoutSink sink = new StdoutSink(new PrintStream(bytes, true, StandardCharsets.UTF_8), StdoutSink.Format.JSON,
                StdoutSink.Alerts.SUMMARY, 1, Duration.ofSeconds(10));
        sink.publish(List.of(TestEvents.lostAlert("01JKPZ5N3G0000000000000000"), TestEvents.firing(),
                TestEvents.lostAlert("01JKPZ5N3G0000000000000001"),
                TestEvents.lostAlert("01JKPZ5N3G0000000000000002"))).get();
        sink.flush().get();

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        assertEquals(3, lines.size(), String.join("\n", lines));
        assertTrue(lines.get(2).startsWith("{\"schema\":\"" + AlertCount.SCHEMA + "\""), lines.get(2));
        for (String line : lines) {
            assertEquals(List.of(), JsonSchemas.errors(line), line);
        }
    }

    @Test
    void aRenamedOrUndocumentedFieldOrAnUnknownVerdictFails() {
        String alert = EventJson.encode(TestEvents.lostAlert());
        assertFalse(JsonSchemas.errors(alert.replace("\"community_id\"", "\"communityId\"")).isEmpty());
        assertFalse(JsonSchemas.errors(alert.replace("\"window_ms\":5000", "\"window_ms\":5000,\"extra\":1")).isEmpty());
        assertFalse(JsonSchemas.errors(alert.replace("LOST_IN_TRANSIT", "LOST")).isEmpty());
        String incident = EventJson.encode(TestEvents.firing());
        assertFalse(JsonSchemas.errors(incident.replaceFirst(",\"incident_id\":\"[0-9A-Z]+\"", "")).isEmpty());
    }

    @Test
    void theVerdictsOfTheSchemasAreTheVerdictsOfTheCode() {
        Set<String> code = Stream.of(Verdict.values()).map(Enum::name).collect(Collectors.toCollection(TreeSet::new));
        for (String schema : List.of(Alert.SCHEMA, AlertCount.SCHEMA)) {
            Set<String> listed = new TreeSet<>();
            JsonSchemas.document(schema).get("properties").get("verdict").get("enum").forEach(v -> listed.add(v.asText()));
            assertEquals(code, listed, schema);
        }
    }

    @Test
    void everyFieldOfEverySchemaIsDescribed() {
        for (String schema : SCHEMAS) {
            JsonNode document = JsonSchemas.document(schema);
            assertEquals("https://json-schema.org/draft/2020-12/schema", document.get("$schema").asText(), schema);
            assertEquals(schema, document.get("title").asText());
            Map<String, String> undescribed = new TreeMap<>();
            collectUndescribed(document, schema, undescribed);
            assertEquals(Map.of(), undescribed, schema);
        }
    }

    /** Every entry of every {@code properties} object, at any depth, must have a non-blank description. */
    private static void collectUndescribed(JsonNode node, String path, Map<String, String> undescribed) {
        if (node.isArray()) {
            for (int i = 0; i < node.size(); i++) {
                collectUndescribed(node.get(i), path + "[" + i + "]", undescribed);
            }
            return;
        }
        if (!node.isObject()) {
            return;
        }
        JsonNode properties = node.get("properties");
        if (properties != null && properties.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = properties.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> field = it.next();
                if (field.getValue().path("description").asText("").isBlank()) {
                    undescribed.put(path + "." + field.getKey(), "no description");
                }
            }
        }
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        names.remove("allOf"); // conditions on fields described above, not fields
        for (String name : names) {
            collectUndescribed(node.get(name), path + "/" + name, undescribed);
        }
    }
}
