package io.transitwatch.bench.baseline;

import com.google.protobuf.InvalidProtocolBufferException;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.proto.flow.Endpoint;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.TCPFlags;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.util.UUID;

/**
 * Single-threaded (one per stream, like the decoder it stands in for).
 *
 * <p>The decoding half of the baseline: what a client written with the generated classes does with
 * each message — {@code GetFlowsResponse.parseFrom} of the whole message, then getters, address
 * strings through {@link InetAddress}, names interned as {@code String}s — ending in the same
 * hand-off slot the daemon's {@code FlowDecoder} fills, so the same join can consume either.
 */
public final class ProtoFlowConverter {
    private final StringDictionary dictionary;

    public ProtoFlowConverter(StringDictionary dictionary) {
        this.dictionary = dictionary;
    }

    /** {@code GetFlowsResponse.parseFrom} alone: the message object, nothing taken out of it. */
    public static GetFlowsResponse parse(byte[] buffer, int offset, int length) {
        try {
            return GetFlowsResponse.parser().parseFrom(buffer, offset, length);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a GetFlowsResponse", e);
        }
    }

    /** Parses the message and fills {@code e} with what the join needs. */
    public void decode(byte[] buffer, int offset, int length, NodeEvent e) {
        fill(parse(buffer, offset, length), e);
    }

    /** Fills {@code e} from a parsed message's flow (what a client given the message objects does). */
    public void fill(GetFlowsResponse response, NodeEvent e) {
        Flow flow = response.getFlow();
        e.clear();
        e.kind = NodeEvent.FLOW;
        e.node = dictionary.intern(flow.getNodeName());
        e.timeNanos = flow.getTime().getSeconds() * 1_000_000_000L + flow.getTime().getNanos();
        e.verdict = (byte) flow.getVerdictValue();
        e.flowType = (byte) flow.getTypeValue();
        e.observationPoint = (short) flow.getTraceObservationPointValue();
        e.traceReason = (byte) flow.getTraceReasonValue();
        e.isReply = flow.hasIsReply() ? (byte) (flow.getIsReply().getValue() ? 1 : 0) : NodeEvent.REPLY_UNKNOWN;
        e.ipVersion = (byte) (flow.getIP().getIpVersionValue() == 2 ? 6 : 4);
        long[] source = address(flow.getIP().getSource());
        long[] destination = address(flow.getIP().getDestination());
        e.srcHi = source[0];
        e.srcLo = source[1];
        e.dstHi = destination[0];
        e.dstLo = destination[1];
        if (!flow.getIP().getSourceXlated().isEmpty()) {
            long[] xlated = address(flow.getIP().getSourceXlated());
            e.hasXlated = true;
            e.xlatedHi = xlated[0];
            e.xlatedLo = xlated[1];
        }
        if (flow.getL4().hasTCP()) {
            e.protocol = NodeEvent.PROTO_TCP;
            e.srcPort = flow.getL4().getTCP().getSourcePort();
            e.dstPort = flow.getL4().getTCP().getDestinationPort();
            TCPFlags flags = flow.getL4().getTCP().getFlags();
            e.tcpFlags = (short) ((flags.getFIN() ? NodeEvent.TCP_FIN : 0) | (flags.getSYN() ? NodeEvent.TCP_SYN : 0)
                    | (flags.getRST() ? NodeEvent.TCP_RST : 0) | (flags.getACK() ? NodeEvent.TCP_ACK : 0));
        } else if (flow.getL4().hasUDP()) {
            e.protocol = NodeEvent.PROTO_UDP;
            e.srcPort = flow.getL4().getUDP().getSourcePort();
            e.dstPort = flow.getL4().getUDP().getDestinationPort();
        }
        Endpoint src = flow.getSource();
        Endpoint dst = flow.getDestination();
        e.srcEndpointId = src.getID();
        e.srcIdentity = src.getIdentity();
        e.srcNamespace = dictionary.intern(src.getNamespace());
        e.srcPod = dictionary.intern(src.getPodName());
        e.srcWorkload = src.getWorkloadsCount() > 0 ? dictionary.intern(src.getWorkloads(0).getName()) : 0;
        e.dstEndpointId = dst.getID();
        e.dstIdentity = dst.getIdentity();
        e.dstNamespace = dictionary.intern(dst.getNamespace());
        e.dstPod = dictionary.intern(dst.getPodName());
        e.dstWorkload = dst.getWorkloadsCount() > 0 ? dictionary.intern(dst.getWorkloads(0).getName()) : 0;
        e.eventType = flow.getEventType().getType();
        e.eventSubType = flow.getEventType().getSubType();
        e.interfaceIndex = flow.getInterface().getIndex();
        e.interfaceName = dictionary.intern(flow.getInterface().getName());
        e.dropReason = flow.getDropReasonDescValue();
        if (!flow.getUuid().isEmpty()) {
            UUID uuid = UUID.fromString(flow.getUuid());
            e.uuidHi = uuid.getMostSignificantBits();
            e.uuidLo = uuid.getLeastSignificantBits();
        }
    }

    /** 128 bits in two longs, IPv4 mapped into ::ffff:0:0/96 (the slot's convention). */
    private static long[] address(String text) {
        byte[] raw;
        try {
            raw = InetAddress.getByName(text).getAddress(); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("not an IP address: " + text, e);
        }
        if (raw.length == 4) {
            return new long[] {0, 0x0000_ffff_0000_0000L | (ByteBuffer.wrap(raw).getInt() & 0xffff_ffffL)};
        }
        ByteBuffer bytes = ByteBuffer.wrap(raw);
        return new long[] {bytes.getLong(), bytes.getLong()};
    }
}
