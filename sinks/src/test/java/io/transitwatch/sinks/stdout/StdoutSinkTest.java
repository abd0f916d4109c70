package io.transitwatch.sinks.stdout;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.json.EventJson;
import io.transitwatch.sinks.text.EventText;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
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
}
