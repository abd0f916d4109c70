package io.transitwatch.daemon.sim;

/**
 * Immutable snapshot of what really happened to one join-safe departure.
 *
 * @param departureNanos          true time (simulator clock) the source node first reported it
 * @param departureEventTimeNanos that report's {@code Flow.time} (node-local clock: skew and perf delay)
 * @param departureReports        how many times the source node reported it (1 + reported retransmissions)
 * @param transmissions           how many copies were really sent (retransmissions included)
 * @param arrivedNanos            true time the first copy reached the destination node, or -1
 * @param arrivalObservable       the destination's event for it was delivered to Hubble's ring
 * @param droppedAtDestination    it arrived but the destination dropped it (a DROPPED event)
 */
public record TruthRecord(
        TruthKey key,
        String sourceNode,
        String destinationNode,
        String sourcePod,
        String destinationPod,
        long departureNanos,
        long departureEventTimeNanos,
        int departureReports,
        int transmissions,
        long arrivedNanos,
        boolean arrivalObservable,
        boolean droppedAtDestination,
        Expectation expected) {

    public boolean arrived() {
        return arrivedNanos >= 0;
    }

    public IpFamily family() {
        return key.family();
    }
}
