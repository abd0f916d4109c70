package io.transitwatch.bench;

import io.transitwatch.daemon.join.DepartureView;
import io.transitwatch.daemon.join.UnverifiedReason;
import io.transitwatch.daemon.join.VerdictListener;

/**
 * Single-threaded: called on the join thread only.
 *
 * <p>The cheapest useful verdict listener: counts verdicts and sums what a metrics listener would
 * read (attempts of lost departures, transit delays), so the engine's work is observable and cannot
 * be optimized away, without the listener itself costing anything worth measuring.
 */
public final class VerdictTally implements VerdictListener {
    public long matched;
    public long lost;
    public long dropped;
    public long unverified;
    public long late;
    public long lostAttempts;
    public long transitNanosSum;
    public long answered;
    public long noReply;
    public long refused;

    @Override
    public void onMatched(DepartureView departure, long transitNanos) {
        matched++;
        transitNanosSum += transitNanos;
    }

    @Override
    public long onLost(DepartureView departure) {
        lost++;
        lostAttempts += departure.attempts();
        return lost;
    }

    @Override
    public void onDroppedAtDestination(DepartureView departure) {
        dropped++;
    }

    @Override
    public void onUnverified(DepartureView departure, UnverifiedReason reason) {
        unverified++;
    }

    @Override
    public void onLate(DepartureView departure, long lostToken, long lateByNanos) {
        late++;
    }

    @Override
    public void onAnswered(DepartureView attempt, long replyAfterNanos) {
        answered++;
    }

    @Override
    public void onNoReply(DepartureView attempt) {
        noReply++;
    }

    @Override
    public void onRefused(DepartureView attempt) {
        refused++;
    }

    @Override
    public String toString() {
        return "matched=" + matched + " lost=" + lost + " dropped=" + dropped + " unverified=" + unverified
                + " late=" + late + " lostAttempts=" + lostAttempts + " answered=" + answered + " noReply=" + noReply
                + " refused=" + refused;
    }
}
