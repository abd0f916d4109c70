package io.transitwatch.daemon.incident;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.EventIds;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.WorkloadLoss;
import java.time.Instant;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Single-threaded for updates (the join thread, through {@link AlertFactory}); {@link #openIncidents()}
 * may be read from any thread.
 *
 * <p>Incidents of round trips (DESIGN §3.7), keyed by (source node, destination node or address
 * class, family, verdict): the first NO_REPLY (or REFUSED) opens one at once; while it fires it
 * counts failed, answered and unverified attempts of its (source, destination, family); it resolves
 * once answers have resumed and no failure was seen for the resolve delay, like a pair incident.
 * Attempts answered while nothing fires cost one emptiness check: the key is built only while an
 * incident fires.
 */
final class RoundTripIncidents {
    private final IncidentConfig config;
    private final EventIds ids;
    private final Consumer<SinkEvent> out;
    private final Map<String, Incident> firing = new HashMap<>();
    private final Map<String, IncidentChange> open = new ConcurrentHashMap<>();

    private static final class Incident {
        final String source;
        final String destination;
        final String family;
        final String verdict;
        final long firstSeenNanos;
        final Map<String, long[]> workloads = new HashMap<>();
        long failed;
        long answered;
        long answeredSinceFailure;
        long unverified;
        long lastFailureNanos;
        long lastAnnouncedNanos;
        boolean changed;
        /** The id of the change that opened the incident, carried by all its changes; null until then. */
        String incidentId;
        int sequence;

        Incident(String source, String destination, String family, String verdict, long nowNanos) {
            this.source = source;
            this.destination = destination;
            this.family = family;
            this.verdict = verdict;
            this.firstSeenNanos = nowNanos;
        }
    }

    RoundTripIncidents(IncidentConfig config, EventIds ids, Consumer<SinkEvent> out) {
        this.config = config;
        this.ids = ids;
        this.out = out;
    }

    /** A NO_REPLY or REFUSED alert whose destination is {@code destination} (node name or address class). */
    void onFailure(Alert alert, String destination, long nowNanos) {
        String verdict = alert.verdict().name();
        String key = key(alert.source().node(), destination, alert.family(), verdict);
        Incident incident = firing.get(key);
        boolean opened = incident == null;
        if (opened) {
            incident = new Incident(alert.source().node(), destination, alert.family(), verdict, nowNanos);
            firing.put(key, incident);
        }
        incident.failed++;
        incident.answeredSinceFailure = 0;
        incident.lastFailureNanos = nowNanos;
        incident.changed = true;
        String client = alert.source().workloadName() != null ? alert.source().workloadName()
                : alert.source().podName() != null ? alert.source().podName() : alert.source().ip();
        String server = alert.destination().ip() + ":" + alert.destination().port();
        incident.workloads.computeIfAbsent(client + "\u0000" + server, k -> new long[1])[0]++;
        if (opened) {
            announce(key, incident, IncidentState.FIRING, nowNanos);
        }
    }

    /** An attempt of {@code source} to {@code destination} was answered. */
    void onAnswered(String source, String destination, String family) {
        if (firing.isEmpty()) {
            return;
        }
        count(source, destination, family, true);
    }

    void onUnverified(String source, String destination, String family) {
        if (firing.isEmpty()) {
            return;
        }
        count(source, destination, family, false);
    }

    boolean anyFiring() {
        return !firing.isEmpty();
    }

    private void count(String source, String destination, String family, boolean answered) {
        for (String verdict : new String[] {"NO_REPLY", "REFUSED"}) {
            Incident incident = firing.get(key(source, destination, family, verdict));
            if (incident != null) {
                if (answered) {
                    incident.answered++;
                    incident.answeredSinceFailure++;
                } else {
                    incident.unverified++;
                }
                incident.changed = true;
            }
        }
    }

    /** Re-announces moved counts and resolves quiet incidents; once per join duty cycle. */
    void onAdvance(long nowNanos) {
        long resolveAfter = config.resolveAfter().toNanos();
        long updateInterval = config.updateInterval().toNanos();
        for (Iterator<Map.Entry<String, Incident>> it = firing.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Incident> entry = it.next();
            Incident incident = entry.getValue();
            if (incident.answeredSinceFailure > 0 && nowNanos - incident.lastFailureNanos >= resolveAfter) {
                announce(entry.getKey(), incident, IncidentState.RESOLVED, nowNanos);
                open.remove(entry.getKey());
                it.remove();
            } else if (incident.changed && nowNanos - incident.lastAnnouncedNanos >= updateInterval) {
                announce(entry.getKey(), incident, IncidentState.FIRING, nowNanos);
            }
        }
    }

    /** The latest state of every firing round-trip incident; safe from any thread. */
    Collection<IncidentChange> openIncidents() {
        return List.copyOf(open.values());
    }

    private void announce(String key, Incident incident, IncidentState state, long nowNanos) {
        String id = ids.next();
        if (incident.incidentId == null) {
            incident.incidentId = id;
        }
        IncidentChange change = IncidentChange.builder()
                .id(id)
                .incidentId(incident.incidentId)
                .sequence(++incident.sequence)
                .time(instant(nowNanos))
                .state(state)
                .sourceNode(incident.source)
                .destinationNode(incident.destination)
                .family(incident.family)
                .lost(incident.failed)
                .matched(incident.answered)
                .unverified(incident.unverified)
                .firstSeen(instant(incident.firstSeenNanos))
                .lastSeen(instant(incident.lastFailureNanos))
                .topWorkloads(top(incident))
                .verdict(incident.verdict)
                .note(incident.failed + (incident.failed == 1 ? " connection attempt, " : " connection attempts, ")
                        + incident.answered + " answered" + (incident.verdict.equals("REFUSED") ? ", refused" : ""))
                .build();
        incident.lastAnnouncedNanos = nowNanos;
        incident.changed = false;
        if (state == IncidentState.FIRING) {
            open.put(key, change);
        }
        out.accept(change);
    }

    private List<WorkloadLoss> top(Incident incident) {
        return incident.workloads.entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0])
                        .thenComparing(Map.Entry::getKey))
                .limit(config.topWorkloads())
                .map(e -> {
                    String[] ends = e.getKey().split("\u0000", 2);
                    return new WorkloadLoss(ends[0], ends[1], e.getValue()[0]);
                })
                .toList();
    }

    private static String key(String source, String destination, String family, String verdict) {
        return source + "\u0000" + destination + "\u0000" + family + "\u0000" + verdict;
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos);
    }
}
