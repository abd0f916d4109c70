package io.transitwatch.daemon.join;

/**
 * Single-threaded: filled by the join thread just before a {@link VerdictListener} call and valid
 * only during that call (a flyweight over the join's arrays; copy what you keep).
 *
 * <p>Everything the join knows about one decided departure. Node, namespace, pod and interface
 * names are {@link io.transitwatch.daemon.handoff.StringDictionary} ids; addresses are two longs
 * (IPv4 mapped into {@code ::ffff:0:0/96}).
 *
 * <p>A match is the join's most frequent verdict, and most listeners read only its pair: for a
 * match the join sets the pair, the family and the verdict's own fields, and copies the rest
 * from the pending departure when a listener first reads one of them (copying all of them for
 * every match cost the JMH join 1–5 %; docs/benchmarks.md).
 */
public final class DepartureView {
    /** Copies a pending departure's fields into a view, when they are first read. */
    interface PendingSource {
        void fillDeparture(int slot);
    }
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
    /** Where the departure's fields still have to be copied from, or null when they are filled. */
    private PendingSource unfilled;
    private int unfilledSlot;

    /** The departure's fields are to be copied from pending departure {@code slot} of {@code source} on first read. */
    void fillOnRead(PendingSource source, int slot) {
        unfilled = source;
        unfilledSlot = slot;
    }

    /** The departure's fields are being filled now: nothing is left to copy on read. */
    void filledNow() {
        unfilled = null;
    }

    private void fill() {
        PendingSource source = unfilled;
        if (source != null) {
            unfilled = null;
            source.fillDeparture(unfilledSlot);
        }
    }

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
        fill();
        return sourceNode;
    }

    /** Dictionary id of the node the destination IP lives on. */
    public int destinationNode() {
        fill();
        return destinationNode;
    }

    /** {@link JoinConstants#FAMILY_IPV4} or {@link JoinConstants#FAMILY_IPV6}. */
    public int family() {
        return family;
    }

    /** IANA protocol number. */
    public int protocol() {
        fill();
        return protocol;
    }

    /** {@link PacketKind}. */
    public int kind() {
        fill();
        return kind;
    }

    /** On-wire source address (after SNAT), high bits. */
    public long sourceHi() {
        fill();
        return sourceHi;
    }

    public long sourceLo() {
        fill();
        return sourceLo;
    }

    public long destinationHi() {
        fill();
        return destinationHi;
    }

    public long destinationLo() {
        fill();
        return destinationLo;
    }

    public int sourcePort() {
        fill();
        return sourcePort;
    }

    /** Destination port; for ICMP the echo type. */
    public int destinationPort() {
        fill();
        return destinationPort;
    }

    /** Reports of this departure: the first plus retransmissions. */
    public int attempts() {
        fill();
        return attempts;
    }

    /** Source node's clock at the first report (epoch nanoseconds). */
    public long firstSeenNanos() {
        fill();
        return firstSeenNanos;
    }

    /** Source node's clock at the last report. */
    public long lastSeenNanos() {
        fill();
        return lastSeenNanos;
    }

    public long windowNanos() {
        fill();
        return windowNanos;
    }

    /** {@code flow.TraceObservationPoint} proto number of the departure. */
    public int observationPoint() {
        fill();
        return observationPoint;
    }

    /** {@code flow.TraceReason} proto number of the first report. */
    public int traceReason() {
        fill();
        return traceReason;
    }

    /** Dictionary id of the departure's interface name, 0 when unknown. */
    public int interfaceName() {
        fill();
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
