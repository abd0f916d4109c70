package io.transitwatch.sinks.json;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertEndpoint;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class EventJsonTest {

    @Test
    void shouldEncodeAnAlertExactlyInTheDesignShapeAndOrder() {
        String expected = "{\"schema\":\"transitwatch.alert/v1\",\"id\":\"01JKPZ5N3G0000000000000000\","
                + "\"verdict\":\"LOST_IN_TRANSIT\",\"time\":\"2026-02-11T22:17:36.784Z\","
                + "\"family\":\"IPv6\",\"protocol\":\"TCP\",\"kind\":\"SYN\",\"community_id\":\"1:M2vBzk6gXqJ0YqL2Yb1kq0sWQ0Y=\","
                + "\"source\":{\"node\":\"solwk03\",\"ip\":\"fd00:101:224:2::3ac8\",\"port\":47972,\"namespace\":\"flux-system\","
                + "\"pod\":\"kustomize-controller-57bbd7c-fdtpk\",\"workload\":\"kustomize-controller\",\"identity\":44187},"
                + "\"destination\":{\"node\":\"solwk02\",\"ip\":\"fd00:101:224:1::2f9e\",\"port\":9090,\"namespace\":\"flux-system\","
                + "\"pod\":\"source-controller-6ccfd78764-rzfnk\",\"workload\":\"source-controller\",\"identity\":41034},"
                + "\"attempts\":2,\"first_seen\":\"2026-02-11T22:17:24.512Z\",\"last_seen\":\"2026-02-11T22:17:31.533Z\",\"window_ms\":5000,"
                + "\"evidence\":{\"observation_point\":\"TO_NETWORK\",\"interface\":\"ens18\",\"trace_reason\":\"NEW\"}}";
        assertEquals(expected, EventJson.encode(TestEvents.lostAlert()));
    }

    @Test
    void shouldEncodeAnIncidentChangeExactlyInTheDesignShapeAndOrder() {
        String expected = "{\"schema\":\"transitwatch.incident/v1\",\"id\":\"01JKPZ5N3H0000000000000000\","
                + "\"incident_id\":\"01JKPZ5N3H0000000000000000\",\"sequence\":1,"
                + "\"time\":\"2026-02-11T22:17:36.784Z\",\"state\":\"FIRING\",\"source_node\":\"solwk03\",\"destination_node\":\"solwk02\","
                + "\"family\":\"IPv6\",\"lost\":214,\"matched\":0,\"unverified\":0,\"loss_ratio\":1.0,"
                + "\"first_seen\":\"2026-02-11T22:12:36.000Z\",\"last_seen\":\"2026-02-11T22:17:36.784Z\","
                + "\"top_workloads\":[{\"source\":\"flux-system/kustomize-controller\",\"destination\":\"flux-system/source-controller\",\"lost\":120}]}";
        assertEquals(expected, EventJson.encode(TestEvents.firing()));
    }

    @Test
    void shouldWriteMillisecondsAlwaysAndTruncateFinerTime() {
        Alert alert = TestEvents.lostAlert().toBuilder()
                .time(Instant.parse("2026-02-11T22:17:36Z"))
                .firstSeen(Instant.parse("2026-02-11T22:17:24.512999999Z"))
                .build();
        String json = EventJson.encode(alert);
        assertTrue(json.contains("\"time\":\"2026-02-11T22:17:36.000Z\""), json);
        assertTrue(json.contains("\"first_seen\":\"2026-02-11T22:17:24.512Z\""), json);
    }

    @Test
    void shouldAddOptionalFieldsAtTheEndOnlyForTheirVerdicts() {
        Alert dropped = TestEvents.lostAlert().toBuilder()
                .verdict(Verdict.DROPPED_AT_DESTINATION).dropReason("POLICY_DENIED").build();
        assertTrue(EventJson.encode(dropped).endsWith("\"trace_reason\":\"NEW\"},\"drop_reason\":\"POLICY_DENIED\"}"));

        Alert late = TestEvents.lostAlert("01JKPZ5N3J0000000000000000").toBuilder()
                .verdict(Verdict.LATE).resolvesAlertId("01JKPZ5N3G0000000000000000")
                .arrivalDelay(Duration.ofMillis(7250)).build();
        assertTrue(EventJson.encode(late).endsWith(
                "},\"resolves_alert_id\":\"01JKPZ5N3G0000000000000000\",\"arrival_delay_ms\":7250}"));

        String lost = EventJson.encode(TestEvents.lostAlert());
        assertTrue(!lost.contains("drop_reason") && !lost.contains("resolves_alert_id") && !lost.contains("arrival_delay_ms"));
    }

    @Test
    void shouldWriteUnknownEndpointNamesAsNull() {
        Alert toWorld = TestEvents.lostAlert().toBuilder()
                .destination(new AlertEndpoint("solwk02", "10.0.0.9", 443, null, null, null, 2))
                .evidence(new io.transitwatch.sinks.Evidence("TO_STACK", null, null))
                .build();
        String json = EventJson.encode(toWorld);
        assertTrue(json.contains("\"destination\":{\"node\":\"solwk02\",\"ip\":\"10.0.0.9\",\"port\":443,"
                + "\"namespace\":null,\"pod\":null,\"workload\":null,\"identity\":2}"), json);
        assertTrue(json.contains("\"evidence\":{\"observation_point\":\"TO_STACK\",\"interface\":null,\"trace_reason\":null}"), json);
        assertEquals(toWorld, EventJson.decode(json));
    }

    @Test
    void shouldReadBackEqualEventsOfEveryKind() {
        Alert lost = TestEvents.lostAlert();
        List<SinkEvent> events = List.of(
                lost,
                lost.toBuilder().verdict(Verdict.DROPPED_AT_DESTINATION).dropReason("POLICY_DENIED").build(),
                lost.toBuilder().verdict(Verdict.LATE).resolvesAlertId(lost.id()).arrivalDelay(Duration.ofMillis(9001)).build(),
                TestEvents.firing(),
                IncidentChange.builder().id("01JKPZ5N3K0000000000000000").time(TestEvents.TIME)
                        .state(IncidentState.RESOLVED).sourceNode("solwk03").destinationNode("solwk02").family("IPv4")
                        .lost(3).matched(997).unverified(12).firstSeen(TestEvents.TIME).lastSeen(TestEvents.TIME).build());
        for (SinkEvent event : events) {
            assertEquals(event, EventJson.decode(EventJson.encode(event)));
        }
        assertEquals(0.003, ((IncidentChange) events.get(4)).lossRatio(), 1e-12);
    }

    @Test
    void shouldIgnoreFieldsAddedByNewerWriters() {
        String json = EventJson.encode(TestEvents.firing());
        String newer = json.substring(0, json.length() - 1) + ",\"severity\":\"critical\",\"labels\":{\"a\":1}}";
        assertEquals(TestEvents.firing(), EventJson.decode(newer));
    }

    @Test
    void shouldNameTheFieldThatIsMissingOrMistyped() {
        String json = EventJson.encode(TestEvents.lostAlert());
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> EventJson.decode(json.replace("\"attempts\":2,", "")));
        assertTrue(missing.getMessage().contains("attempts"), missing.getMessage());
        IllegalArgumentException mistyped = assertThrows(IllegalArgumentException.class,
                () -> EventJson.decode(json.replace("\"window_ms\":5000", "\"window_ms\":\"5s\"")));
        assertTrue(mistyped.getMessage().contains("window_ms"), mistyped.getMessage());
        IllegalArgumentException schema = assertThrows(IllegalArgumentException.class,
                () -> EventJson.decode("{\"schema\":\"transitwatch.alert/v9\"}"));
        assertTrue(schema.getMessage().contains("transitwatch.alert/v9"), schema.getMessage());
        assertThrows(IllegalArgumentException.class, () -> EventJson.decode("not json"));
    }
}
