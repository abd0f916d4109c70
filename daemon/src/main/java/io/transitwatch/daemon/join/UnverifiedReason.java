package io.transitwatch.daemon.join;

/**
 * Why a departure could be neither matched nor declared lost. Never alerted: counted per node and
 * reason, because each one says the destination's half of the picture was missing, not the packet.
 */
public enum UnverifiedReason {
    /** The destination node's stream was down during the window. */
    OBSERVER_DOWN,
    /** Events of the destination node were never received for part of the window (backfill could not cover a reconnect). */
    GAP,
    /** The destination node's Hubble reported lost events overlapping the window. */
    LOST_EVENTS,
    /**
     * A stream did not keep up: the destination's stayed connected but did not catch up with the
     * window in time, or the source's delivered the departure so late that its arrival, had it come,
     * would already have been forgotten (older than window + arrival memory).
     */
    BEHIND,
    /**
     * No stream for the destination node was up yet (never, or not before the window began), the
     * node's datapath emits no trace events ({@code bpf-events-trace-enabled=false} in Cilium's
     * configuration), or the destination address is in a pod CIDR but the Kubernetes API lists no pod
     * at it (a deleted pod's address, still dialled): nothing there could report the arrival or reply.
     */
    NO_OBSERVER,
    /** The join's own fixed capacity overflowed and the oldest entry was evicted undecided. */
    CAPACITY,
    /**
     * A TCP reply whose client's node reported the connection going to another address or port than
     * the reply's source: kube-proxy (no kube-proxy replacement) translated a service address where
     * Cilium does not see it, so the reply is delivered with other addresses (see ClientRequests).
     */
    REQUEST_UNSEEN;

    static final UnverifiedReason[] VALUES = values();
}
