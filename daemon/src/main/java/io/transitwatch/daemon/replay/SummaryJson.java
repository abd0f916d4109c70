package io.transitwatch.daemon.replay;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * Stateless. The summary of {@code transitwatch replay --format json}: one JSON object on one line,
 * after the alert lines, named by its {@code schema} like every JSON line TransitWatch prints:
 *
 * <pre>
 * {"schema":"transitwatch.replay-summary/v1","first_event":"…","last_event":"…",
 *  "files":[{"file":"solwk03.json","lines":10,"events":10,"skipped":{},"malformed":0,"reordered":0,
 *            "read_error":null,"nodes":{"solwk03":10}}],
 *  "nodes":[{"node":"solwk03","events":10,"files":{"solwk03.json":10}}],
 *  "pairs":[{"source_node":"solwk03","destination_node":"solwk02","family":"IPv6","departures":4,"matched":0,
 *            "lost":3,"dropped":0,"late":0,"unverified":{"OBSERVER_DOWN":1}}],
 *  "join":{"events":…,"flows":…,"departures":…,…},"undecided":0}
 * </pre>
 */
public final class SummaryJson {
    public static final String SCHEMA = "transitwatch.replay-summary/v1";

    private static final JsonFactory FACTORY = new JsonFactory();

    private SummaryJson() {}

    public static String encode(ReplaySummary summary) {
        StringWriter out = new StringWriter();
        try (JsonGenerator json = FACTORY.createGenerator(out)) {
            json.writeStartObject();
            json.writeStringField("schema", SCHEMA);
            json.writeStringField("first_event", summary.firstEvent() == null ? null : summary.firstEvent().toString());
            json.writeStringField("last_event", summary.lastEvent() == null ? null : summary.lastEvent().toString());
            json.writeArrayFieldStart("files");
            for (ReplaySummary.FileSummary file : summary.files()) {
                writeFile(json, file);
            }
            json.writeEndArray();
            json.writeArrayFieldStart("nodes");
            for (ReplaySummary.NodeSummary node : summary.nodes()) {
                json.writeStartObject();
                json.writeStringField("node", node.node());
                json.writeNumberField("events", node.events());
                writeCounts(json, "files", node.eventsByFile());
                json.writeEndObject();
            }
            json.writeEndArray();
            json.writeArrayFieldStart("pairs");
            for (ReplaySummary.PairSummary pair : summary.pairs()) {
                writePair(json, pair);
            }
            json.writeEndArray();
            writeCounts(json, "join", summary.join());
            json.writeNumberField("undecided", summary.undecided());
            json.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return out.toString();
    }

    private static void writeFile(JsonGenerator json, ReplaySummary.FileSummary file) throws IOException {
        json.writeStartObject();
        json.writeStringField("file", file.name());
        json.writeNumberField("lines", file.lines());
        json.writeNumberField("events", file.events());
        writeCounts(json, "skipped", file.skipped());
        json.writeNumberField("malformed", file.malformed());
        json.writeNumberField("reordered", file.reordered());
        json.writeStringField("read_error", file.readError());
        writeCounts(json, "nodes", file.nodeEvents());
        json.writeEndObject();
    }

    private static void writePair(JsonGenerator json, ReplaySummary.PairSummary pair) throws IOException {
        json.writeStartObject();
        json.writeStringField("source_node", pair.sourceNode());
        json.writeStringField("destination_node", pair.destinationNode());
        json.writeStringField("family", pair.family());
        json.writeNumberField("departures", pair.departures());
        json.writeNumberField("matched", pair.matched());
        json.writeNumberField("lost", pair.lost());
        json.writeNumberField("dropped", pair.dropped());
        json.writeNumberField("late", pair.late());
        writeCounts(json, "unverified", pair.unverified());
        json.writeEndObject();
    }

    private static void writeCounts(JsonGenerator json, String name, Map<String, Long> counts) throws IOException {
        json.writeObjectFieldStart(name);
        for (Map.Entry<String, Long> count : counts.entrySet()) {
            json.writeNumberField(count.getKey(), count.getValue());
        }
        json.writeEndObject();
    }
}
