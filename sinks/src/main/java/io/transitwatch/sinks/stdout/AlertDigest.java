package io.transitwatch.sinks.stdout;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Confined to the stdout sink's dispatcher worker thread.
 *
 * <p>Makes stdout speak in incidents ({@code stdout.alerts: summary}): every incident change is
 * passed on; of the alerts of one (source node, destination node, family), the first few are passed
 * on one by one and the rest are counted, per verdict and packet kind, and passed on as one
 * {@link AlertCount} per verdict once the count has run for the interval. A count is also passed on
 * just before the pair's next incident change (so that UPDATE and RESOLVED lines follow the counts
 * they include) and on {@link #drain}. Time is the daemon's time carried by the events, so that a
 * replay or a test on a manual clock prints exactly what a live run would.
 *
 * <p>A pair's "first few" start again with its next incident, after RESOLVED. Pairs without a
 * firing incident (DROPPED_AT_DESTINATION alerts, which open none, or LATE ones after RESOLVED) are
 * forgotten once they have had no alert for {@link #FORGET_AFTER}, so memory stays bounded by the
 * pairs with recent alerts.
 */
final class AlertDigest {
    static final Duration FORGET_AFTER = Duration.ofMinutes(5);

    private final int firstAlerts;
    private final Duration interval;
    private final Map<PairKey, Pair> pairs = new LinkedHashMap<>();
    private Instant latest = Instant.EPOCH;
    private Instant nextDue;
    private Instant nextSweep = Instant.EPOCH;

    /**
     * @param firstAlerts alerts of a pair passed on one by one before counting starts (0: count them all)
     * @param interval    how long a count runs before it is passed on
     */
    AlertDigest(int firstAlerts, Duration interval) {
        Objects.requireNonNull(interval, "interval");
        if (firstAlerts < 0 || interval.isNegative() || interval.isZero()) {
            throw new IllegalArgumentException("firstAlerts must be >= 0 and interval > 0, were " + firstAlerts
                    + " and " + interval);
        }
        this.firstAlerts = firstAlerts;
        this.interval = interval;
    }

    /** Adds what {@code event} makes printable now, in order: due counts, then the event or nothing. */
    void add(SinkEvent event, List<Object> out) {
        Instant now = event.time();
        if (now.isAfter(latest)) {
            latest = now;
        }
        passOnDueCounts(latest, out);
        forgetQuietPairs(latest);
        PairKey key = PairKey.of(event);
        Pair pair = pairs.computeIfAbsent(key, k -> new Pair());
        if (event instanceof IncidentChange change) {
            pair.passOnCounts(key, latest, out);
            out.add(change);
            if (change.state() == IncidentState.RESOLVED) {
                pairs.remove(key);
            } else {
                pair.incidentId = change.incidentId();
                pair.lastActivity = latest;
            }
            return;
        }
        Alert alert = (Alert) event;
        pair.lastActivity = latest;
        if (pair.shown < firstAlerts) {
            pair.shown++;
            out.add(alert);
            return;
        }
        Instant due = pair.count(alert, latest).plus(interval);
        if (nextDue == null || due.isBefore(nextDue)) {
            nextDue = due;
        }
    }

    /** Adds every count still running (shutdown, or a flush). */
    void drain(List<Object> out) {
        for (Map.Entry<PairKey, Pair> entry : pairs.entrySet()) {
            entry.getValue().passOnCounts(entry.getKey(), latest, out);
        }
        nextDue = null;
    }

    /** Pairs remembered; for tests. */
    int pairCount() {
        return pairs.size();
    }

    private void passOnDueCounts(Instant now, List<Object> out) {
        if (nextDue == null || now.isBefore(nextDue)) {
            return;
        }
        nextDue = null;
        for (Map.Entry<PairKey, Pair> entry : pairs.entrySet()) {
            Pair pair = entry.getValue();
            if (pair.countingSince == null) {
                continue;
            }
            Instant due = pair.countingSince.plus(interval);
            if (!now.isBefore(due)) {
                pair.passOnCounts(entry.getKey(), now, out);
            } else if (nextDue == null || due.isBefore(nextDue)) {
                nextDue = due;
            }
        }
    }

    private void forgetQuietPairs(Instant now) {
        if (now.isBefore(nextSweep)) {
            return;
        }
        nextSweep = now.plus(interval);
        Instant quietSince = now.minus(FORGET_AFTER);
        Iterator<Pair> it = pairs.values().iterator();
        while (it.hasNext()) {
            Pair pair = it.next();
            if (pair.incidentId == null && pair.countingSince == null && pair.lastActivity.isBefore(quietSince)) {
                it.remove();
            }
        }
    }

    /** Immutable: what alerts and incidents are grouped by, as the incident tracker and Slack group them. */
    private record PairKey(String sourceNode, String destinationNode, String family, String incidentVerdict) {
        static PairKey of(SinkEvent event) {
            if (event instanceof Alert alert) {
                return new PairKey(alert.source().node(), alert.incidentDestination(), alert.family(),
                        alert.incidentVerdict());
            }
            IncidentChange change = (IncidentChange) event;
            return new PairKey(change.sourceNode(), change.destinationNode(), change.family(),
                    change.incidentVerdict());
        }
    }

    /** Confined with the digest: one pair's alerts shown, its running counts and its firing incident. */
    private static final class Pair {
        int shown;
        String incidentId;
        Instant lastActivity = Instant.EPOCH;
        /** When the oldest running count started; null when nothing is being counted. */
        Instant countingSince;
        final Map<Verdict, Running> running = new EnumMap<>(Verdict.class);

        /** Counts {@code alert}; returns when the pair's counting started. */
        Instant count(Alert alert, Instant now) {
            if (countingSince == null) {
                countingSince = now;
            }
            running.computeIfAbsent(alert.verdict(), v -> new Running(now)).add(alert.kind(), now);
            return countingSince;
        }

        void passOnCounts(PairKey key, Instant now, List<Object> out) {
            for (Map.Entry<Verdict, Running> entry : running.entrySet()) {
                Running counted = entry.getValue();
                out.add(new AlertCount(now, entry.getKey(), key.sourceNode(), key.destinationNode(), key.family(),
                        incidentId, counted.count, counted.kinds, counted.first, counted.last));
            }
            running.clear();
            countingSince = null;
        }
    }

    /** Confined with the digest: the count of one verdict, by packet kind. */
    private static final class Running {
        final Instant first;
        Instant last;
        long count;
        final TreeMap<String, Long> kinds = new TreeMap<>();

        Running(Instant first) {
            this.first = first;
            this.last = first;
        }

        void add(String kind, Instant now) {
            count++;
            last = now;
            kinds.merge(kind, 1L, Long::sum);
        }
    }
}
