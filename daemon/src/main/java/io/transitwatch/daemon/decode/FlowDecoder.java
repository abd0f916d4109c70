package io.transitwatch.daemon.decode;

import static io.transitwatch.daemon.decode.ProtoReader.LEN;
import static io.transitwatch.daemon.decode.ProtoReader.VARINT;
import static io.transitwatch.daemon.decode.ProtoReader.tag;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.Arrays;

/**
 * Single thread: one decoder per stream, used only by the thread that delivers that stream's
 * messages (its node-status results are valid until the next {@link #decode} call).
 *
 * <p>Decodes a serialized {@code observer.GetFlowsResponse} straight from its protobuf bytes into
 * the primitive fields of a {@link NodeEvent}, without building protobuf objects and without
 * allocating (a string is copied once, the first time the {@link StringDictionary} sees it).
 * Fields it does not need, and fields it does not know (Cilium 1.19's {@code emitter},
 * {@code ip_trace_id}, {@code aggregate}, {@code extensions}, anything newer), are skipped whatever
 * their wire type. The field numbers are those of {@code shared/hubble-api.md} §1.2, §1.3, §1.6 and
 * §1.7.
 *
 * <p>A {@code node_status} message names several nodes: it cannot fill one slot, so the decoder
 * keeps its state, node ids and message ({@link #nodeStatusState()}, {@link #nodeStatusNodeCount()},
 * {@link #nodeStatusNode(int)}, {@link #nodeStatusMessage()}) and the relay stream publishes one
 * NODE_UP or NODE_DOWN slot per node.
 */
public final class FlowDecoder {
    /** {@link #decode} result: a flow was decoded into the event. */
    public static final int FLOW = 1;
    /** {@link #decode} result: a {@code lost_events} notice was decoded into the event. */
    public static final int LOST_EVENTS = 2;
    /** {@link #decode} result: a Relay {@code node_status}; see {@link #nodeStatusState()}. */
    public static final int NODE_STATUS = 3;
    /** {@link #decode} result: a valid message without any response type this daemon knows. */
    public static final int OTHER = 4;
    /** {@link #decode} result: not a valid message; the caller counts it and skips it. */
    public static final int MALFORMED = -1;

    // GetFlowsResponse
    private static final int RESPONSE_FLOW = tag(1, LEN);
    private static final int RESPONSE_NODE_STATUS = tag(2, LEN);
    private static final int RESPONSE_LOST_EVENTS = tag(3, LEN);
    private static final int RESPONSE_NODE_NAME = tag(1000, LEN);
    private static final int RESPONSE_TIME = tag(1001, LEN);
    // Flow
    private static final int FLOW_TIME = tag(1, LEN);
    private static final int FLOW_VERDICT = tag(2, VARINT);
    private static final int FLOW_IP = tag(5, LEN);
    private static final int FLOW_L4 = tag(6, LEN);
    private static final int FLOW_SOURCE = tag(8, LEN);
    private static final int FLOW_DESTINATION = tag(9, LEN);
    private static final int FLOW_TYPE = tag(10, VARINT);
    private static final int FLOW_NODE_NAME = tag(11, LEN);
    private static final int FLOW_EVENT_TYPE = tag(19, LEN);
    private static final int FLOW_OBSERVATION_POINT = tag(24, VARINT);
    private static final int FLOW_DROP_REASON_DESC = tag(25, VARINT);
    private static final int FLOW_IS_REPLY = tag(26, LEN);
    private static final int FLOW_INTERFACE = tag(28, LEN);
    private static final int FLOW_UUID = tag(34, LEN);
    private static final int FLOW_TRACE_REASON = tag(36, VARINT);
    // Layer4 oneof
    private static final int L4_TCP = tag(1, LEN);
    private static final int L4_UDP = tag(2, LEN);
    private static final int L4_ICMPV4 = tag(3, LEN);
    private static final int L4_ICMPV6 = tag(4, LEN);
    private static final int L4_SCTP = tag(5, LEN);
    private static final int TCP_FLAGS = tag(3, LEN);
    // Fields numbered 1, 2, 3, 5 that several small messages share.
    private static final int F1_VARINT = tag(1, VARINT);
    private static final int F2_VARINT = tag(2, VARINT);
    private static final int F3_VARINT = tag(3, VARINT);
    private static final int F1_LEN = tag(1, LEN);
    private static final int F2_LEN = tag(2, LEN);
    private static final int F3_LEN = tag(3, LEN);
    private static final int F4_LEN = tag(4, LEN);
    private static final int F5_LEN = tag(5, LEN);
    private static final int F6_LEN = tag(6, LEN);

    private final StringDictionary dictionary;
    private final ProtoReader in = new ProtoReader();
    private final long[] address = new long[2];

    private int statusState;
    private int statusMessage;
    private int statusNodeCount;
    private int[] statusNodes = new int[16];

    public FlowDecoder(StringDictionary dictionary) {
        this.dictionary = dictionary;
    }

    /**
     * Decodes one {@code GetFlowsResponse} of {@code length} bytes at {@code offset}.
     *
     * @param event cleared, then filled for {@link #FLOW} and {@link #LOST_EVENTS}; for
     *     {@link #NODE_STATUS} only {@code node} (the response's node, usually absent) and
     *     {@code timeNanos} are set
     * @return {@link #FLOW}, {@link #LOST_EVENTS}, {@link #NODE_STATUS}, {@link #OTHER} or
     *     {@link #MALFORMED}; never throws on bad input
     */
    public int decode(byte[] buffer, int offset, int length, NodeEvent event) {
        event.clear();
        statusNodeCount = 0;
        in.reset(buffer, offset);
        try {
            return readResponse(offset + length, event);
        } catch (MalformedMessageException | ArrayIndexOutOfBoundsException e) {
            event.clear();
            return MALFORMED;
        }
    }

    /** {@code relay.NodeState} number of the last {@link #NODE_STATUS} decoded. */
    public int nodeStatusState() {
        return statusState;
    }

    /** Number of node names in the last {@link #NODE_STATUS} decoded. */
    public int nodeStatusNodeCount() {
        return statusNodeCount;
    }

    /** Dictionary id of the {@code index}-th node name of the last {@link #NODE_STATUS}. */
    public int nodeStatusNode(int index) {
        if (index >= statusNodeCount) {
            throw new IndexOutOfBoundsException(index);
        }
        return statusNodes[index];
    }

    /** Dictionary id of the message of the last {@link #NODE_STATUS}, 0 when empty. */
    public int nodeStatusMessage() {
        return statusMessage;
    }

    private int readResponse(int end, NodeEvent event) {
        int result = OTHER;
        int responseNode = 0;
        long responseTime = 0;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == RESPONSE_FLOW) {
                readFlow(in.readLengthDelimitedEnd(end), event);
                result = FLOW;
            } else if (tag == RESPONSE_LOST_EVENTS) {
                readLostEvent(in.readLengthDelimitedEnd(end), event);
                result = LOST_EVENTS;
            } else if (tag == RESPONSE_NODE_STATUS) {
                readNodeStatus(in.readLengthDelimitedEnd(end));
                result = NODE_STATUS;
            } else if (tag == RESPONSE_NODE_NAME) {
                responseNode = readString(end);
            } else if (tag == RESPONSE_TIME) {
                responseTime = readTimestamp(in.readLengthDelimitedEnd(end));
            } else {
                in.skipField(tag, end);
            }
        }
        // The flow's own node name and time win; the response-level copies cover lost events.
        if (event.node == 0) {
            event.node = responseNode;
        }
        if (event.timeNanos == 0) {
            event.timeNanos = responseTime;
        }
        event.kind = result == FLOW ? NodeEvent.FLOW : result == LOST_EVENTS ? NodeEvent.LOST_EVENTS : 0;
        return result;
    }

    private void readFlow(int end, NodeEvent e) {
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == FLOW_TIME) {
                e.timeNanos = readTimestamp(in.readLengthDelimitedEnd(end));
            } else if (tag == FLOW_UUID) {
                readUuid(end, e);
            } else if (tag == FLOW_VERDICT) {
                e.verdict = (byte) in.readVarint(end);
            } else if (tag == FLOW_IP) {
                readIp(in.readLengthDelimitedEnd(end), e);
            } else if (tag == FLOW_L4) {
                readLayer4(in.readLengthDelimitedEnd(end), e);
            } else if (tag == FLOW_SOURCE) {
                readEndpoint(in.readLengthDelimitedEnd(end), e, true);
            } else if (tag == FLOW_DESTINATION) {
                readEndpoint(in.readLengthDelimitedEnd(end), e, false);
            } else if (tag == FLOW_TYPE) {
                e.flowType = (byte) in.readVarint(end);
            } else if (tag == FLOW_NODE_NAME) {
                e.node = readString(end);
            } else if (tag == FLOW_EVENT_TYPE) {
                readEventType(in.readLengthDelimitedEnd(end), e);
            } else if (tag == FLOW_OBSERVATION_POINT) {
                e.observationPoint = (short) in.readVarint(end);
            } else if (tag == FLOW_TRACE_REASON) {
                e.traceReason = (byte) in.readVarint(end);
            } else if (tag == FLOW_IS_REPLY) {
                e.isReply = readBoolValue(in.readLengthDelimitedEnd(end)) ? (byte) 1 : 0;
            } else if (tag == FLOW_INTERFACE) {
                readInterface(in.readLengthDelimitedEnd(end), e);
            } else if (tag == FLOW_DROP_REASON_DESC) {
                e.dropReason = (int) in.readVarint(end);
            } else {
                in.skipField(tag, end);
            }
        }
    }

    private void readUuid(int end, NodeEvent e) {
        int length = in.readLength(end);
        int start = in.pos;
        in.pos += length;
        if (Uuids.isValid(in.buf, start, length)) {
            e.uuidHi = Uuids.hi(in.buf, start);
            e.uuidLo = Uuids.lo(in.buf, start);
        } // a uuid that is not one is treated as absent: the event is still usable, just not de-duplicated
    }

    private void readIp(int end, NodeEvent e) {
        int sourceTextVersion = 0;
        int destinationTextVersion = 0;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_LEN) {
                sourceTextVersion = readAddress(end);
                e.srcHi = address[0];
                e.srcLo = address[1];
            } else if (tag == F2_LEN) {
                destinationTextVersion = readAddress(end);
                e.dstHi = address[0];
                e.dstLo = address[1];
            } else if (tag == F5_LEN) {
                e.hasXlated = readAddress(end) != IpAddresses.INVALID;
                e.xlatedHi = address[0];
                e.xlatedLo = address[1];
            } else if (tag == F3_VARINT) {
                long version = in.readVarint(end);
                e.ipVersion = version == 1 ? (byte) 4 : version == 2 ? (byte) 6 : 0;
            } else {
                in.skipField(tag, end);
            }
        }
        if (e.ipVersion == 0) {
            // ipVersion masked away or from an old server: the text form says which family it is
            e.ipVersion = (byte) (destinationTextVersion != 0 ? destinationTextVersion : sourceTextVersion);
        }
    }

    /** Parses an address string into {@link #address}; an empty string is "absent" (zeros). */
    private int readAddress(int end) {
        int length = in.readLength(end);
        int start = in.pos;
        in.pos += length;
        address[0] = 0;
        address[1] = 0;
        if (length == 0) {
            return IpAddresses.INVALID;
        }
        int version = IpAddresses.parse(in.buf, start, length, address);
        if (version == IpAddresses.INVALID) {
            throw MalformedMessageException.INSTANCE; // a flow whose addresses cannot be read cannot be joined
        }
        return version;
    }

    private void readLayer4(int end, NodeEvent e) {
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == L4_TCP) {
                e.protocol = NodeEvent.PROTO_TCP;
                readPorts(in.readLengthDelimitedEnd(end), e, true);
            } else if (tag == L4_UDP) {
                e.protocol = NodeEvent.PROTO_UDP;
                readPorts(in.readLengthDelimitedEnd(end), e, false);
            } else if (tag == L4_SCTP) {
                e.protocol = NodeEvent.PROTO_SCTP;
                readPorts(in.readLengthDelimitedEnd(end), e, false);
            } else if (tag == L4_ICMPV4) {
                e.protocol = NodeEvent.PROTO_ICMPV4;
                readIcmp(in.readLengthDelimitedEnd(end), e);
            } else if (tag == L4_ICMPV6) {
                e.protocol = NodeEvent.PROTO_ICMPV6;
                readIcmp(in.readLengthDelimitedEnd(end), e);
            } else {
                in.skipField(tag, end); // VRRP, IGMP (1.19) and newer: no L4 the join keys on
            }
        }
    }

    private void readPorts(int end, NodeEvent e, boolean tcp) {
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                e.srcPort = (int) in.readVarint(end);
            } else if (tag == F2_VARINT) {
                e.dstPort = (int) in.readVarint(end);
            } else if (tcp && tag == TCP_FLAGS) {
                e.tcpFlags = readTcpFlags(in.readLengthDelimitedEnd(end));
            } else {
                in.skipField(tag, end);
            }
        }
    }

    /** TCPFlags fields 1..9 (FIN, SYN, RST, PSH, ACK, URG, ECE, CWR, NS) map to bits 0..8. */
    private short readTcpFlags(int end) {
        int flags = 0;
        while (in.pos < end) {
            int tag = in.readTag(end);
            int field = tag >>> 3;
            if ((tag & 7) == VARINT && field >= 1 && field <= 9) {
                int bit = 1 << (field - 1);
                flags = in.readBool(end) ? flags | bit : flags & ~bit;
            } else {
                in.skipField(tag, end);
            }
        }
        return (short) flags;
    }

    private void readIcmp(int end, NodeEvent e) {
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                e.icmpType = (int) in.readVarint(end);
            } else if (tag == F2_VARINT) {
                e.icmpCode = (int) in.readVarint(end);
            } else {
                in.skipField(tag, end);
            }
        }
    }

    private void readEndpoint(int end, NodeEvent e, boolean source) {
        int id = 0;
        int identity = 0;
        int namespace = 0;
        int pod = 0;
        int workload = 0;
        boolean workloadSeen = false;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                id = (int) in.readVarint(end);
            } else if (tag == F2_VARINT) {
                identity = (int) in.readVarint(end);
            } else if (tag == F3_LEN) {
                namespace = readString(end);
            } else if (tag == F5_LEN) {
                pod = readString(end);
            } else if (tag == F6_LEN && !workloadSeen) {
                workload = readWorkloadName(in.readLengthDelimitedEnd(end));
                workloadSeen = true;
            } else {
                in.skipField(tag, end);
            }
        }
        if (source) {
            e.srcEndpointId = id;
            e.srcIdentity = identity;
            e.srcNamespace = namespace;
            e.srcPod = pod;
            e.srcWorkload = workload;
        } else {
            e.dstEndpointId = id;
            e.dstIdentity = identity;
            e.dstNamespace = namespace;
            e.dstPod = pod;
            e.dstWorkload = workload;
        }
    }

    private int readWorkloadName(int end) {
        int name = 0;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_LEN) {
                name = readString(end);
            } else {
                in.skipField(tag, end);
            }
        }
        return name;
    }

    private void readEventType(int end, NodeEvent e) {
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                e.eventType = (int) in.readVarint(end); // int32: negative values arrive as 10-byte varints
            } else if (tag == F2_VARINT) {
                e.eventSubType = (int) in.readVarint(end);
            } else {
                in.skipField(tag, end);
            }
        }
    }

    private void readInterface(int end, NodeEvent e) {
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                e.interfaceIndex = (int) in.readVarint(end);
            } else if (tag == F2_LEN) {
                e.interfaceName = readString(end);
            } else {
                in.skipField(tag, end);
            }
        }
    }

    private void readLostEvent(int end, NodeEvent e) {
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                e.lostSource = (byte) in.readVarint(end);
            } else if (tag == F2_VARINT) {
                e.lostCount = in.readVarint(end);
            } else if (tag == F3_LEN) {
                e.lostCpu = readInt32Value(in.readLengthDelimitedEnd(end));
            } else if (tag == F4_LEN) {
                e.lostFirstNanos = readTimestamp(in.readLengthDelimitedEnd(end));
            } else if (tag == F5_LEN) {
                e.lostLastNanos = readTimestamp(in.readLengthDelimitedEnd(end));
            } else {
                in.skipField(tag, end);
            }
        }
    }

    private void readNodeStatus(int end) {
        statusState = 0;
        statusMessage = 0;
        statusNodeCount = 0;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                statusState = (int) in.readVarint(end);
            } else if (tag == F2_LEN) {
                addStatusNode(readString(end));
            } else if (tag == F3_LEN) {
                statusMessage = readString(end);
            } else {
                in.skipField(tag, end);
            }
        }
    }

    private void addStatusNode(int node) {
        if (statusNodeCount == statusNodes.length) {
            statusNodes = Arrays.copyOf(statusNodes, statusNodes.length * 2); // rare: grows to the cluster size once
        }
        statusNodes[statusNodeCount++] = node;
    }

    /** {@code google.protobuf.Timestamp} as epoch nanoseconds. */
    private long readTimestamp(int end) {
        long seconds = 0;
        long nanos = 0;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                seconds = in.readVarint(end);
            } else if (tag == F2_VARINT) {
                nanos = (int) in.readVarint(end);
            } else {
                in.skipField(tag, end);
            }
        }
        return seconds * 1_000_000_000L + nanos;
    }

    private boolean readBoolValue(int end) {
        boolean value = false;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                value = in.readBool(end);
            } else {
                in.skipField(tag, end);
            }
        }
        return value;
    }

    private int readInt32Value(int end) {
        int value = 0;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                value = (int) in.readVarint(end);
            } else {
                in.skipField(tag, end);
            }
        }
        return value;
    }

    private int readString(int end) {
        int length = in.readLength(end);
        int start = in.pos;
        in.pos += length;
        return dictionary.intern(in.buf, start, length);
    }
}
