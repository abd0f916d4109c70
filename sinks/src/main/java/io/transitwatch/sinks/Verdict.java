package io.transitwatch.sinks;

/** The verdicts that produce an {@link Alert} (DESIGN §3.5). MATCHED and UNVERIFIED are counted, never alerted. */
public enum Verdict {
    /** The source node sent it onto the wire; the healthy destination never reported it within the window. */
    LOST_IN_TRANSIT,
    /** The destination node reported the tuple DROPPED; {@link Alert#dropReason()} says why. */
    DROPPED_AT_DESTINATION,
    /** The arrival came after LOST_IN_TRANSIT was emitted; resolves that earlier alert. */
    LATE
}
