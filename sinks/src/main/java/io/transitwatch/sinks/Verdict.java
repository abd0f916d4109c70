package io.transitwatch.sinks;

/** The verdicts that produce an {@link Alert} (DESIGN §3.5). MATCHED and UNVERIFIED are counted, never alerted. */
public enum Verdict {
    /** The source node sent it onto the wire; the healthy destination never reported it within the window. */
    LOST_IN_TRANSIT,
    /** The destination node reported the tuple DROPPED; {@link Alert#dropReason()} says why. */
    DROPPED_AT_DESTINATION,
    /** The arrival came after LOST_IN_TRANSIT was emitted; resolves that earlier alert. */
    LATE,
    /**
     * A connection attempt to a destination without arrival events (API server, host, world) got no
     * reply on the client's node within the window, the client's observer healthy (DESIGN §3.7).
     */
    NO_REPLY,
    /** The attempt's reply was a TCP RST or an ICMP destination unreachable (DESIGN §3.7). */
    REFUSED
}
