package io.transitwatch.daemon.incident;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.EventIds;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.WorkloadLoss;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Single-threaded for updates (the join thread, through {@link AlertFactory}); {@link #openIncidents()}
 * may be read from any thread.
 *
 * <p>Rolls verdicts up into incidents keyed by (source node, destination node, family), as Slack
 * and the web page speak of them (DESIGN §3.6): the first loss on a pair opens a FIRING incident at
 * once; while it fires, it counts lost, matched and unverified attempts and the workload pairs hit
 * most, and re-announces itself at most every update interval when the counts moved; it RESOLVES
 * once matches have resumed and no loss was seen for the resolve delay. Every change of one
 * incident carries the incident's id (the id of its opening change) and its own event id, so that
 * consumers can follow an incident from FIRING to RESOLVED. Per-pair state lives in
 * arrays indexed by the join's pair slot, so a match costs two array writes.
 *
 * <p>{@link #openIncidents()} (the web page's and {@code /api/incidents}' view) keeps up with the
 * counts at most {@value #SNAPSHOT_INTERVAL_MILLIS} ms behind, not only at announcements (which may
 * be an update interval apart): each refreshed entry keeps the {@code id} of the latest change the
 * sinks received, with the counts and {@code time} of its refresh.
 */
public final class IncidentTracker {
    private static final byte QUIET = 0;
    private static final byte FIRING = 1;
    static final long SNAPSHOT_INTERVAL_MILLIS = 1000;
    private static final long SNAPSHOT_INTERVAL_NANOS = SNAPSHOT_INTERVAL_MILLIS * 1_000_000L;

    private final IncidentConfig config;
    private final EventIds ids;
    private final Consumer<SinkEvent> out;
    private final byte[] state;
    private final long[] lost;
    private final long[] matched;
    private final long[] matchedSinceLoss;
    private final long[] unverified;
    /** Losses of first data (FIRST-ACK / FIRST-PSH) and of the handshake (everything else) during the incident. */
    private final long[] firstDataLost;
    private final long[] handshakeLost;
    private final long[] firstSeenNanos;
    private final long[] lastLossNanos;
    private final long[] lastAnnouncedNanos;
    private final boolean[] changed;
    private final boolean[] movedSinceSnapshot;
    private long snapshotDueNanos;
    private final String[] sourceNode;
    private final String[] destinationNode;
    private final String[] family;
    private final String[] incidentId;
    private final int[] sequence;
    private final List<Map<String, long[]>> workloadLosses;
    private final int[] firing;
    private int firingCount;
    private final Map<Integer, IncidentChange> open = new ConcurrentHashMap<>();
    private final RoundTripIncidents roundTrips;

    public IncidentTracker(IncidentConfig config, int maxPairs, EventIds ids, Consumer<SinkEvent> out) {
        this.config = config;
        this.ids = ids;
        this.out = out;
        state = new byte[maxPairs];
        lost = new long[maxPairs];
        matched = new long[maxPairs];
        matchedSinceLoss = new long[maxPairs];
        unverified = new long[maxPairs];
        firstDataLost = new long[maxPairs];
        handshakeLost = new long[maxPairs];
        firstSeenNanos = new long[maxPairs];
        lastLossNanos = new long[maxPairs];
        lastAnnouncedNanos = new long[maxPairs];
        changed = new boolean[maxPairs];
        movedSinceSnapshot = new boolean[maxPairs];
        sourceNode = new String[maxPairs];
        destinationNode = new String[maxPairs];
        family = new String[maxPairs];
        incidentId = new String[maxPairs];
        sequence = new int[maxPairs];
        workloadLosses = new ArrayList<>(maxPairs);
        for (int i = 0; i < maxPairs; i++) {
            workloadLosses.add(null);
        }
        firing = new int[maxPairs];
        roundTrips = new RoundTripIncidents(config, ids, out);
    }

    /** The incidents of round trips (NO_REPLY, REFUSED), keyed by destination node or address class. */
    RoundTripIncidents roundTrips() {
        return roundTrips;
    }

    void onLost(int pair, Alert alert, long nowNanos) {
        if (pair < 0) {
            return;
        }
        if (state[pair] != FIRING) {
            open(pair, alert, nowNanos);
        }
        lost[pair]++;
        if (alert.kind().startsWith("FIRST-")) {
            firstDataLost[pair]++;
        } else {
            handshakeLost[pair]++;
        }
        matchedSinceLoss[pair] = 0;
        lastLossNanos[pair] = nowNanos;
        changed[pair] = true;
        movedSinceSnapshot[pair] = true;
        String workloads = workloadPair(alert);
        workloadLosses.get(pair).computeIfAbsent(workloads, k -> new long[1])[0]++;
        if (lost[pair] == 1) {
            announce(pair, IncidentState.FIRING, nowNanos);
        }
    }

    void onMatched(int pair) {
        if (pair >= 0 && state[pair] == FIRING) {
            matched[pair]++;
            matchedSinceLoss[pair]++;
            changed[pair] = true;
            movedSinceSnapshot[pair] = true;
        }
    }

    void onUnverified(int pair) {
        if (pair >= 0 && state[pair] == FIRING) {
            unverified[pair]++;
            changed[pair] = true;
            movedSinceSnapshot[pair] = true;
        }
    }

    /** Re-announces moved counts and resolves quiet incidents; called once per join duty cycle. */
    void onAdvance(long nowNanos) {
        long resolveAfter = config.resolveAfter().toNanos();
        long updateInterval = config.updateInterval().toNanos();
        roundTrips.onAdvance(nowNanos);
        for (int i = firingCount - 1; i >= 0; i--) {
            int pair = firing[i];
            if (matchedSinceLoss[pair] > 0 && nowNanos - lastLossNanos[pair] >= resolveAfter) {
                announce(pair, IncidentState.RESOLVED, nowNanos);
                close(pair, i);
            } else if (changed[pair] && nowNanos - lastAnnouncedNanos[pair] >= updateInterval) {
                announce(pair, IncidentState.FIRING, nowNanos);
            }
        }
        refreshSnapshots(nowNanos);
    }

    /** Brings {@link #openIncidents()} up to date with counts that moved since, once a second at most. */
    private void refreshSnapshots(long nowNanos) {
        if (nowNanos < snapshotDueNanos) {
            return;
        }
        snapshotDueNanos = nowNanos + SNAPSHOT_INTERVAL_NANOS;
        for (int i = 0; i < firingCount; i++) {
            int pair = firing[i];
            IncidentChange announced = open.get(pair);
            if (movedSinceSnapshot[pair] && announced != null) {
                open.put(pair, change(pair, announced.id(), announced.sequence(), IncidentState.FIRING, nowNanos));
                movedSinceSnapshot[pair] = false;
            }
        }
    }

    /**
     * The join gave the pair's slot to another pair: the pair had no verdict for the pair idle time.
     * A firing incident on it ends RESOLVED with its counts (nothing has been lost on it since), so
     * that the slot's next pair does not inherit it.
     */
    void onPairRecycled(int pair, long nowNanos) {
        if (state[pair] != FIRING) {
            return;
        }
        announce(pair, IncidentState.RESOLVED, nowNanos);
        for (int i = 0; i < firingCount; i++) {
            if (firing[i] == pair) {
                close(pair, i);
                return;
            }
        }
    }

    /** The latest state of every firing incident; safe from any thread. */
    public Collection<IncidentChange> openIncidents() {
        if (!roundTrips.anyFiring()) {
            return List.copyOf(open.values());
        }
        List<IncidentChange> all = new ArrayList<>(open.values());
        all.addAll(roundTrips.openIncidents());
        return List.copyOf(all);
    }

    private void open(int pair, Alert alert, long nowNanos) {
        state[pair] = FIRING;
        lost[pair] = 0;
        matched[pair] = 0;
        matchedSinceLoss[pair] = 0;
        unverified[pair] = 0;
        firstDataLost[pair] = 0;
        handshakeLost[pair] = 0;
        firstSeenNanos[pair] = nowNanos;
        sourceNode[pair] = alert.source().node();
        destinationNode[pair] = alert.destination().node();
        family[pair] = alert.family();
        incidentId[pair] = null; // the opening change's id, set when it is announced
        sequence[pair] = 0;
        workloadLosses.set(pair, new HashMap<>());
        firing[firingCount++] = pair;
    }

    private void close(int pair, int firingIndex) {
        state[pair] = QUIET;
        incidentId[pair] = null;
        workloadLosses.set(pair, null);
        firing[firingIndex] = firing[--firingCount];
        open.remove(pair);
    }

    private void announce(int pair, IncidentState newState, long nowNanos) {
        String id = ids.next();
        if (incidentId[pair] == null) {
            incidentId[pair] = id;
        }
        IncidentChange change = change(pair, id, ++sequence[pair], newState, nowNanos);
        lastAnnouncedNanos[pair] = nowNanos;
        changed[pair] = false;
        movedSinceSnapshot[pair] = false;
        if (newState == IncidentState.FIRING) {
            open.put(pair, change);
        }
        out.accept(change);
    }

    private IncidentChange change(int pair, String id, int changeSequence, IncidentState newState, long nowNanos) {
        long total = lost[pair] + matched[pair];
        return new IncidentChange(id, incidentId[pair], changeSequence, instant(nowNanos), newState, sourceNode[pair],
                destinationNode[pair], family[pair], lost[pair], matched[pair], unverified[pair],
                total == 0 ? 0.0 : (double) lost[pair] / total, instant(firstSeenNanos[pair]),
                instant(lastLossNanos[pair]), topWorkloads(pair), "LOST_IN_TRANSIT", note(pair));
    }

    /**
     * A pair that loses only first data while its handshakes get through drops full-size packets
     * (DESIGN §3.8): the SYN, SYN-ACK and third ACK are small, the first data segment is not.
     */
    private String note(int pair) {
        return firstDataLost[pair] > 0 && handshakeLost[pair] == 0
                ? "handshake completes, first data segment lost: suspect MTU / fragmentation" : null;
    }

    private List<WorkloadLoss> topWorkloads(int pair) {
        return workloadLosses.get(pair).entrySet().stream()
                .sorted(Comparator.comparingLong((Map.Entry<String, long[]> e) -> -e.getValue()[0])
                        .thenComparing(Map.Entry::getKey))
                .limit(config.topWorkloads())
                .map(e -> {
                    String[] ends = e.getKey().split("\u0000", 2);
                    return new WorkloadLoss(ends[0], ends[1], e.getValue()[0]);
                })
                .toList();
    }

    private static String workloadPair(Alert alert) {
        return name(alert.source()) + "\u0000" + name(alert.destination());
    }

    private static String name(io.transitwatch.sinks.AlertEndpoint endpoint) {
        String workload = endpoint.workloadName();
        if (workload != null) {
            return workload;
        }
        String pod = endpoint.podName();
        return pod != null ? pod : endpoint.ip();
    }

    private static Instant instant(long epochNanos) {
        return Instant.ofEpochSecond(0, epochNanos);
    }
}
