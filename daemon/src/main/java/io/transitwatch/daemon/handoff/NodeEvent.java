package io.transitwatch.daemon.handoff;

import io.transitwatch.daemon.topology.NodeAddresses;
import io.transitwatch.daemon.topology.DiscoverySnapshot;

/**
 * Single writer, then single reader: one ingest thread fills a slot, publishes it through the
 * {@link HandoffRing}, and from then on only the consumer thread reads it until the slot is reused.
 *
 * <p>One pre-allocated, mutable slot of the hand-off ring between the Hubble ingest threads and
 * the join thread. It carries exactly the primitive fields the join needs, decoded straight from
 * the protobuf bytes of a {@code GetFlowsResponse} (or made by the ingest layer for the stream
 * health events). No field refers to a protobuf object; strings are ids in the shared
 * {@link StringDictionary} ({@code 0} = absent).
 *
 * <pre>
 * kind          fields that carry meaning
 * FLOW          everything in the "flow" block below
 * LOST_EVENTS   lostSource, lostCount, lostCpu, lostFirstNanos, lostLastNanos (0 when the server did not say)
 * NODE_UP       (node, timeNanos, backfilled) the node's stream is connected and delivering; backfilled when
 *               the ingest re-read the outage from Hubble's ring and reports any part it could not as a GAP
 * NODE_DOWN     (node, timeNanos, reason, upAnnounced) the node's stream is down; its arrivals are unknown;
 *               upAnnounced when a NODE_UP will say it is back (events of the node until then are stragglers)
 * GAP           gapStartNanos, gapEndNanos  events of that span were never received (backfill could not cover it)
 * NODE_ADDRESSES nodeAddresses: a new immutable snapshot of the nodes' own addresses (no node: {@code node} is 0)
 * DISCOVERY      discovery: a new immutable view of the cluster from the Kubernetes API (node is 0)
 * EVENTS_COUNTED (node, timeNanos) the ingest has judged the node's BPF events rate limit up to timeNanos
 *               (daemon clock): nothing of the node past it is decided yet. {@link Long#MIN_VALUE}: nothing
 *               judged yet; {@link Long#MAX_VALUE}: the node is not watched (any more)
 * </pre>
 *
 * <p>Addresses are 128-bit values in two longs; IPv4 is mapped into {@code ::ffff:a.b.c.d}, so
 * {@code hi == 0} and {@code lo == 0x0000_ffff_0000_0000L | ipv4}. {@link #ipVersion} says which.
 */
public final class NodeEvent {
    public static final byte FLOW = 1;
    public static final byte LOST_EVENTS = 2;
    public static final byte NODE_UP = 3;
    public static final byte NODE_DOWN = 4;
    public static final byte GAP = 5;
    public static final byte NODE_ADDRESSES = 6;

    // Bits of {@link #srcReservedLabels} / {@link #dstReservedLabels}: Cilium's {@code reserved:} labels of an
    // endpoint. A CIDR identity (bit 24) carries them where the numeric identity says nothing (hubble-api.md §10).
    public static final byte LABEL_KUBE_APISERVER = 1;
    public static final byte LABEL_HOST = 1 << 1;
    public static final byte LABEL_REMOTE_NODE = 1 << 2;
    public static final byte LABEL_WORLD = 1 << 3;
    public static final byte DISCOVERY = 7;
    public static final byte EVENTS_COUNTED = 8;

    /**
     * {@link #lostSource} of a LOST_EVENTS the ingest reports itself, outside {@code flow.LostEventSource}'s
     * numbers: a node's event count came near its datapath's events rate limit, past which Cilium drops
     * events with no lost-events report. {@code lostCount} is 0 (unknown), and {@code lostFirstNanos} /
     * {@code lostLastNanos} are the daemon's clock, like a NODE_DOWN's time: the count was polled, not
     * stamped by the node.
     */
    public static final byte LOST_SOURCE_EVENTS_RATE_LIMIT = 64;

    /** {@code lostCpu} when Hubble did not say (the wrapper field was absent). */
    public static final int CPU_UNKNOWN = -1;

    /** {@code isReply} when Hubble did not say (the wrapper field was absent). */
    public static final byte REPLY_UNKNOWN = -1;

    // TCP flag bits, in TCP header order.
    public static final short TCP_FIN = 1;
    public static final short TCP_SYN = 1 << 1;
    public static final short TCP_RST = 1 << 2;
    public static final short TCP_PSH = 1 << 3;
    public static final short TCP_ACK = 1 << 4;
    public static final short TCP_URG = 1 << 5;
    public static final short TCP_ECE = 1 << 6;
    public static final short TCP_CWR = 1 << 7;
    public static final short TCP_NS = 1 << 8;

    // IANA protocol numbers used in {@link #protocol}.
    public static final byte PROTO_NONE = 0;
    public static final byte PROTO_ICMPV4 = 1;
    public static final byte PROTO_TCP = 6;
    public static final byte PROTO_UDP = 17;
    public static final byte PROTO_ICMPV6 = 58;
    public static final byte PROTO_SCTP = (byte) 132;

    // The fields the join does not read come first. The JVM lays fields out by size, then in the order
    // they are declared: declared here, the join's longs and its ints, shorts and bytes sit together
    // after them, in three or four of the slot's cache lines instead of four or five.

    // ---- read by the ingest only (de-duplication) ----
    /** {@code Flow.uuid} as 128 bits; both 0 when absent. */
    public long uuidHi;
    public long uuidLo;

    // ---- lost events ----
    /** {@code flow.LostEventSource} number. */
    public byte lostSource;
    public long lostCount;
    /** CPU of a perf-ring loss ({@code LostEvent.cpu}), {@link #CPU_UNKNOWN} when absent. */
    public int lostCpu;
    public long lostFirstNanos;
    public long lostLastNanos;

    // ---- gap ----
    public long gapStartNanos;
    public long gapEndNanos;

    // ---- node up / down ----
    /** Dictionary id of a human-readable reason (gRPC status, relay message), 0 when none. */
    public int reason;
    /**
     * NODE_UP only: the stream resumed with a {@code since} backfill and de-duplication, so the outage
     * is covered except for GAP events that follow. False when events of the outage are simply gone
     * (Relay resumes a node at "now").
     */
    public boolean backfilled;
    /**
     * NODE_UP with {@code backfilled} only: the node-clock time the stream's {@code since} re-reads
     * from, 0 when not known. An outage that began before it is not covered by the backfill.
     */
    public long resumedFromNanos;
    /**
     * NODE_DOWN only: the source publishes NODE_UP when the node's stream is back (the live ingest
     * does); events of the node that come before it were on their way before the outage. False where
     * only the node's events can show it back (replayed captures): the join infers it from their times.
     */
    public boolean upAnnounced;

    // ---- every kind ----
    public byte kind;
    /** Observing node (dictionary id of {@code node_name}). */
    public int node;
    /** Event time in epoch nanoseconds on the observing node's clock (Flow.time / response time). */
    public long timeNanos;
    /** Daemon clock (epoch nanoseconds) when the ingest thread received the message. */
    public long receivedNanos;

    // ---- flow ----
    /** {@code flow.Verdict} number. */
    public byte verdict;
    /** {@code flow.FlowType} number of {@code Flow.Type} (1 = L3_L4, 2 = L7, 3 = SOCK). */
    public byte flowType;
    /** {@code flow.TraceObservationPoint} proto number (TO_ENDPOINT = 101), 0 when not a trace. */
    public short observationPoint;
    /** {@code flow.TraceReason} proto number. */
    public byte traceReason;
    /** 1 reply, 0 not a reply, {@link #REPLY_UNKNOWN} when absent. */
    public byte isReply;
    /** 4, 6, or 0 when the flow has no IP layer. */
    public byte ipVersion;
    public long srcHi;
    public long srcLo;
    public long dstHi;
    public long dstLo;
    /** On-wire source after SNAT ({@code IP.source_xlated}); valid only when {@link #hasXlated}. */
    public long xlatedHi;
    public long xlatedLo;
    public boolean hasXlated;
    /** IANA protocol number of the L4 layer (see PROTO_*). */
    public byte protocol;
    public int srcPort;
    public int dstPort;
    /** TCP flag bits (see TCP_*). */
    public short tcpFlags;
    public int icmpType;
    public int icmpCode;
    /** {@code Endpoint.ID}: non-zero only for endpoints local to the observing node. */
    public int srcEndpointId;
    public int dstEndpointId;
    public int srcIdentity;
    public int dstIdentity;
    /** {@code reserved:} labels of the source / destination endpoint (LABEL_* bits), 0 when none. */
    public byte srcReservedLabels;
    public byte dstReservedLabels;
    public int srcNamespace;
    public int srcPod;
    public int srcWorkload;
    public int dstNamespace;
    public int dstPod;
    public int dstWorkload;
    /** {@code CiliumEventType.type} (4 trace, 1 drop, ...) and raw datapath {@code sub_type}. */
    public int eventType;
    public int eventSubType;
    public int interfaceIndex;
    public int interfaceName;
    /** {@code flow.DropReason} number of {@code drop_reason_desc}. */
    public int dropReason;
    // ---- node addresses ----
    /** NODE_ADDRESSES only: the snapshot to use from this event on; immutable, so the join may keep it. */
    public NodeAddresses nodeAddresses;
    // ---- discovery ----
    /** DISCOVERY only: the immutable snapshot (the one reference a slot carries; rare, one per API change batch). */
    public DiscoverySnapshot discovery;

    /**
     * Which permit pool the slot came from; set by {@link HandoffRing} only, untouched by
     * {@link #clear()} and {@link #copyFrom}.
     */
    boolean controlPermit;

    /** Resets every field, so that nothing of the previous occupant leaks into the next. */
    public void clear() {
        kind = 0;
        node = 0;
        timeNanos = 0;
        receivedNanos = 0;
        verdict = 0;
        flowType = 0;
        observationPoint = 0;
        traceReason = 0;
        isReply = REPLY_UNKNOWN;
        ipVersion = 0;
        srcHi = srcLo = dstHi = dstLo = xlatedHi = xlatedLo = 0;
        hasXlated = false;
        protocol = PROTO_NONE;
        srcPort = dstPort = 0;
        tcpFlags = 0;
        icmpType = icmpCode = 0;
        srcEndpointId = dstEndpointId = 0;
        srcIdentity = dstIdentity = 0;
        srcReservedLabels = dstReservedLabels = 0;
        srcNamespace = srcPod = srcWorkload = 0;
        dstNamespace = dstPod = dstWorkload = 0;
        eventType = eventSubType = 0;
        interfaceIndex = interfaceName = 0;
        dropReason = 0;
        uuidHi = uuidLo = 0;
        lostSource = 0;
        lostCount = lostFirstNanos = lostLastNanos = 0;
        lostCpu = CPU_UNKNOWN;
        gapStartNanos = gapEndNanos = 0;
        reason = 0;
        backfilled = false;
        resumedFromNanos = 0;
        upAnnounced = false;
        nodeAddresses = null;
        discovery = null;
    }

    /** Copies every field of {@code other} into this slot (used by replay and tests). */
    public void copyFrom(NodeEvent other) {
        kind = other.kind;
        node = other.node;
        timeNanos = other.timeNanos;
        receivedNanos = other.receivedNanos;
        verdict = other.verdict;
        flowType = other.flowType;
        observationPoint = other.observationPoint;
        traceReason = other.traceReason;
        isReply = other.isReply;
        ipVersion = other.ipVersion;
        srcHi = other.srcHi;
        srcLo = other.srcLo;
        dstHi = other.dstHi;
        dstLo = other.dstLo;
        xlatedHi = other.xlatedHi;
        xlatedLo = other.xlatedLo;
        hasXlated = other.hasXlated;
        protocol = other.protocol;
        srcPort = other.srcPort;
        dstPort = other.dstPort;
        tcpFlags = other.tcpFlags;
        icmpType = other.icmpType;
        icmpCode = other.icmpCode;
        srcEndpointId = other.srcEndpointId;
        dstEndpointId = other.dstEndpointId;
        srcIdentity = other.srcIdentity;
        dstIdentity = other.dstIdentity;
        srcReservedLabels = other.srcReservedLabels;
        dstReservedLabels = other.dstReservedLabels;
        srcNamespace = other.srcNamespace;
        srcPod = other.srcPod;
        srcWorkload = other.srcWorkload;
        dstNamespace = other.dstNamespace;
        dstPod = other.dstPod;
        dstWorkload = other.dstWorkload;
        eventType = other.eventType;
        eventSubType = other.eventSubType;
        interfaceIndex = other.interfaceIndex;
        interfaceName = other.interfaceName;
        dropReason = other.dropReason;
        uuidHi = other.uuidHi;
        uuidLo = other.uuidLo;
        lostSource = other.lostSource;
        lostCount = other.lostCount;
        lostCpu = other.lostCpu;
        lostFirstNanos = other.lostFirstNanos;
        lostLastNanos = other.lostLastNanos;
        gapStartNanos = other.gapStartNanos;
        gapEndNanos = other.gapEndNanos;
        reason = other.reason;
        backfilled = other.backfilled;
        resumedFromNanos = other.resumedFromNanos;
        upAnnounced = other.upAnnounced;
        nodeAddresses = other.nodeAddresses;
        discovery = other.discovery;
    }
}
