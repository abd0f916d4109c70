package io.transitwatch.daemon.scale;

import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.incident.RoundTripTally;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinCounters.PerPair;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Single-threaded: called by the correlator thread that owns the partition, between its join's
 * rounds.
 *
 * <p>The per-pair verdict counts one partition's join decided since the last call, read from the
 * counters the join keeps anyway ({@link JoinCounters} per pair slot, the alert factory's
 * {@link RoundTripTally}), so the join's path gains nothing. Called once per transaction, so each
 * transaction carries exactly the counts of the verdicts its offsets cover.
 */
public final class PairCountDeltas {
    private static final PerPair[] FIELDS = PerPair.values();
    private static final int STRIDE = FIELDS.length + 3; // the counters, then source, destination, family

    private final JoinCounters counters;
    private final RoundTripTally roundTrips;
    private final StringDictionary dictionary;
    private final long[] delta = new long[FIELDS.length];
    private long[] last = new long[0];
    private Map<String, RoundTripTally.Reading> lastRoundTrips = new HashMap<>();

    public PairCountDeltas(JoinCounters counters, RoundTripTally roundTrips, StringDictionary dictionary) {
        this.counters = counters;
        this.roundTrips = roundTrips;
        this.dictionary = dictionary;
    }

    /** Forgets what was counted so far (the muted replay): later deltas start from here. */
    public void baseline() {
        collect(null);
    }

    /** Adds one {@link PairCount} per pair whose counts moved since the last call to {@code out} (null: none). */
    public void collect(List<PairCount> out) {
        int pairs = counters.pairCount();
        if (last.length < pairs * STRIDE) {
            last = Arrays.copyOf(last, Math.max(pairs * STRIDE, last.length * 2));
        }
        for (int slot = 0; slot < pairs; slot++) {
            if (counters.pairInUse(slot)) {
                pair(slot, out);
            }
        }
        Map<String, RoundTripTally.Reading> now = new HashMap<>();
        for (RoundTripTally.Reading reading : roundTrips.read(dictionary)) {
            now.put(reading.key(), reading);
            RoundTripTally.Reading delta = reading.since(lastRoundTrips.get(reading.key()));
            if (out != null && delta.decided() > 0) {
                out.add(new PairCount(PairCount.ROUND_TRIP, delta.source(), delta.destination(), delta.family(),
                        0, 0, 0, 0, delta.unverified(), delta.answered(), delta.noReply(), delta.refused()));
            }
        }
        lastRoundTrips = now;
    }

    private void pair(int slot, List<PairCount> out) {
        int base = slot * STRIDE;
        int source = counters.pairSourceNode(slot);
        int destination = counters.pairDestinationNode(slot);
        int family = counters.pairFamily(slot);
        boolean samePair = last[base + FIELDS.length] == source && last[base + FIELDS.length + 1] == destination
                && last[base + FIELDS.length + 2] == family;
        boolean moved = false;
        for (int field = 0; field < FIELDS.length; field++) {
            long value = counters.pair(slot, FIELDS[field]);
            long before = samePair && last[base + field] <= value ? last[base + field] : 0; // a recycled slot restarts
            delta[field] = value - before;
            moved |= delta[field] != 0;
            last[base + field] = value;
        }
        last[base + FIELDS.length] = source;
        last[base + FIELDS.length + 1] = destination;
        last[base + FIELDS.length + 2] = family;
        if (out == null || !moved) {
            return;
        }
        long unverified = 0;
        for (int field = PerPair.UNVERIFIED_OBSERVER_DOWN.ordinal(); field < FIELDS.length; field++) {
            unverified += delta[field];
        }
        out.add(new PairCount(PairCount.PAIR, dictionary.get(source), dictionary.get(destination),
                JoinConstants.familyName(family), delta[PerPair.MATCHED.ordinal()], delta[PerPair.LOST.ordinal()],
                delta[PerPair.DROPPED.ordinal()], delta[PerPair.LATE.ordinal()], unverified, 0, 0, 0));
    }
}
