package io.transitwatch.daemon.incident;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Single-threaded: called by the incident stage's one consumer thread.
 *
 * <p>The incident tracker of {@code run}, fed from outside the join ({@code transitwatch incidents},
 * DESIGN §8): alerts and per-pair verdict counts come from the correlators through Kafka instead of
 * from a {@link AlertFactory} on the join thread. Alerts go to the sinks as {@code run} sends them,
 * and move the tracker as the alert factory does; counts move it as the factory's matched, answered
 * and unverified calls do. The join's pair slots become slots of this feed, one per (source node,
 * destination, family) it has seen, at most {@code maxPairs}; further pairs are counted and skipped.
 */
public final class IncidentFeed {
    private final IncidentTracker tracker;
    private final Consumer<SinkEvent> out;
    private final int maxPairs;
    private final Map<String, Integer> slots = new HashMap<>();
    private long pairsRefused;

    /** @param out the sinks: every alert, and the tracker's incident changes (the tracker was built with the same) */
    public IncidentFeed(IncidentTracker tracker, int maxPairs, Consumer<SinkEvent> out) {
        this.tracker = tracker;
        this.maxPairs = maxPairs;
        this.out = out;
    }

    /** An alert a correlator published, at {@code nowNanos}. */
    public void onAlert(Alert alert, long nowNanos) {
        out.accept(alert);
        if (alert.verdict() == Verdict.LOST_IN_TRANSIT) {
            tracker.onLost(slot(alert.source().node(), alert.destination().node(), alert.family()), alert, nowNanos);
        } else if (alert.roundTrip()) {
            tracker.roundTrips().onFailure(alert, alert.incidentDestination(), nowNanos);
        }
    }

    /** Matched and unverified departures of a pair (two-end join), since the correlator's previous count. */
    public void onPairCounts(String source, String destination, String family, long matched, long unverified) {
        int pair = slot(source, destination, family);
        for (long i = 0; i < matched; i++) {
            tracker.onMatched(pair);
        }
        for (long i = 0; i < unverified; i++) {
            tracker.onUnverified(pair);
        }
    }

    /** Answered and unverified round trips to a destination (a node or an address class). */
    public void onRoundTripCounts(String source, String destination, String family, long answered, long unverified) {
        for (long i = 0; i < answered; i++) {
            tracker.roundTrips().onAnswered(source, destination, family);
        }
        for (long i = 0; i < unverified; i++) {
            tracker.roundTrips().onUnverified(source, destination, family);
        }
    }

    /** Re-announces and resolves incidents at {@code nowNanos} (the stage's clock). */
    public void advance(long nowNanos) {
        tracker.onAdvance(nowNanos);
    }

    /** Pairs skipped because {@code maxPairs} were taken. */
    public long pairsRefused() {
        return pairsRefused;
    }

    public IncidentTracker tracker() {
        return tracker;
    }

    private int slot(String source, String destination, String family) {
        String key = source + "|" + destination + "|" + family;
        Integer slot = slots.get(key);
        if (slot != null) {
            return slot;
        }
        if (slots.size() >= maxPairs) {
            pairsRefused++;
            return -1; // the tracker ignores pair -1
        }
        int next = slots.size();
        slots.put(key, next);
        return next;
    }
}
