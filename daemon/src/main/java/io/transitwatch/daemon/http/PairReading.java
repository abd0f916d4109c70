package io.transitwatch.daemon.http;

import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinCounters.PerPair;
import java.util.ArrayList;
import java.util.List;

/**
 * Immutable. One (source node, destination node, family) pair's verdict counters, read at one
 * moment from {@link JoinCounters}; {@code slot} is the join's pair slot, which may be given to
 * another pair once its pair has been idle for a while, so readings of one slot are compared only
 * when they name the same pair.
 */
record PairReading(int slot, String sourceNode, String destinationNode, String family,
        long departures, long matched, long lost, long dropped, long late, long unverified) {

    /** Every pair the join counts now, in slot order (free slots left out). */
    static List<PairReading> readAll(DaemonView daemon) {
        JoinCounters counters = daemon.counters();
        int pairs = counters.pairCount();
        List<PairReading> readings = new ArrayList<>(pairs);
        for (int slot = 0; slot < pairs; slot++) {
            if (!counters.pairInUse(slot)) {
                continue;
            }
            long unverified = 0;
            for (PerPair reason : ReasonLabels.ALL_UNVERIFIED) {
                unverified += counters.pair(slot, reason);
            }
            readings.add(new PairReading(slot, daemon.nodeName(counters.pairSourceNode(slot)),
                    daemon.nodeName(counters.pairDestinationNode(slot)),
                    JoinConstants.familyName(counters.pairFamily(slot)),
                    counters.pair(slot, PerPair.DEPARTURES), counters.pair(slot, PerPair.MATCHED),
                    counters.pair(slot, PerPair.LOST), counters.pair(slot, PerPair.DROPPED),
                    counters.pair(slot, PerPair.LATE), unverified));
        }
        return readings;
    }

    /** This reading minus an earlier one of the same pair (itself when {@code earlier} is null or another pair's). */
    PairReading since(PairReading earlier) {
        if (earlier == null || !earlier.sourceNode.equals(sourceNode)
                || !earlier.destinationNode.equals(destinationNode) || !earlier.family.equals(family)) {
            return this;
        }
        return new PairReading(slot, sourceNode, destinationNode, family, departures - earlier.departures,
                matched - earlier.matched, lost - earlier.lost, dropped - earlier.dropped, late - earlier.late,
                unverified - earlier.unverified);
    }

    /**
     * Departures without a verdict yet (0 at least: the counters are read one by one while the join
     * writes them, so a reading may be a verdict ahead of its departure).
     */
    long undecided() {
        return Math.max(0, departures - matched - lost - dropped - unverified);
    }

    /** Lost out of the departures decided either way (lost or matched); 0 when none were. */
    double lossRatio() {
        long decided = lost + matched;
        return decided == 0 ? 0 : (double) lost / decided;
    }

    /** {@code loss} if any was lost, {@code ok} if some matched and none was lost, else {@code idle}. */
    String state() {
        return lost > 0 ? "loss" : matched > 0 ? "ok" : "idle";
    }
}
