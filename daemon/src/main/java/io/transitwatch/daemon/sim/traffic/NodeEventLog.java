package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.sim.EmissionListener;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.util.ArrayDeque;
import java.util.List;

/**
 * Thread-safe: the traffic thread appends, tests read (one lock). Everything one node emitted, in
 * ring order (flows and lost events), bounded to the newest {@code capacity} entries, plus counters
 * that are never truncated; each event is also handed to the {@link EmissionListener}, outside the
 * lock, on the traffic thread.
 */
public final class NodeEventLog {
    /**
     * Immutable counters of one node since the start.
     *
     * @param flows                 flow events recorded in the node's ring
     * @param lostEventReports      LostEvent notices the node recorded about its own losses
     * @param lostInPerfRing        events swallowed by a lost-events run (reported in those notices)
     * @param lostWhileDown         events produced while the node's Hubble was down (never reported)
     */
    public record Counts(long flows, long lostEventReports, long lostInPerfRing, long lostWhileDown) {}

    private final int capacity;
    private final ArrayDeque<GetFlowsResponse> events;
    private final EmissionListener listener;
    private long flows;
    private long lostEventReports;
    private long lostInPerfRing;
    private long lostWhileDown;

    public NodeEventLog(int capacity, EmissionListener listener) {
        if (capacity < 0) {
            throw new IllegalArgumentException("event log capacity must be >= 0: " + capacity);
        }
        this.capacity = capacity;
        this.listener = listener;
        this.events = new ArrayDeque<>(Math.min(capacity, 4096));
    }

    public synchronized List<GetFlowsResponse> events() {
        return List.copyOf(events);
    }

    public synchronized Counts counts() {
        return new Counts(flows, lostEventReports, lostInPerfRing, lostWhileDown);
    }

    void recorded(GetFlowsResponse response) {
        synchronized (this) {
            keep(response);
        }
        listener.onEmitted(response);
    }

    private void keep(GetFlowsResponse response) {
        if (response.hasFlow()) {
            flows++;
        } else if (response.hasLostEvents()) {
            lostEventReports++;
        }
        if (capacity == 0) {
            return;
        }
        if (events.size() == capacity) {
            events.removeFirst();
        }
        events.addLast(response);
    }

    synchronized void lostInPerfRing() {
        lostInPerfRing++;
    }

    synchronized void lostWhileDown() {
        lostWhileDown++;
    }
}
