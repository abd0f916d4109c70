package io.transitwatch.daemon.ingest;

import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.NodeEvent;

/**
 * Single thread: owned by one stream, filled and flushed by the thread delivering that stream's
 * messages.
 *
 * <p>Decoded FLOW and LOST_EVENTS events waiting to be handed over together: messages are decoded
 * straight into {@link #next()}, {@link #commit()} keeps one, and {@link #flush()} publishes all kept
 * ones with one claim on the hand-off ring ({@link HandoffRing#publishBatch}). The stream flushes when
 * the batch is full, before it publishes a control event (so that order is kept), when its call ends,
 * and when gRPC's executor has no more callbacks of the call queued (see {@link FlowsCall}): a
 * message never waits for a later one. Each kept event holds the flow permit of its message.
 */
final class FlowBatch {
    private final HandoffRing ring;
    private final NodeEvent[] events;
    private int count;

    FlowBatch(HandoffRing ring, int size) {
        this.ring = ring;
        this.events = new NodeEvent[size];
        for (int i = 0; i < size; i++) {
            events[i] = new NodeEvent();
        }
    }

    /** The event the next message is decoded into. */
    NodeEvent next() {
        return events[count];
    }

    /** Keeps {@link #next()}; publishes the batch when it is full. */
    void commit() {
        if (++count == events.length) {
            flush();
        }
    }

    /** Publishes the kept events; {@link #next()} stays the same event, whatever was decoded into it is kept. */
    void flush() {
        if (count > 0) {
            ring.publishBatch(events, count);
            restart();
        }
    }

    /** Drops the kept events; returns how many (their permits are the caller's to release). */
    int discard() {
        int dropped = count;
        restart();
        return dropped;
    }

    private void restart() {
        if (count > 0 && count < events.length) { // a control event may flush while a message is half handled
            NodeEvent inProgress = events[count];
            events[count] = events[0];
            events[0] = inProgress;
        }
        count = 0;
    }

    int size() {
        return count;
    }
}
