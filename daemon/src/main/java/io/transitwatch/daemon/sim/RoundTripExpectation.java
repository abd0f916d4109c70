package io.transitwatch.daemon.sim;

/** What a correct join should conclude about one connection attempt judged on its client's node (DESIGN §3.7). */
public enum RoundTripExpectation {
    /** The server's answer (SYN-ACK, UDP response) reached the client within the window and its node reported it. */
    ANSWERED,
    /** No reply reached the client within the window, while the client's node was observable throughout. */
    NO_REPLY,
    /** The reply within the window was a TCP RST: nothing listens there. */
    REFUSED,
    /**
     * No join can know: the attempt's or the reply's event was never delivered, or the client's node
     * was unobservable (Hubble down, lost events) during the window.
     */
    UNOBSERVABLE,
    /** Not decided yet: the window has not been simulated to its end, or an event is still on its way. */
    PENDING
}
