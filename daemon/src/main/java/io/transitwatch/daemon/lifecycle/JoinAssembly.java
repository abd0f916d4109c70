package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.clock.JavaClock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.incident.AlertFactory;
import io.transitwatch.daemon.incident.IncidentConfig;
import io.transitwatch.daemon.incident.IncidentTracker;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinEngine;
import io.transitwatch.daemon.topology.Topology;
import io.transitwatch.sinks.EventIds;
import io.transitwatch.sinks.SinkEvent;
import java.security.SecureRandom;
import java.util.function.Consumer;

/**
 * Built on any thread, then owned by the join thread: every part of it is single-threaded (see
 * {@link JoinEngine}), except the counters and the alert and incident read-outs, which say so.
 *
 * <p>The join and what hangs off it — topology, counters, engine, alert factory, incident tracker —
 * wired from one {@link Settings}. The live daemon and {@code transitwatch replay} both build their
 * join here, so that a capture replayed offline is judged by exactly the join that runs live.
 *
 * @param out where alerts and incident changes go (the sink dispatcher, or replay's stdout)
 */
public record JoinAssembly(JoinConfig config, Topology topology, JoinCounters counters, JoinEngine engine,
        AlertFactory alerts, IncidentTracker incidents) {

    /**
     * @param clock the daemon's clock: wall time live, event time in replay (alert ids are time-sortable)
     */
    public static JoinAssembly from(Settings settings, StringDictionary dictionary, Clock clock,
            Consumer<SinkEvent> out) {
        return from(settings, JoinSettings.from(settings), dictionary, clock, out);
    }

    /** As {@link #from(Settings, StringDictionary, Clock, Consumer)}, with the join's config given (a partition's share). */
    public static JoinAssembly from(Settings settings, JoinConfig config, StringDictionary dictionary, Clock clock,
            Consumer<SinkEvent> out) {
        EventIds ids = new EventIds(JavaClock.of(clock), new SecureRandom());
        IncidentTracker incidents = new IncidentTracker(new IncidentConfig(
                settings.duration(ConfigKeys.INCIDENTS_RESOLVE_AFTER),
                settings.duration(ConfigKeys.INCIDENTS_UPDATE_INTERVAL),
                settings.integer(ConfigKeys.INCIDENTS_TOP_WORKLOADS)), config.maxPairs(), ids, out);
        Topology topology = new Topology(settings.get(ConfigKeys.TOPOLOGY_POD_CIDRS), dictionary::pin,
                settings.integer(ConfigKeys.TOPOLOGY_LEARNED_MAX), settings.duration(ConfigKeys.TOPOLOGY_LEARNED_TTL));
        topology.setNodeAddresses(settings.get(ConfigKeys.TOPOLOGY_NODE_ADDRESSES), dictionary::pin);
        AlertFactory alerts = new AlertFactory(dictionary, topology, incidents, ids, out, config.lostHistoryCapacity());
        JoinCounters counters = new JoinCounters(config.maxNodes(), config.maxPairs());
        JoinEngine engine = new JoinEngine(config, topology, alerts, counters);
        return new JoinAssembly(config, topology, counters, engine, alerts, incidents);
    }
}
