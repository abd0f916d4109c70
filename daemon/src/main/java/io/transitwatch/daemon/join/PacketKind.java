package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;

/**
 * Stateless. The kinds of packet the join keys on, as small integers so that they pack into a key.
 *
 * <p>Under Hubble's default {@code monitorAggregation: medium}, only state transitions are reported
 * on both nodes (hubble-api.md §3.3): the first SYN of a connection, the SYN-ACK, every FIN and RST,
 * the first packet of a UDP or ICMP conntrack entry. Those are the join-safe kinds; everything else
 * ({@link #NONE}) is reported on an unaligned 5 s interval and cannot be joined.
 */
public final class PacketKind {
    public static final int NONE = 0;
    public static final int SYN = 1;
    public static final int SYN_ACK = 2;
    public static final int FIN = 3;
    public static final int RST = 4;
    public static final int UDP_NEW = 5;
    public static final int ICMP_ECHO = 6;
    /**
     * A TCP segment whose new flag is ACK: the client's third-handshake ACK (DESIGN §3.8). Join-safe
     * only when {@code monitor-aggregation-flags} include ACK, and only as the first of its direction
     * ({@link FirstData}).
     */
    public static final int FIRST_ACK = 7;
    /** A TCP segment whose new flag is PSH: each side's first data segment (DESIGN §3.8), as {@link #FIRST_ACK}. */
    public static final int FIRST_PSH = 8;
    /** Number of kinds, {@link #NONE} included; sizes per-kind tables. */
    public static final int COUNT = 9;

    private static final String[] NAMES = {
        "NONE", "SYN", "SYN-ACK", "FIN", "RST", "UDP-NEW", "ICMP-ECHO", "FIRST-ACK", "FIRST-PSH"
    };

    private static final int TRACE_REASON_NEW = 1;
    private static final int ICMPV4_ECHO_REQUEST = 8;
    private static final int ICMPV6_ECHO_REQUEST = 128;

    private PacketKind() {}

    /**
     * The kind of a flow's packet, or {@link #NONE}. UDP and ICMP are join-safe only as the first
     * packet of a conntrack entry ({@code trace_reason} NEW) or when the node dropped them (a drop is
     * reported per packet); a TCP packet's kind comes from its flags alone.
     */
    public static int of(NodeEvent flow) {
        switch (flow.protocol) {
            case NodeEvent.PROTO_TCP:
                return ofTcpFlags(flow.tcpFlags);
            case NodeEvent.PROTO_UDP:
            case NodeEvent.PROTO_SCTP:
                return firstOfEntry(flow) ? UDP_NEW : NONE;
            case NodeEvent.PROTO_ICMPV4:
                return flow.icmpType == ICMPV4_ECHO_REQUEST && firstOfEntry(flow) ? ICMP_ECHO : NONE;
            case NodeEvent.PROTO_ICMPV6:
                return flow.icmpType == ICMPV6_ECHO_REQUEST && firstOfEntry(flow) ? ICMP_ECHO : NONE;
            default:
                return NONE;
        }
    }

    static int ofTcpFlags(int flags) {
        if ((flags & NodeEvent.TCP_RST) != 0) {
            return RST;
        }
        if ((flags & NodeEvent.TCP_SYN) != 0) {
            return (flags & NodeEvent.TCP_ACK) != 0 ? SYN_ACK : SYN;
        }
        if ((flags & NodeEvent.TCP_FIN) != 0) {
            return FIN;
        }
        if ((flags & NodeEvent.TCP_PSH) != 0) {
            return FIRST_PSH;
        }
        return (flags & NodeEvent.TCP_ACK) != 0 ? FIRST_ACK : NONE;
    }

    private static boolean firstOfEntry(NodeEvent flow) {
        return flow.traceReason == TRACE_REASON_NEW || flow.verdict == JoinConstants.VERDICT_DROPPED;
    }

    /**
     * The kind a UDP or SCTP packet, or an ICMP echo request, reported ESTABLISHED at its destination
     * would have as the first of its conntrack entry ({@link #UDP_NEW}, {@link #ICMP_ECHO}), else
     * {@link #NONE}. Cilium finds a conntrack entry whatever its lifetime, and only its garbage
     * collection, run by each node's agent at its own times, deletes expired entries: a flow idle past
     * the non-TCP lifetime (60 s) may find its entry gone on the source node, reported NEW there, and
     * still present on the destination, which reports the packet as ESTABLISHED on its 5 s interval
     * (hubble-api.md §3.2, §9.3; the collection's interval is dynamic, minutes or longer: cilium/cilium#17459).
     */
    static int ofEntryKeptLonger(NodeEvent flow) {
        if (flow.traceReason != JoinConstants.TRACE_REASON_ESTABLISHED) {
            return NONE;
        }
        switch (flow.protocol) {
            case NodeEvent.PROTO_UDP:
            case NodeEvent.PROTO_SCTP:
                return UDP_NEW;
            case NodeEvent.PROTO_ICMPV4:
                return flow.icmpType == ICMPV4_ECHO_REQUEST ? ICMP_ECHO : NONE;
            case NodeEvent.PROTO_ICMPV6:
                return flow.icmpType == ICMPV6_ECHO_REQUEST ? ICMP_ECHO : NONE;
            default:
                return NONE;
        }
    }

    /** Whether {@code kind} is one of the first-data kinds (FIRST-ACK, FIRST-PSH). */
    public static boolean isFirstData(int kind) {
        return kind == FIRST_ACK || kind == FIRST_PSH;
    }

    public static String name(int kind) {
        return kind >= 0 && kind < NAMES.length ? NAMES[kind] : "UNKNOWN";
    }

    /** Kind by its name as written in configuration and alerts ("SYN-ACK" or "SYN_ACK"). */
    public static int byName(String name) {
        String normalized = name.trim().toUpperCase(java.util.Locale.ROOT).replace('_', '-');
        for (int kind = 1; kind < NAMES.length; kind++) {
            if (NAMES[kind].equals(normalized)) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown packet kind '" + name + "' (known: " + String.join(", ",
                java.util.Arrays.asList(NAMES).subList(1, NAMES.length)) + ")");
    }
}
