package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.MetricBuilders.count;
import static io.transitwatch.daemon.http.MetricBuilders.counter;
import static io.transitwatch.daemon.http.MetricBuilders.gauge;
import static io.transitwatch.daemon.http.MetricBuilders.level;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinCounters.Global;
import io.transitwatch.daemon.join.JoinEngine;
import java.util.List;
import java.util.Map;

/**
 * Thread-safe (stateless): runs on the scraping HTTP thread and only reads counters.
 *
 * <p>The join itself, the hand-off ring in front of it and the incidents behind it: throughput,
 * what was ignored and why (labelled {@code reason}), and how full the fixed-size tables (and the
 * name dictionary) are.
 */
final class JoinMetrics {
    private JoinMetrics() {}

    static void collect(DaemonView daemon, MetricSnapshots.Builder out) {
        JoinCounters counters = daemon.counters();
        JoinEngine engine = daemon.engine();
        HandoffRing ring = daemon.ring();
        StringDictionary dictionary = daemon.dictionary();
        CounterSnapshot.Builder ignored = counter("transitwatch_join_ignored",
                "Flows the join did not use, by reason.");
        for (Map.Entry<String, Global> reason : ReasonLabels.IGNORED.entrySet()) {
            ignored.dataPoint(count(counters.get(reason.getValue()), Labels.of("reason", reason.getKey())));
        }
        List<MetricSnapshot> snapshots = List.of(
                total("transitwatch_join_events", "Events the join consumed (flows, lost-event reports, node up/down, gaps).",
                        counters.get(Global.EVENTS)),
                total("transitwatch_join_flows", "Flows the join consumed.", counters.get(Global.FLOWS)),
                ignored.build(),
                current("transitwatch_join_pending", "Departures waiting for their verdict.", engine.pendingCount()),
                current("transitwatch_join_pending_capacity", "Fixed capacity of the pending-departure table.",
                        engine.pendingCapacity()),
                total("transitwatch_join_pending_evicted",
                        "Pending departures evicted undecided because the table was full (counted UNVERIFIED capacity).",
                        counters.get(Global.PENDING_EVICTED)),
                current("transitwatch_join_remembered_arrivals", "Arrivals remembered for departures not seen yet.",
                        engine.rememberedArrivalCount()),
                total("transitwatch_join_arrivals_evicted",
                        "Remembered arrivals evicted because the table was full.", counters.get(Global.ARRIVALS_EVICTED)),
                current("transitwatch_join_pairs", "Node pairs (per family) holding a pair slot now.",
                        counters.activePairs()),
                current("transitwatch_join_pairs_capacity",
                        "Pair slots (join.max-pairs); pairs without a slot are not counted per pair.",
                        engine.config().maxPairs()),
                total("transitwatch_join_pair_slot_misses",
                        "Departures and verdicts not counted per pair because no pair slot was free.",
                        counters.get(Global.PAIR_SLOT_MISSES)),
                total("transitwatch_join_pairs_recycled",
                        "Pair slots given to new pairs after their pair had no verdict for join.pair-idle-after.",
                        counters.get(Global.PAIRS_RECYCLED)),
                total("transitwatch_join_matched_masqueraded",
                        "Departures matched only at an arrival from their source node's own address: pod-to-pod "
                                + "traffic masqueraded on its way (a native-routing CIDR not covering the pods).",
                        counters.get(Global.MATCHED_MASQUERADED)),
                current("transitwatch_join_nodes", "Nodes the join tells apart now.", counters.nodeCount()),
                current("transitwatch_join_nodes_capacity",
                        "Nodes the join can tell apart (join.max-nodes); events of others are ignored.",
                        engine.config().maxNodes()),
                total("transitwatch_join_errors",
                        "Exceptions in the join thread (each one skipped an event or the rest of a cycle; an Error stops the join).",
                        daemon.joinLoop().errorCount()),
                current("transitwatch_join_cycle_age_seconds",
                        "How long the join's current duty cycle has run; milliseconds normally, and from 30 s on the "
                                + "join counts as stalled (liveness and readiness fail).",
                        daemon.joinLoop().cycleAgeNanos() / 1e9),
                total("transitwatch_join_skipped_events",
                        "Events the join threw an exception for: consumed from the hand-off ring without being joined.",
                        ring.skippedEvents()),
                current("transitwatch_handoff_ring_fill", "Events handed over by the streams and not yet joined.",
                        ring.fillLevel()),
                current("transitwatch_handoff_ring_capacity", "Slots of the hand-off ring.", ring.capacity()),
                total("transitwatch_handoff_credit_waits",
                        "Times a stream found no free ring slot and stopped asking Hubble for flows (back-pressure).",
                        ring.creditWaits()),
                current("transitwatch_overloaded",
                        "1 while the daemon sheds load: the hand-off ring is half full, or Hubble skipped events in the last 5 s because the daemon did not read them in time.",
                        daemon.ingest().overload().overloaded() ? 1 : 0),
                total("transitwatch_overload_lost_events",
                        "Events Hubble skipped because this daemon read too slowly (HUBBLE_RING_BUFFER); their windows are unverified.",
                        daemon.ingest().overload().readerLostEvents()),
                current("transitwatch_dictionary_names", "Names (node, pod, namespace, workload, interface) interned now.",
                        dictionary.size()),
                current("transitwatch_dictionary_capacity", "Most names the dictionary holds at once.",
                        dictionary.capacity()),
                total("transitwatch_dictionary_evictions",
                        "Name ids recycled because nobody had used the name for the dictionary's hold time.",
                        dictionary.evictions()),
                total("transitwatch_dictionary_overflows",
                        "New names mapped to \"?\" because no id was free (names used recently exceed the capacity).",
                        dictionary.overflowCount()),
                current("transitwatch_incidents_firing", "Incidents currently FIRING.",
                        daemon.incidents().openIncidents().size()));
        snapshots.forEach(out::metricSnapshot);
    }

    private static MetricSnapshot total(String name, String help, long value) {
        return counter(name, help).dataPoint(count(value, Labels.EMPTY)).build();
    }

    private static MetricSnapshot current(String name, String help, double value) {
        return gauge(name, help).dataPoint(level(value, Labels.EMPTY)).build();
    }
}
