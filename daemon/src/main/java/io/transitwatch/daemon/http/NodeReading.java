package io.transitwatch.daemon.http;

import io.transitwatch.daemon.ingest.IngestState;
import io.transitwatch.daemon.ingest.NodeIngestState;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinCounters.PerNode;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Immutable. One node's observer (its Hubble stream) as the web page judges it at one moment:
 * watched, or why not; and the join's counts of the events that make its view incomplete, so that
 * two readings tell whether anything went missing in between.
 *
 * @param state  {@value #WATCHED}, {@value #CATCHING_UP}, {@value #DOWN} or {@value #NOT_DELIVERED}
 * @param reason null when watched, else one line for humans naming the cause
 * @param downs  times the join saw the node's stream go down, since start
 * @param gaps   outages backfill could not cover, since start
 * @param lostEvents events the node's Hubble reported lost, since start
 */
record NodeReading(String name, String state, String reason, long downs, long gaps, long lostEvents) {
    /** Delivering and caught up: a departure to this node can be judged. */
    static final String WATCHED = "watched";
    /** Delivering again after (re)connecting, but not yet past what it was asked to re-read. */
    static final String CATCHING_UP = "catching_up";
    /** Its stream is down: nothing it sees reaches the daemon. */
    static final String DOWN = "down";
    /** Known (configured, listed by Relay, or named by a flow) but has not delivered an event yet. */
    static final String NOT_DELIVERED = "not_delivered";

    boolean watched() {
        return state.equals(WATCHED);
    }

    /** Every node the join or the ingest knows, by name (sorted); the relay stream is not a node. */
    static SortedMap<String, NodeReading> readAll(DaemonView daemon) {
        SortedMap<String, NodeReading> nodes = new TreeMap<>();
        Map<String, Integer> joinNodes = new TreeMap<>();
        JoinCounters counters = daemon.counters();
        for (int node = 0, count = counters.nodeCount(); node < count; node++) {
            joinNodes.put(daemon.nodeName(counters.nodeId(node)), node);
        }
        for (NodeIngestState source : daemon.ingest().nodes()) {
            if (!source.name().equals(IngestState.RELAY)) {
                nodes.put(source.name(), read(source.name(), source, joinNodes.get(source.name()), counters));
            }
        }
        for (Map.Entry<String, Integer> node : joinNodes.entrySet()) {
            nodes.computeIfAbsent(node.getKey(), name -> read(name, null, node.getValue(), counters));
        }
        return nodes;
    }

    private static NodeReading read(String name, NodeIngestState ingest, Integer joinNode, JoinCounters counters) {
        long joinState = joinNode == null ? JoinCounters.OBSERVER_NEVER_SEEN : counters.node(joinNode, PerNode.STATE);
        long downs = joinNode == null ? 0 : counters.node(joinNode, PerNode.DOWN);
        long gaps = joinNode == null ? 0 : counters.node(joinNode, PerNode.GAPS);
        long lost = joinNode == null ? 0 : counters.node(joinNode, PerNode.LOST_EVENTS);
        String error = ingest == null || ingest.lastError().isEmpty() ? null : ingest.lastError();
        // The ingest hears of a failure first (the join learns of it through the ring a moment later).
        boolean ingestDown = ingest != null && !ingest.connected();
        String state;
        String reason;
        if (joinState == JoinCounters.OBSERVER_NEVER_SEEN) {
            state = NOT_DELIVERED;
            reason = ingestDown ? "not connected yet" + (error == null ? "" : ": " + error)
                    : "connected, no event delivered yet";
        } else if (joinState == JoinCounters.OBSERVER_DOWN || ingestDown) {
            state = DOWN;
            reason = "stream down" + (error == null ? "" : ": " + error);
        } else if (joinState == JoinCounters.OBSERVER_CATCHING_UP) {
            state = CATCHING_UP;
            reason = "stream back, still re-reading what it missed";
        } else {
            state = WATCHED;
            reason = null;
        }
        return new NodeReading(name, state, reason, downs, gaps, lost);
    }
}
