package io.transitwatch.daemon.http;

import io.transitwatch.daemon.join.JoinCounters.Global;
import io.transitwatch.daemon.join.JoinCounters.PerPair;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Immutable constants: the values of the {@code reason} label of {@code /metrics} for the join's
 * counters that have one, lower case as Prometheus label values usually are, sorted so that the
 * output is stable from scrape to scrape.
 */
final class ReasonLabels {
    /** Per-pair UNVERIFIED counters by reason (see {@code UnverifiedReason}). */
    static final SortedMap<String, PerPair> UNVERIFIED = sorted(Map.of(
            "observer_down", PerPair.UNVERIFIED_OBSERVER_DOWN,
            "gap", PerPair.UNVERIFIED_GAP,
            "lost_events", PerPair.UNVERIFIED_LOST_EVENTS,
            "behind", PerPair.UNVERIFIED_BEHIND,
            "no_observer", PerPair.UNVERIFIED_NO_OBSERVER,
            "capacity", PerPair.UNVERIFIED_CAPACITY,
            "request_unseen", PerPair.UNVERIFIED_REQUEST_UNSEEN));

    static final List<PerPair> ALL_UNVERIFIED = List.copyOf(UNVERIFIED.values());

    /** Flows the join ignored, by reason. */
    static final SortedMap<String, Global> IGNORED = sorted(Map.of(
            "not_join_safe", Global.IGNORED_NOT_JOIN_SAFE,
            "observation_point", Global.IGNORED_OBSERVATION_POINT,
            "excluded_identity", Global.IGNORED_EXCLUDED_IDENTITY,
            "same_node", Global.IGNORED_SAME_NODE,
            "unresolved_destination", Global.IGNORED_UNRESOLVED_DESTINATION,
            "no_ip", Global.IGNORED_NO_IP,
            "node_limit", Global.IGNORED_NODE_LIMIT,
            "orphan_retransmission", Global.IGNORED_ORPHAN_RETRANSMISSION,
            "not_first_data", Global.IGNORED_NOT_FIRST_DATA));

    private ReasonLabels() {}

    private static <V> SortedMap<String, V> sorted(Map<String, V> map) {
        return Collections.unmodifiableSortedMap(new TreeMap<>(map));
    }
}
