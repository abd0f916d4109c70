package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.L4Protocol;
import io.transitwatch.daemon.sim.TruthKey;

/**
 * Single writer: only the traffic thread calls these. Where the traffic generator writes down the
 * ground truth of join-safe departures and of round trips, as it makes them happen.
 */
public interface TruthRecorder {

    /**
     * A join-safe departure has just been reported by the source node's datapath.
     *
     * @param settleAfterNanos true time after which no copy of it can arrive any more
     */
    Departure departed(TruthKey key, String sourceNode, String destinationNode, String sourcePod,
            String destinationPod, long trueNanos, long settleAfterNanos);

    /**
     * A connection attempt to a destination without arrival events has just been reported by the
     * client's node: a round trip (DESIGN §3.7).
     */
    RoundTrip attempted(IpFamily family, L4Protocol protocol, String clientNode, String clientPod, String clientIp,
            int clientPort, String server, String serverIp, int serverPort, long trueNanos);

    /**
     * The node's events between these true times cannot reach any client (Hubble down, or lost
     * events); {@code toNanos == Long.MAX_VALUE} while it lasts.
     */
    void unobservable(String node, long fromNanos, long toNanos);

    /** Ends the node's open-ended unobservable period at {@code atNanos}. */
    void observableAgain(String node, long atNanos);

    /** Everything up to this true time has been simulated. */
    void simulatedUntil(long trueNanos);

    /** What happens next to one recorded round trip. */
    interface RoundTrip {
        /** The client node's first report of the attempt reached (or failed to reach) its ring. */
        void attemptEmitted(boolean observable);

        /** The first reply reached the client pod ({@code refused}: it was a RST). */
        void replied(long trueNanos, boolean refused);

        /** The client node's event for that reply reached (or failed to reach) its ring. */
        void replyEmitted(boolean observable);
    }

    /** What happens next to one recorded departure. */
    interface Departure {
        /** The source node's first report of it reached (or failed to reach) its ring. */
        void departureEmitted(boolean observable, long eventTimeNanos);

        /** The source node reported a retransmission of it. */
        void departureReportedAgain();

        /** One more copy was put on the wire. */
        void transmitted();

        /** The first copy reached the destination node (and was dropped there if {@code dropped}). */
        void arrived(long trueNanos, boolean dropped);

        /** The destination's event for the first arriving copy reached (or failed to reach) its ring. */
        void arrivalEmitted(boolean observable);
    }
}
