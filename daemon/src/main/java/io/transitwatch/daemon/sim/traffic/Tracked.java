package io.transitwatch.daemon.sim.traffic;

/**
 * Single-threaded: owned by the traffic thread. Links one join-safe packet of a conversation to its
 * ground-truth record, and remembers what has already been written there.
 */
final class Tracked {
    private final TruthRecorder.Departure truth;
    private int departureReports;
    private boolean arrived;

    Tracked(TruthRecorder.Departure truth) {
        this.truth = truth;
    }

    void transmitted() {
        truth.transmitted();
    }

    /** The source node reported a copy; the first report's fate is what the record keeps. */
    EventEmitter.Outcome departureReported() {
        departureReports++;
        if (departureReports == 1) {
            return truth::departureEmitted;
        }
        truth.departureReportedAgain();
        return EventEmitter.Outcome.NONE;
    }

    /** A copy reached the destination node; returns true for the first one, whose event counts. */
    boolean arrived(long trueNanos, boolean dropped) {
        if (arrived) {
            return false;
        }
        arrived = true;
        truth.arrived(trueNanos, dropped);
        return true;
    }

    EventEmitter.Outcome arrivalOutcome() {
        return (recorded, eventTimeNanos) -> truth.arrivalEmitted(recorded);
    }
}
