package io.transitwatch.daemon.replay;

import io.transitwatch.daemon.decode.FlowDecoder;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.proto.relay.NodeState;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Single-threaded: one per capture, used by the replay thread.
 *
 * <p>One capture read as a stream of {@link NodeEvent}s in event-time order: line by line, each line
 * parsed ({@link CaptureLineParser}), decoded by the daemon's own {@link FlowDecoder}, and held in a
 * {@link ReorderBuffer} of at most {@code reorderEvents} events. Memory is bounded by that buffer and
 * one line, whatever the capture's size. A malformed line is reported on {@code diagnostics} as
 * {@code FILE:LINE: reason}, counted and skipped; a read error (a truncated gzip stream) ends the
 * capture where it happened, and is reported and remembered.
 */
final class CaptureReader implements AutoCloseable {
    /** Longest line read; a flow is about 1.5 KB of JSON. */
    static final int MAX_LINE_BYTES = 4 << 20;
    /** Malformed lines reported one by one per capture; the rest are only counted. */
    static final int MAX_REPORTED = 100;

    private final String name;
    private final InputStream in;
    private final LineReader lines;
    private final CaptureLineParser parser = new CaptureLineParser();
    private final FlowDecoder decoder;
    private final StringDictionary dictionary;
    private final ReorderBuffer buffer;
    private final PrintStream diagnostics;
    private final NodeEvent scratch = new NodeEvent();
    private final Map<Integer, long[]> eventsByNode = new LinkedHashMap<>();
    private final Map<String, Long> skipped = new TreeMap<>();
    private boolean ended;
    private long events;
    private long malformed;
    private long reordered;
    private long latestTaken = Long.MIN_VALUE;
    private String readError;

    CaptureReader(String name, InputStream in, StringDictionary dictionary, int reorderEvents, PrintStream diagnostics) {
        this.name = name;
        this.in = in;
        this.lines = new LineReader(in, MAX_LINE_BYTES);
        this.decoder = new FlowDecoder(dictionary);
        this.dictionary = dictionary;
        this.buffer = new ReorderBuffer(reorderEvents);
        this.diagnostics = diagnostics;
    }

    String name() {
        return name;
    }

    /** Reads ahead as far as the buffer allows; false once every event was taken. */
    boolean hasNext() {
        while (!ended && !buffer.isFull()) {
            readLine();
        }
        return !buffer.isEmpty();
    }

    /** Event time of the next event; only after {@link #hasNext()} said true. */
    long nextTime() {
        return buffer.earliestTime();
    }

    /** Copies the next event into {@code into}; only after {@link #hasNext()} said true. */
    void next(NodeEvent into) {
        buffer.takeEarliest(into);
        if (into.timeNanos < latestTaken) {
            reordered++; // it was read after the buffer had already let later events go
        } else {
            latestTaken = into.timeNanos;
        }
    }

    /** Whether any event of this capture, taken or still buffered, came from {@code node}. */
    boolean carries(int node) {
        return eventsByNode.containsKey(node);
    }

    Iterable<Integer> nodes() {
        return eventsByNode.keySet();
    }

    ReplaySummary.FileSummary summary() {
        Map<String, Long> nodeEvents = new LinkedHashMap<>();
        eventsByNode.forEach((node, count) -> nodeEvents.put(dictionary.get(node), count[0]));
        return new ReplaySummary.FileSummary(name, lines.lineNumber(), events, new TreeMap<>(skipped), malformed, reordered,
                readError, nodeEvents);
    }

    @Override
    public void close() {
        ended = true;
        try {
            in.close();
        } catch (IOException e) {
            // nothing more is read from it
        }
    }

    private void readLine() {
        String line;
        try {
            line = lines.next();
        } catch (IOException e) {
            readError = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            diagnostics.printf("%s:%d: read error, the rest of the capture is lost: %s%n", name,
                    lines.lineNumber() + 1, readError);
            close();
            return;
        }
        if (line == null) {
            close();
        } else if (lines.lastLineTooLong()) {
            malformed("longer than " + (MAX_LINE_BYTES >> 20) + " MiB");
        } else if (!line.isBlank()) {
            CaptureLineParser.Result result = parser.parse(line);
            if (result instanceof CaptureLineParser.Response response) {
                decode(response.bytes());
            } else if (result instanceof CaptureLineParser.Skipped skip) {
                skipped.merge(skip.what(), 1L, Long::sum);
            } else {
                malformed(((CaptureLineParser.Malformed) result).reason());
            }
        }
    }

    private void decode(byte[] bytes) {
        switch (decoder.decode(bytes, 0, bytes.length, scratch)) {
            case FlowDecoder.FLOW, FlowDecoder.LOST_EVENTS -> {
                if (scratch.node == 0) {
                    skipped.merge("no node_name", 1L, Long::sum);
                } else if (scratch.timeNanos == 0) {
                    skipped.merge("no time", 1L, Long::sum);
                } else {
                    keep(scratch);
                }
            }
            case FlowDecoder.NODE_STATUS -> nodeStatus();
            case FlowDecoder.OTHER -> skipped.merge("no known response type", 1L, Long::sum);
            default -> malformed("not a valid GetFlowsResponse");
        }
    }

    /** Relay's node_status: one NODE_UP or NODE_DOWN per node it names, as the live relay ingest does. */
    private void nodeStatus() {
        int state = decoder.nodeStatusState();
        boolean up = state == NodeState.NODE_CONNECTED_VALUE;
        boolean down = state == NodeState.NODE_UNAVAILABLE_VALUE || state == NodeState.NODE_ERROR_VALUE
                || state == NodeState.NODE_GONE_VALUE;
        long time = scratch.timeNanos;
        if ((!up && !down) || time == 0 || decoder.nodeStatusNodeCount() == 0) {
            NodeState known = NodeState.forNumber(state);
            skipped.merge("node_status " + (known == null ? state : known.name()), 1L, Long::sum);
            return;
        }
        for (int i = 0; i < decoder.nodeStatusNodeCount(); i++) {
            scratch.clear();
            scratch.kind = up ? NodeEvent.NODE_UP : NodeEvent.NODE_DOWN;
            scratch.node = decoder.nodeStatusNode(i);
            scratch.timeNanos = time;
            scratch.reason = decoder.nodeStatusMessage();
            keep(scratch);
        }
    }

    private void keep(NodeEvent event) {
        events++;
        eventsByNode.computeIfAbsent(event.node, node -> new long[1])[0]++;
        buffer.add(event);
    }

    private void malformed(String reason) {
        malformed++;
        if (malformed <= MAX_REPORTED) {
            diagnostics.printf("%s:%d: malformed line skipped: %s%n", name, lines.lineNumber(), reason);
        } else if (malformed == MAX_REPORTED + 1) {
            diagnostics.printf("%s: more than %d malformed lines; the rest are counted, not shown%n", name,
                    MAX_REPORTED);
        }
    }
}
