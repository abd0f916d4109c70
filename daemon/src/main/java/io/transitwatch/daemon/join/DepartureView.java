package io.transitwatch.daemon.join;

/**
 * Single-threaded: filled by the join thread just before a {@link VerdictListener} call and valid
 * only during that call (a flyweight over the join's arrays; copy what you keep).
 *
 * <p>Everything the join knows about one decided departure. Node, namespace, pod and interface
 * names are {@link io.transitwatch.daemon.handoff.StringDictionary} ids; addresses are two longs
 * (IPv4 mapped into {@code ::ffff:0:0/96}).
 */
public final class DepartureView {
    int pair;
    int sourceNode;
    int destinationNode;
    int family;
    int protocol;
    int kind;
    long sourceHi;
    long sourceLo;
    long destinationHi;
    long destinationLo;
    int sourcePort;
    int destinationPort;
    int attempts;
    long firstSeenNanos;
    long lastSeenNanos;
    long windowNanos;
    int observationPoint;
    int traceReason;
    int interfaceName;
    long arrivalNodeNanos;
    int dropReason;
    boolean roundTrip;
    int destinationIdentity;
    byte destinationReservedLabels;

    /**
     * Dense slot of the (source node, destination node, family) pair, the same as in
     * {@link JoinCounters}; -1 when the pair table was full. Lets listeners keep per-pair state in
     * arrays.
     */
    public int pair() {
        return pair;
    }

    /** Dictionary id of the node that reported the departure. */
    public int sourceNode() {
        return sourceNode;
    }

    /** Dictionary id of the node the destination IP lives on. */
    public int destinationNode() {
        return destinationNode;
    }

    /** {@link JoinConstants#FAMILY_IPV4} or {@link JoinConstants#FAMILY_IPV6}. */
    public int family() {
        return family;
    }

    /** IANA protocol number. */
    public int protocol() {
        return protocol;
    }

    /** {@link PacketKind}. */
    public int kind() {
        return kind;
    }

    /** On-wire source address (after SNAT), high bits. */
    public long sourceHi() {
        return sourceHi;
    }

    public long sourceLo() {
        return sourceLo;
    }

    public long destinationHi() {
        return destinationHi;
    }

    public long destinationLo() {
        return destinationLo;
    }

    public int sourcePort() {
        return sourcePort;
    }

    /** Destination port; for ICMP the echo type. */
    public int destinationPort() {
        return destinationPort;
    }

    /** Reports of this departure: the first plus retransmissions. */
    public int attempts() {
        return attempts;
    }

    /** Source node's clock at the first report (epoch nanoseconds). */
    public long firstSeenNanos() {
        return firstSeenNanos;
    }

    /** Source node's clock at the last report. */
    public long lastSeenNanos() {
        return lastSeenNanos;
    }

    public long windowNanos() {
        return windowNanos;
    }

    /** {@code flow.TraceObservationPoint} proto number of the departure. */
    public int observationPoint() {
        return observationPoint;
    }

    /** {@code flow.TraceReason} proto number of the first report. */
    public int traceReason() {
        return traceReason;
    }

    /** Dictionary id of the departure's interface name, 0 when unknown. */
    public int interfaceName() {
        return interfaceName;
    }

    /** Destination node's clock at the arrival, for DROPPED_AT_DESTINATION and LATE; else 0. */
    public long arrivalNodeNanos() {
        return arrivalNodeNanos;
    }

    /** {@code flow.DropReason} of a DROPPED_AT_DESTINATION verdict; else 0. */
    public int dropReason() {
        return dropReason;
    }

    /**
     * Whether this is a round trip judged on the client's node (ANSWERED, NO_REPLY, REFUSED, or its
     * UNVERIFIED; DESIGN §3.7) rather than a departure joined with its arrival. For a round trip the
     * source is the client (its address before SNAT), {@link #destinationNode()} is 0 unless the
     * destination address is known to be a node's, {@link #pair()} is -1, and {@link #kind()} is
     * the attempt's (SYN, UDP-NEW, ICMP-ECHO).
     */
    public boolean roundTrip() {
        return roundTrip;
    }

    /** Security identity of a round trip's destination as the client's node reported it; else 0. */
    public int destinationIdentity() {
        return destinationIdentity;
    }

    /**
     * Cilium's {@code reserved:} labels of a round trip's destination ({@code NodeEvent.LABEL_*} bits);
     * else 0. A CIDR identity says nothing by its number: its labels tell the API server from the world.
     */
    public byte destinationReservedLabels() {
        return destinationReservedLabels;
    }
}
