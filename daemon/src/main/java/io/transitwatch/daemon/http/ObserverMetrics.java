package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.MetricBuilders.count;
import static io.transitwatch.daemon.http.MetricBuilders.counter;
import static io.transitwatch.daemon.http.MetricBuilders.gauge;
import static io.transitwatch.daemon.http.MetricBuilders.level;
import static io.transitwatch.daemon.http.MetricBuilders.seconds;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.transitwatch.daemon.ingest.NodeIngestState;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinCounters.PerNode;
import java.util.List;

/**
 * Thread-safe (stateless): runs on the scraping HTTP thread and only reads the ingest's
 * {@link NodeIngestState}s and the join's per-node {@link JoinCounters}.
 *
 * <p>Health of each Hubble source, labelled {@code node}. In relay mode the relay stream itself is
 * one more source, {@code node="relay"}; the clock gauges exist for the nodes the join has seen.
 */
final class ObserverMetrics {
    private ObserverMetrics() {}

    static void collect(DaemonView daemon, MetricSnapshots.Builder out) {
        GaugeSnapshot.Builder connected = gauge("transitwatch_observer_connected",
                "1 while flows arrive from this Hubble source, 0 while its stream is down.");
        CounterSnapshot.Builder flows = counter("transitwatch_observer_flows",
                "Flows received from this source.");
        CounterSnapshot.Builder reconnects = counter("transitwatch_observer_reconnects",
                "Times the stream to this source was opened again after it failed or ended.");
        CounterSnapshot.Builder gaps = counter("transitwatch_observer_gaps",
                "Outages whose events backfill could not cover; the windows they overlap are unverified.");
        CounterSnapshot.Builder lostEvents = counter("transitwatch_observer_lost_events",
                "Events this source's Hubble reported it lost itself (perf ring, events queue).");
        CounterSnapshot.Builder malformed = counter("transitwatch_observer_malformed",
                "Messages from this source that could not be decoded.");
        CounterSnapshot.Builder duplicates = counter("transitwatch_observer_duplicates",
                "Backfilled events dropped because their uuid had been seen already.");
        GaugeSnapshot.Builder fallback = gauge("transitwatch_observer_field_mask_fallback",
                "1 if this source rejected the field mask (or the filters) and gets a simpler request.");
        for (NodeIngestState source : daemon.ingest().nodes()) {
            Labels node = Labels.of("node", source.name());
            connected.dataPoint(level(source.connected() ? 1 : 0, node));
            flows.dataPoint(count(source.flows(), node));
            reconnects.dataPoint(count(source.reconnects(), node));
            gaps.dataPoint(count(source.gaps(), node));
            lostEvents.dataPoint(count(source.lostEvents(), node));
            malformed.dataPoint(count(source.malformed(), node));
            duplicates.dataPoint(count(source.duplicates(), node));
            fallback.dataPoint(level(source.fieldMaskSupported() ? 0 : 1, node));
        }
        GaugeSnapshot.Builder offset = gauge("transitwatch_observer_clock_offset_seconds",
                "Added to this node's event times to place them on the daemon's time line: its clock offset "
                        + "plus the smallest delivery delay.");
        GaugeSnapshot.Builder lateness = gauge("transitwatch_observer_lateness_seconds",
                "How much later than the smallest delay this node's events arrive at most (recent span).");
        GaugeSnapshot.Builder extraWait = gauge("transitwatch_observer_extra_wait_seconds",
                "How much longer than join.window departures to this node wait for their arrival: the latest "
                        + "earliest transit of its peers' matched departures, where the time line has not corrected "
                        + "their clocks' skew (0 when it has; replay corrects none).");
        CounterSnapshot.Builder roundTrips = counter("transitwatch_round_trips",
                "Connection attempts of this node's clients to destinations without arrival events (API server, "
                        + "host, world), by verdict: answered, no_reply, refused, unverified (DESIGN §3.7).");
        JoinCounters counters = daemon.counters();
        for (int node = 0, nodes = counters.nodeCount(); node < nodes; node++) {
            String name = daemon.nodeName(counters.nodeId(node));
            Labels labels = Labels.of("node", name);
            offset.dataPoint(level(seconds(counters.node(node, PerNode.CLOCK_OFFSET_NANOS)), labels));
            lateness.dataPoint(level(seconds(counters.node(node, PerNode.LATENESS_NANOS)), labels));
            extraWait.dataPoint(level(seconds(counters.node(node, PerNode.EXTRA_WAIT_NANOS)), labels));
            roundTrips.dataPoint(count(counters.node(node, PerNode.ANSWERED), Labels.of("node", name, "verdict", "answered")));
            roundTrips.dataPoint(count(counters.node(node, PerNode.NO_REPLY), Labels.of("node", name, "verdict", "no_reply")));
            roundTrips.dataPoint(count(counters.node(node, PerNode.REFUSED), Labels.of("node", name, "verdict", "refused")));
            roundTrips.dataPoint(count(counters.node(node, PerNode.ROUND_TRIPS_UNVERIFIED),
                    Labels.of("node", name, "verdict", "unverified")));
        }
        List.of(connected.build(), flows.build(), reconnects.build(), gaps.build(), lostEvents.build(),
                malformed.build(), duplicates.build(), fallback.build(), offset.build(), lateness.build(),
                extraWait.build(), roundTrips.build())
                .forEach(out::metricSnapshot);
    }
}
