package io.transitwatch.daemon.join;

/**
 * Called only on the join thread, in verdict order. Implementations must not block (hand work to
 * another thread through a bounded queue) and must copy what they keep from the view.
 *
 * <p>Where the join's decisions go: matches and answered round trips feed metrics, LOST / DROPPED /
 * LATE / NO_REPLY / REFUSED become alerts and roll up into incidents, UNVERIFIED is counted and never
 * alerted ({@link DepartureView#roundTrip()} tells a round trip's UNVERIFIED from a departure's).
 */
public interface VerdictListener {
    /** An arrival matched the departure within the window. Called per match: keep it cheap. */
    void onMatched(DepartureView departure, long transitNanos);

    /**
     * No arrival within the window while the destination's observer was complete.
     *
     * @return a token remembered with the verdict and handed back by {@link #onLate}
     */
    long onLost(DepartureView departure);

    /** The destination reported the packet DROPPED ({@link DepartureView#dropReason()}). */
    void onDroppedAtDestination(DepartureView departure);

    /** Neither matched nor provably lost: the destination's half of the picture was missing. */
    void onUnverified(DepartureView departure, UnverifiedReason reason);

    /** The arrival of a departure declared lost showed up after all, {@code lateByNanos} after its window. */
    void onLate(DepartureView departure, long lostToken, long lateByNanos);

    /**
     * A round trip's reply reached the client within the window (DESIGN §3.7), {@code replyAfterNanos}
     * after the attempt left. Called per answer: keep it cheap.
     */
    default void onAnswered(DepartureView attempt, long replyAfterNanos) {}

    /** No reply reached the client within the window while the client node's observer was complete. */
    default void onNoReply(DepartureView attempt) {}

    /** The reply was a TCP RST or an ICMP destination unreachable ({@link DepartureView#arrivalNodeNanos()}: when). */
    default void onRefused(DepartureView attempt) {}

    /** The daemon's time for the duty cycle that follows; verdicts until the next call happen "now". */
    default void onTime(long nowNanos) {}

    /** Called at the end of every {@link JoinEngine#advance}, for time-driven work (resolving incidents). */
    default void onAdvance(long nowNanos) {}

    /**
     * Pair slot {@code pair} was handed back: its pair had no verdict for the pair idle time and slots
     * were short. State kept per slot belongs to no pair now; the next verdict on the slot may be
     * another pair's.
     */
    default void onPairRecycled(int pair) {}

    /** Ignores everything. */
    VerdictListener NONE = new VerdictListener() {
        @Override
        public void onMatched(DepartureView departure, long transitNanos) {}

        @Override
        public long onLost(DepartureView departure) {
            return 0;
        }

        @Override
        public void onDroppedAtDestination(DepartureView departure) {}

        @Override
        public void onUnverified(DepartureView departure, UnverifiedReason reason) {}

        @Override
        public void onLate(DepartureView departure, long lostToken, long lateByNanos) {}
    };
}
