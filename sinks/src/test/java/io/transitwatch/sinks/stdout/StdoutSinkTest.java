package io.transitwatch.sinks.stdout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.json.EventJson;
import io.transitwatch.sinks.text.EventText;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StdoutSinkTest {

    @Test
    void shouldWriteOneJsonLinePerEvent() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StdoutSink sink = new StdoutSink(new PrintStream(bytes, true, StandardCharsets.UTF_8), StdoutSink.Format.JSON);
        List<SinkEvent> batch = List.of(TestEvents.lostAlert(), TestEvents.firing());
        sink.publish(batch).get();
        String[] lines = bytes.toString(StandardCharsets.UTF_8).split("\n");
        assertEquals(2, lines.length);
        assertEquals(TestEvents.lostAlert(), EventJson.decode(lines[0]));
        assertEquals(TestEvents.firing(), EventJson.decode(lines[1]));
    }

    @Test
    void shouldWriteTextLinesInTextFormat() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StdoutSink sink = new StdoutSink(new PrintStream(bytes, true, StandardCharsets.UTF_8), StdoutSink.Format.TEXT);
        sink.publish(List.of(TestEvents.firing())).get();
        assertEquals(EventText.format(TestEvents.firing()) + "\n", bytes.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldFailTheBatchWhenTheStreamBreaks() {
        OutputStream broken = new OutputStream() {
            @Override
            public void write(int b) throws java.io.IOException {
                throw new java.io.IOException("broken pipe");
            }
        };
        StdoutSink sink = new StdoutSink(new PrintStream(broken, true, StandardCharsets.UTF_8), StdoutSink.Format.JSON);
        assertTrue(sink.publish(List.of(TestEvents.firing())).isCompletedExceptionally());
    }

    @Test
    void shouldPrintTheFirstAlertsOfAnIncidentThenCountsPerIntervalInSummaryMode() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StdoutSink sink = new StdoutSink(new PrintStream(bytes, true, StandardCharsets.UTF_8), StdoutSink.Format.TEXT,
                StdoutSink.Alerts.SUMMARY, 2, Duration.ofSeconds(10));
        IncidentChange firing = TestEvents.firing();
        List<SinkEvent> events = new ArrayList<>();
        events.add(alertAt(0, "SYN"));
        events.add(firing);
        for (int i = 1; i <= 12; i++) {
            // shown: 0 s and 1 s; counted from 2 s, due at 12 s: 2..11 s counted, then 12 s starts the next count
            events.add(alertAt(i * 1000, i % 4 == 0 ? "UDP-NEW" : "SYN"));
        }
        for (SinkEvent event : events) {
            sink.publish(List.of(event)).get();
        }
        IncidentChange resolved = IncidentChange.builder().id("01JKPZ5N3H000000000000000Z")
                .incidentId(firing.incidentId()).sequence(2).time(TestEvents.TIME.plusSeconds(20))
                .state(IncidentState.RESOLVED).sourceNode("solwk03").destinationNode("solwk02").family("IPv6")
                .lost(13).matched(5).firstSeen(firing.firstSeen()).lastSeen(firing.lastSeen()).build();
        sink.publish(List.of(resolved)).get();
        sink.publish(List.of(alertAt(30_000, "SYN"))).get(); // a new incident's first alert is shown again
        sink.flush().get();

        List<String> lines = bytes.toString(StandardCharsets.UTF_8).lines().toList();
        String id = firing.incidentId();
        assertEquals(List.of(
                EventText.format(events.get(0)),
                EventText.format(firing),
                EventText.format(events.get(2)),
                "+10 more LOST_IN_TRANSIT solwk03 \u2192 solwk02 IPv6 over 9 s: SYN 8, UDP-NEW 2 incident=" + id,
                "+1 more LOST_IN_TRANSIT solwk03 \u2192 solwk02 IPv6 over 1 s: UDP-NEW 1 incident=" + id,
                EventText.format(resolved),
                EventText.format(alertAt(30_000, "SYN"))), lines, String.join("\n", lines));
        assertTrue(lines.get(5).startsWith("RESOLVED "), lines.get(5));
    }

    @Test
    void shouldPrintEveryAlertInEveryMode() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        StdoutSink sink = new StdoutSink(new PrintStream(bytes, true, StandardCharsets.UTF_8), StdoutSink.Format.TEXT,
                StdoutSink.Alerts.EVERY, 2, Duration.ofSeconds(10));
        for (int i = 0; i < 20; i++) {
            sink.publish(List.of(alertAt(i * 1000, "SYN"))).get();
        }
        sink.flush().get();
        assertEquals(20, bytes.toString(StandardCharsets.UTF_8).lines().filter(l -> l.startsWith("LOST_IN_TRANSIT"))
                .count());
    }

    @Test
    void shouldSayUpdateForAnIncidentsLaterFiringChanges() {
        IncidentChange firing = TestEvents.firing();
        IncidentChange update = IncidentChange.builder().id("01JKPZ5N3H000000000000000Y")
                .incidentId(firing.incidentId()).sequence(2).time(TestEvents.TIME).state(IncidentState.FIRING)
                .sourceNode("solwk03").destinationNode("solwk02").family("IPv6").lost(300)
                .firstSeen(firing.firstSeen()).lastSeen(firing.lastSeen()).build();
        assertTrue(EventText.format(firing).startsWith("FIRING solwk03 \u2192 solwk02 IPv6 lost=214 "),
                EventText.format(firing));
        assertEquals("UPDATE solwk03 \u2192 solwk02 IPv6 lost=300 matched=0 loss=100.0% incident=" + firing.incidentId(),
                EventText.format(update));
    }

    private static Alert alertAt(long millisAfter, String kind) {
        return TestEvents.lostAlert().toBuilder().id(String.format("01JKPZ5N3G%016d", millisAfter))
                .time(TestEvents.TIME.plusMillis(millisAfter)).kind(kind).build();
    }
}
