package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.topology.DiscoverySnapshot;

/**
 * Single-threaded: used by the join thread only.
 *
 * <p>What one flow is to the join (DESIGN §3.1): a <i>departure</i> (forwarded at a departure
 * point), an <i>arrival</i> (forwarded at an arrival point, or dropped at the node), or ignored —
 * counted by reason, since an operator must be able to tell "nothing to join" from "nothing seen".
 * Only join-safe packet kinds pass: those Hubble reports on both nodes under the configured monitor
 * aggregation. The tables are plain arrays indexed by observation point and kind, so classifying
 * costs a few loads and no allocation.
 */
final class FlowClassifier {
    static final int IGNORED = 0;
    static final int DEPARTURE = 1;
    static final int ARRIVAL = 2;

    private static final int MAX_POINT = 128;

    private final JoinCounters counters;
    private final boolean[] departurePoint = new boolean[MAX_POINT + 1];
    private final boolean[] arrivalPoint = new boolean[MAX_POINT + 1];
    private final boolean[] joinSafe = new boolean[PacketKind.COUNT];
    private final int[] excludedIdentities;
    /** The largest excluded identity: the usual ones are reserved (below 256), every pod's is above. */
    private final int maxExcludedIdentity;
    private int kind;
    private boolean entryKeptLonger;

    FlowClassifier(JoinConfig config, JoinCounters counters) {
        this.counters = counters;
        config.departurePoints().forEach(point -> departurePoint[Math.min(point, MAX_POINT)] = point <= MAX_POINT);
        config.arrivalPoints().forEach(point -> arrivalPoint[Math.min(point, MAX_POINT)] = point <= MAX_POINT);
        config.joinSafeKinds().forEach(safe -> joinSafe[safe] = true);
        this.excludedIdentities = config.excludedDestinationIdentities().stream().mapToInt(Integer::intValue)
                .sorted().toArray();
        this.maxExcludedIdentity = excludedIdentities.length == 0 ? Integer.MIN_VALUE
                : excludedIdentities[excludedIdentities.length - 1];
    }

    /**
     * Takes the calibration derived from Cilium's configuration (join thread, between events): the
     * departure points, when any are given, replace the current ones; first data (FIRST-ACK,
     * FIRST-PSH) is switched on or off unless {@code firstData} is {@link DiscoverySnapshot#UNKNOWN}.
     * The discovery leaves both unknown when the configuration names them explicitly.
     */
    void calibrate(java.util.Set<Integer> departures, int firstData) {
        if (!departures.isEmpty()) {
            java.util.Arrays.fill(departurePoint, false);
            departures.forEach(point -> departurePoint[Math.min(point, MAX_POINT)] = point <= MAX_POINT);
        }
        if (firstData != DiscoverySnapshot.UNKNOWN) {
            joinSafe[PacketKind.FIRST_ACK] = firstData == DiscoverySnapshot.YES;
            joinSafe[PacketKind.FIRST_PSH] = firstData == DiscoverySnapshot.YES;
        }
    }

    /**
     * {@link #DEPARTURE}, {@link #ARRIVAL} or {@link #IGNORED} (counted); the packet kind of a joined
     * flow is {@link #kind()} until the next call.
     */
    int classify(NodeEvent flow) {
        if (flow.ipVersion == 0) {
            counters.increment(JoinCounters.Global.IGNORED_NO_IP);
            return IGNORED;
        }
        int point = Math.min(flow.observationPoint, MAX_POINT);
        boolean forwarded = flow.verdict == JoinConstants.VERDICT_FORWARDED;
        boolean isDeparture = forwarded && departurePoint[point];
        boolean isArrival = (forwarded && arrivalPoint[point]) || isDropped(flow);
        if (!isDeparture && !isArrival) {
            counters.increment(JoinCounters.Global.IGNORED_OBSERVATION_POINT);
            return IGNORED;
        }
        kind = PacketKind.of(flow);
        entryKeptLonger = false;
        if (kind == PacketKind.NONE && !isDeparture) {
            kind = PacketKind.ofEntryKeptLonger(flow);
            entryKeptLonger = kind != PacketKind.NONE;
        }
        if (!joinSafe[kind]) {
            counters.increment(JoinCounters.Global.IGNORED_NOT_JOIN_SAFE);
            return IGNORED;
        }
        return isDeparture ? DEPARTURE : ARRIVAL;
    }

    /**
     * Whether a flow {@link #classify} ignored is a pod's TCP SYN leaving its node at an egress point
     * that is not a departure point here. Under kube-proxy a connection to a ClusterIP leaves at
     * {@code to-stack} for iptables to translate (hubble-api.md §4.2), whatever the routing mode's
     * departure point: the join still needs to know where its client sent it ({@link ClientRequests}).
     */
    boolean isUnjoinedEgress(NodeEvent flow) {
        int point = flow.observationPoint;
        return flow.protocol == NodeEvent.PROTO_TCP && flow.ipVersion != 0
                && flow.verdict == JoinConstants.VERDICT_FORWARDED
                && (point == JoinConstants.POINT_TO_STACK || point == JoinConstants.POINT_TO_NETWORK
                        || point == JoinConstants.POINT_TO_OVERLAY)
                && !departurePoint[point] && PacketKind.ofTcpFlags(flow.tcpFlags) == PacketKind.SYN;
    }

    /** The packet kind of the flow last classified as a departure or an arrival. */
    int kind() {
        return kind;
    }

    /**
     * Whether the arrival last classified is a UDP / SCTP packet or an echo request its node reported as
     * ESTABLISHED, keyed as the first of its entry: its conntrack entry may have outlived the source's
     * ({@link PacketKind#ofEntryKeptLonger}). It is another packet than a departure's only when the entries agree.
     */
    boolean isEntryKeptLonger() {
        return entryKeptLonger;
    }

    /** An arrival that the destination node dropped (DROPPED_AT_DESTINATION rather than MATCHED). */
    static boolean isDropped(NodeEvent flow) {
        return flow.verdict == JoinConstants.VERDICT_DROPPED;
    }

    /**
     * Whether a departure goes to an identity that never reports an arrival (host, world, ...), or to
     * a node-local CIDR identity (bit 24 set: the API server or the world as a CIDR; hubble-api.md §10).
     */
    boolean isExcludedIdentity(NodeEvent flow) {
        return (flow.dstIdentity & JoinConstants.LOCAL_IDENTITY_FLAG) != 0 || isExcluded(flow.dstIdentity);
    }

    /** Whether a flow comes from an identity that reports no departure (a reply from the API server, host, world). */
    boolean isFromExcludedIdentity(NodeEvent flow) {
        return (flow.srcIdentity & JoinConstants.LOCAL_IDENTITY_FLAG) != 0 || isExcluded(flow.srcIdentity);
    }

    private boolean isExcluded(int identity) {
        return identity <= maxExcludedIdentity && java.util.Arrays.binarySearch(excludedIdentities, identity) >= 0;
    }

    /** Whether first data (FIRST-ACK, FIRST-PSH) is join-safe under the configured aggregation flags. */
    boolean firstDataJoined() {
        return joinSafe[PacketKind.FIRST_ACK] || joinSafe[PacketKind.FIRST_PSH];
    }

    /**
     * Whether a flow's source is a client whose replies its node reports ({@code to-endpoint}): a local
     * endpoint ({@code Endpoint.ID} set), not the node's host stack (kubelet, a hostNetwork pod, the
     * node's resolver: identity host, whose SYNs Cilium reports at {@code to-network} on the masquerade
     * path, hubble-api.md §10, while their replies go up the stack untraced), nor the Envoy of Cilium
     * Ingress, whose replies go to the proxy.
     */
    static boolean isLocalClient(NodeEvent flow) {
        return flow.srcEndpointId != 0 && flow.srcIdentity != JoinConstants.IDENTITY_HOST
                && flow.srcIdentity != JoinConstants.IDENTITY_REMOTE_NODE
                && flow.srcIdentity != JoinConstants.IDENTITY_INGRESS;
    }

    /** A TCP packet of a {@link #isLocalClient local client}: one whose connection's replies its node reports. */
    static boolean isLocalTcpClient(NodeEvent flow) {
        return flow.protocol == NodeEvent.PROTO_TCP && isLocalClient(flow);
    }

    /**
     * Whether a flow goes to the API server (identity or {@code reserved:} label kube-apiserver), whose
     * replies no pod sends. A node's own address may still lead to a pod: a hostPort or a NodePort.
     */
    static boolean isToTheApiServer(NodeEvent flow) {
        return flow.dstIdentity == JoinConstants.IDENTITY_KUBE_APISERVER
                || (flow.dstReservedLabels & NodeEvent.LABEL_KUBE_APISERVER) != 0;
    }

    /** A flow delivered to a local endpoint as a reply: what answers a round trip's attempt (DESIGN §3.7). */
    static boolean isReplyToEndpoint(NodeEvent flow) {
        return flow.observationPoint == JoinConstants.POINT_TO_ENDPOINT
                && flow.verdict == JoinConstants.VERDICT_FORWARDED
                && (flow.traceReason == JoinConstants.TRACE_REASON_REPLY || flow.isReply == 1);
    }

    /** The fifth key word of a flow: family, ports (ICMP: type), protocol and packet kind (DESIGN §3.2). */
    static long keyWord(NodeEvent flow, int kind) {
        boolean icmp = flow.protocol == NodeEvent.PROTO_ICMPV4 || flow.protocol == NodeEvent.PROTO_ICMPV6;
        return FlowKey.pack(flow.ipVersion, icmp ? 0 : flow.srcPort, icmp ? flow.icmpType : flow.dstPort,
                flow.protocol & 0xff, kind);
    }
}
