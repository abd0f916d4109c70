package io.transitwatch.daemon.decode;

import static io.transitwatch.daemon.decode.ProtoReader.F1_LEN;
import static io.transitwatch.daemon.decode.ProtoReader.F1_VARINT;
import static io.transitwatch.daemon.decode.ProtoReader.F2_LEN;
import static io.transitwatch.daemon.decode.ProtoReader.F2_VARINT;
import static io.transitwatch.daemon.decode.ProtoReader.F3_VARINT;
import static io.transitwatch.daemon.decode.ProtoReader.F5_LEN;
import static io.transitwatch.daemon.decode.ProtoReader.LEN;
import static io.transitwatch.daemon.decode.ProtoReader.VARINT;
import static io.transitwatch.daemon.decode.ProtoReader.tag;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.NameCache;

/**
 * Single thread: belongs to one {@link FlowDecoder} and shares its {@link ProtoReader}.
 *
 * <p>Reads a {@code flow.Flow} (field numbers of {@code flow.Flow} and its sub-messages in
 * {@code proto/src/main/proto/flow/flow.proto}) into
 * the flow fields of a {@link NodeEvent}; every field it does not need is skipped. Endpoints are
 * read by an {@link EndpointReader} per side.
 */
final class FlowReader {
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
    private static final int L4_TCP = tag(1, LEN);
    private static final int L4_UDP = tag(2, LEN);
    private static final int L4_ICMPV4 = tag(3, LEN);
    private static final int L4_ICMPV6 = tag(4, LEN);
    private static final int L4_SCTP = tag(5, LEN);
    private static final int TCP_FLAGS = tag(3, LEN);

    private final ProtoReader in;
    private final NameCache names;
    private final NameCache nodeNames;
    private final long[] address = new long[2];
    private final EndpointReader source;
    private final EndpointReader destination;

    FlowReader(ProtoReader in, NameCache names, NameCache nodeNames) {
        this.in = in;
        this.names = names;
        this.nodeNames = nodeNames;
        this.source = new EndpointReader(in, names);
        this.destination = new EndpointReader(in, names);
    }

    /** Reads the Flow spanning to {@code end}. */
    void readFlow(int end, NodeEvent e) {
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == FLOW_TIME) {
                e.timeNanos = in.readTimestamp(in.readLengthDelimitedEnd(end));
            } else if (tag == FLOW_UUID) {
                readUuid(end, e);
            } else if (tag == FLOW_VERDICT) {
                e.verdict = (byte) in.readVarint(end);
            } else if (tag == FLOW_IP) {
                readIp(in.readLengthDelimitedEnd(end), e);
            } else if (tag == FLOW_L4) {
                readLayer4(in.readLengthDelimitedEnd(end), e);
            } else if (tag == FLOW_SOURCE) {
                readSource(in.readLengthDelimitedEnd(end), e);
            } else if (tag == FLOW_DESTINATION) {
                readDestination(in.readLengthDelimitedEnd(end), e);
            } else if (tag == FLOW_TYPE) {
                e.flowType = (byte) in.readVarint(end);
            } else if (tag == FLOW_NODE_NAME) {
                e.node = in.readInterned(end, nodeNames);
            } else if (tag == FLOW_EVENT_TYPE) {
                readEventType(in.readLengthDelimitedEnd(end), e);
            } else if (tag == FLOW_OBSERVATION_POINT) {
                e.observationPoint = (short) in.readVarint(end);
            } else if (tag == FLOW_TRACE_REASON) {
                e.traceReason = (byte) in.readVarint(end);
            } else if (tag == FLOW_IS_REPLY) {
                e.isReply = in.readBoolValue(in.readLengthDelimitedEnd(end)) ? (byte) 1 : 0;
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

    private void readSource(int end, NodeEvent e) {
        source.read(end);
        e.srcReservedLabels = source.reservedLabels;
        e.srcEndpointId = source.id;
        e.srcIdentity = source.identity;
        e.srcNamespace = source.namespace;
        e.srcPod = source.pod;
        e.srcWorkload = source.workload;
    }

    private void readDestination(int end, NodeEvent e) {
        destination.read(end);
        e.dstReservedLabels = destination.reservedLabels;
        e.dstEndpointId = destination.id;
        e.dstIdentity = destination.identity;
        e.dstNamespace = destination.namespace;
        e.dstPod = destination.pod;
        e.dstWorkload = destination.workload;
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
                e.interfaceName = in.readInterned(end, names);
            } else {
                in.skipField(tag, end);
            }
        }
    }
}
