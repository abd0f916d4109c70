package io.transitwatch.daemon.sim;

/** What a correct join should conclude about one recorded departure. */
public enum Expectation {
    /** The packet (or a retransmission of it) reached the destination node, and the node reported it. */
    ARRIVED,
    /** The packet never reached the destination node, whose Hubble was healthy at the time. */
    LOST,
    /**
     * No join can know: the departure or the arrival event was never delivered (the node's Hubble
     * was down, or lost the events), or the packet was lost while the destination was unobservable.
     */
    UNOBSERVABLE,
    /** Not decided yet: the event is still on its way, or retransmissions may still arrive. */
    PENDING
}
