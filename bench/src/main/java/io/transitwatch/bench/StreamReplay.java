package io.transitwatch.bench;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.NodeEventHandler;

/**
 * Single-threaded: one benchmark thread (or test) owns a replay and the events it moves.
 *
 * <p>Replays a {@link TransitStream} lap after lap, endlessly and without allocating, the way the
 * hand-off ring hands slots to the join. After an event has been handled, the replay moves it to
 * the next lap: both timestamps advance by the lap's length, and the client's ephemeral port
 * (the source port of a request, the destination port of a reply) rotates by
 * {@value #PORT_SHIFT_PER_LAP} inside the ephemeral range, the same shift for every event of a
 * connection. So time and watermarks keep moving, every lap's keys are new (as real clients pick
 * new ports), and the join's state stays bounded. Those three writes, to a slot the join has just
 * read, stand in for the ingest thread filling the slot; both the engine and the baseline pay them.
 */
public final class StreamReplay {
    /** How far the client ports move per lap, inside the ephemeral range. */
    public static final int PORT_SHIFT_PER_LAP = 7919;
    /** Size of the ephemeral port range the client ports rotate in. */
    public static final int EPHEMERAL_COUNT = TransitStream.EPHEMERAL_LAST - TransitStream.EPHEMERAL_FIRST + 1;

    private final NodeEvent[] events;
    private final long lapNanos;
    private int next;
    private long laps;

    public StreamReplay(TransitStream stream) {
        this.events = stream.events();
        this.lapNanos = stream.lapNanos();
    }

    /** The daemon's clock once the next {@code count} events are in: the receive time of the last one. */
    public long clockAfter(int count) {
        int last = next + count - 1;
        return events[last < events.length ? last : last % events.length].receivedNanos;
    }

    /** Hands the next {@code count} events to {@code handler}, in order, and moves each one lap on. */
    public void deliver(NodeEventHandler handler, int count) {
        NodeEvent[] events = this.events;
        long lap = lapNanos;
        int i = next;
        for (int n = 0; n < count; n++) {
            NodeEvent event = events[i];
            handler.onEvent(event, n == count - 1);
            event.timeNanos += lap;
            event.receivedNanos += lap;
            shiftClientPort(event, PORT_SHIFT_PER_LAP);
            if (++i == events.length) {
                i = 0;
                laps++;
            }
        }
        next = i;
    }

    /** The replay as a join event source: a full batch of the lap's next events on every poll. */
    public io.transitwatch.daemon.join.EventSource source() {
        return (handler, limit) -> {
            deliver(handler, limit);
            return limit;
        };
    }

    /** Whole laps delivered so far. */
    public long laps() {
        return laps;
    }

    /** Events delivered since the replay started. */
    public long delivered() {
        return laps * events.length + next;
    }

    /** Index in the lap of the next event to deliver. */
    public int position() {
        return next;
    }

    /** Events per lap. */
    public int lapLength() {
        return events.length;
    }

    /**
     * Moves the client's port of {@code event} (source port of a request, destination port of a reply)
     * {@code shift} places on inside the ephemeral range, {@code 0 <= shift < EPHEMERAL_COUNT}.
     */
    public static void shiftClientPort(NodeEvent event, int shift) {
        if (event.isReply == 1) {
            event.dstPort = rotate(event.dstPort, shift);
        } else {
            event.srcPort = rotate(event.srcPort, shift);
        }
    }

    private static int rotate(int port, int shift) {
        int shifted = port + shift;
        return shifted > TransitStream.EPHEMERAL_LAST ? shifted - EPHEMERAL_COUNT : shifted;
    }
}
