package io.transitwatch.daemon.replay;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.NodeEventHandler;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Single-threaded: runs on the replay thread.
 *
 * <p>Merges the captures into one stream in event-time order — a k-way merge, each capture already
 * in order through its own {@link ReorderBuffer} — and adds what a live stream's health would have
 * told the join about each node, so that a capture's edges are never mistaken for loss:
 *
 * <pre>
 *   first event of node N (in any capture)   GAP(everything before it), then NODE_UP
 *       what N saw before its capture started is unknown, never "did not arrive"
 *   last capture that carries N ends         NODE_DOWN
 *       departures to N whose window runs past the end are UNVERIFIED(OBSERVER_DOWN)
 *   N appears again in a later capture       NODE_UP
 * </pre>
 *
 * A node that appears in no capture is never up: departures to it become UNVERIFIED(NO_OBSERVER),
 * so a capture of a single node cannot raise a false alert.
 */
final class CaptureMerge {
    /** Start of the GAP before a node's capture: far enough back to cover any departure to it. */
    private static final long BEFORE_ANY_CAPTURE = Long.MIN_VALUE / 4;

    private static final byte NEVER_SEEN = 0;
    private static final byte CAPTURED = 1;
    private static final byte CAPTURE_ENDED = 2;

    private final PriorityQueue<CaptureReader> open =
            new PriorityQueue<>(Comparator.comparingLong(CaptureReader::nextTime));
    private final List<CaptureReader> readers;
    private final int endOfCaptureReason;
    private final Map<Integer, Byte> coverage = new HashMap<>();
    private final NodeEvent event = new NodeEvent();
    private final NodeEvent control = new NodeEvent();
    private long latestTime = Long.MIN_VALUE;

    CaptureMerge(List<CaptureReader> readers, StringDictionary dictionary) {
        this.readers = List.copyOf(readers);
        this.endOfCaptureReason = dictionary.intern("end of capture");
    }

    /** Readies the captures for {@link #poll}; a capture without any event is closed at once. */
    void open() {
        for (CaptureReader reader : readers) {
            if (reader.hasNext()) {
                open.add(reader);
            } else {
                reader.close(); // it carried no node, so no node's coverage ends with it
            }
        }
    }

    /** Whether any capture still has an event. */
    boolean hasNext() {
        return !open.isEmpty();
    }

    /** Event time of the earliest event not yet handed out; only after {@link #hasNext()} said true. */
    long nextTime() {
        return open.peek().nextTime();
    }

    /**
     * Hands {@code handler} the captures' next events up to event time {@code untilNanos}, at most
     * {@code limit} of them, in event-time order, each preceded by the stream-health events it implies
     * (see the class comment). Every event counts as received at its own time (the replay's clock).
     *
     * @return how many capture events were handed over
     */
    int poll(NodeEventHandler handler, int limit, long untilNanos) {
        int handed = 0;
        while (handed < limit && !open.isEmpty() && open.peek().nextTime() <= untilNanos) {
            CaptureReader reader = open.remove();
            reader.next(event);
            latestTime = Math.max(latestTime, event.timeNanos);
            event.receivedNanos = event.timeNanos;
            beforeEvent(event.node, handler);
            handler.onEvent(event, false);
            handed++;
            if (reader.hasNext()) {
                open.add(reader);
            } else {
                ended(reader, handler);
            }
        }
        return handed;
    }

    /** Event time of the latest event handed out, {@code Long.MIN_VALUE} before the first. */
    long latestTime() {
        return latestTime;
    }

    private void beforeEvent(int node, NodeEventHandler handler) {
        byte state = coverage.getOrDefault(node, NEVER_SEEN);
        if (state == CAPTURED) {
            return;
        }
        if (state == NEVER_SEEN) {
            emit(handler, NodeEvent.GAP, node);
        }
        emit(handler, NodeEvent.NODE_UP, node);
        coverage.put(node, CAPTURED);
    }

    private void ended(CaptureReader reader, NodeEventHandler handler) {
        reader.close();
        List<Integer> uncovered = new ArrayList<>();
        for (int node : reader.nodes()) {
            if (coverage.getOrDefault(node, NEVER_SEEN) == CAPTURED && open.stream().noneMatch(r -> r.carries(node))) {
                uncovered.add(node);
            }
        }
        for (int node : uncovered) {
            emit(handler, NodeEvent.NODE_DOWN, node);
            coverage.put(node, CAPTURE_ENDED);
        }
    }

    private void emit(NodeEventHandler handler, byte kind, int node) {
        control.clear();
        control.kind = kind;
        control.node = node;
        control.timeNanos = latestTime;
        control.receivedNanos = latestTime;
        if (kind == NodeEvent.GAP) {
            control.gapStartNanos = BEFORE_ANY_CAPTURE;
            control.gapEndNanos = latestTime;
        } else if (kind == NodeEvent.NODE_DOWN) {
            control.reason = endOfCaptureReason;
        }
        handler.onEvent(control, false);
    }
}
