package io.transitwatch.daemon.decode;

import com.google.protobuf.BoolValue;
import com.google.protobuf.InvalidProtocolBufferException;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.testsupport.TestFlows;
import io.transitwatch.proto.flow.CiliumEventType;
import io.transitwatch.proto.flow.Emitter;
import io.transitwatch.proto.flow.Endpoint;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.ICMPv6;
import io.transitwatch.proto.flow.IP;
import io.transitwatch.proto.flow.Layer4;
import io.transitwatch.proto.flow.NetworkInterface;
import io.transitwatch.proto.flow.TCP;
import io.transitwatch.proto.flow.TCPFlags;
import io.transitwatch.proto.flow.UDP;
import io.transitwatch.proto.flow.Workload;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/** The hand-written decoder agrees with protobuf-java's {@code parseFrom} on random flows. */
class FlowDecoderPropertyTest {
    private final StringDictionary dictionary = new StringDictionary(1 << 16);
    private final FlowDecoder decoder = new FlowDecoder(dictionary);

    /** A fixed seed keeps {@code ./test} deterministic; changing it explores new flows. */
    @Property(tries = 2000, seed = "20261205")
    void agreesWithProtobufJava(@ForAll("flows") Flow flow) throws InvalidProtocolBufferException {
        byte[] bytes = TestFlows.response(flow).toByteArray();
        NodeEvent decoded = new NodeEvent();
        decoder.decode(bytes, 0, bytes.length, decoded);
        NodeEvent expected = reference(GetFlowsResponse.parseFrom(bytes).getFlow());
        FlowDecoderTest.assertSameFields(expected, decoded);
    }

    /** What the decoder must produce, computed the slow way from protobuf-java objects. */
    private NodeEvent reference(Flow flow) {
        NodeEvent e = new NodeEvent();
        e.clear();
        e.kind = NodeEvent.FLOW;
        e.node = dictionary.intern(flow.getNodeName());
        e.timeNanos = flow.getTime().getSeconds() * 1_000_000_000L + flow.getTime().getNanos();
        if (!flow.getUuid().isEmpty()) {
            long[] uuid = Uuids.parse(flow.getUuid());
            e.uuidHi = uuid[0];
            e.uuidLo = uuid[1];
        }
        e.verdict = (byte) flow.getVerdictValue();
        e.flowType = (byte) flow.getTypeValue();
        IP ip = flow.getIP();
        e.ipVersion = (byte) (ip.getIpVersionValue() == 1 ? 4 : ip.getIpVersionValue() == 2 ? 6 : 0);
        if (e.ipVersion == 0) {
            String text = ip.getDestination().isEmpty() ? ip.getSource() : ip.getDestination();
            e.ipVersion = (byte) (text.isEmpty() ? 0 : text.contains(":") ? 6 : 4);
        }
        long[] src = jdk(ip.getSource());
        e.srcHi = src[0];
        e.srcLo = src[1];
        long[] dst = jdk(ip.getDestination());
        e.dstHi = dst[0];
        e.dstLo = dst[1];
        if (!ip.getSourceXlated().isEmpty()) {
            long[] xlated = jdk(ip.getSourceXlated());
            e.hasXlated = true;
            e.xlatedHi = xlated[0];
            e.xlatedLo = xlated[1];
        }
        Layer4 l4 = flow.getL4();
        if (l4.hasTCP()) {
            e.protocol = NodeEvent.PROTO_TCP;
            e.srcPort = l4.getTCP().getSourcePort();
            e.dstPort = l4.getTCP().getDestinationPort();
            TCPFlags f = l4.getTCP().getFlags();
            boolean[] bits = {f.getFIN(), f.getSYN(), f.getRST(), f.getPSH(), f.getACK(), f.getURG(), f.getECE(),
                f.getCWR(), f.getNS()};
            for (int i = 0; i < bits.length; i++) {
                e.tcpFlags |= bits[i] ? (short) (1 << i) : 0;
            }
        } else if (l4.hasUDP()) {
            e.protocol = NodeEvent.PROTO_UDP;
            e.srcPort = l4.getUDP().getSourcePort();
            e.dstPort = l4.getUDP().getDestinationPort();
        } else if (l4.hasICMPv6()) {
            e.protocol = NodeEvent.PROTO_ICMPV6;
            e.icmpType = l4.getICMPv6().getType();
            e.icmpCode = l4.getICMPv6().getCode();
        }
        Endpoint s = flow.getSource();
        e.srcEndpointId = s.getID();
        e.srcIdentity = s.getIdentity();
        e.srcNamespace = dictionary.intern(s.getNamespace());
        e.srcPod = dictionary.intern(s.getPodName());
        e.srcWorkload = s.getWorkloadsCount() == 0 ? 0 : dictionary.intern(s.getWorkloads(0).getName());
        Endpoint d = flow.getDestination();
        e.dstEndpointId = d.getID();
        e.dstIdentity = d.getIdentity();
        e.dstNamespace = dictionary.intern(d.getNamespace());
        e.dstPod = dictionary.intern(d.getPodName());
        e.dstWorkload = d.getWorkloadsCount() == 0 ? 0 : dictionary.intern(d.getWorkloads(0).getName());
        e.eventType = flow.getEventType().getType();
        e.eventSubType = flow.getEventType().getSubType();
        e.observationPoint = (short) flow.getTraceObservationPointValue();
        e.traceReason = (byte) flow.getTraceReasonValue();
        e.isReply = flow.hasIsReply() ? (byte) (flow.getIsReply().getValue() ? 1 : 0) : NodeEvent.REPLY_UNKNOWN;
        e.interfaceIndex = flow.getInterface().getIndex();
        e.interfaceName = dictionary.intern(flow.getInterface().getName());
        e.dropReason = flow.getDropReasonDescValue();
        return e;
    }

    private static long[] jdk(String literal) {
        if (literal.isEmpty()) {
            return new long[2];
        }
        try {
            byte[] raw = InetAddress.getByName(literal).getAddress();
            long hi = 0;
            long lo = raw.length == 4 ? IpAddresses.IPV4_MAPPED_PREFIX : 0;
            for (int i = 0; i < raw.length; i++) {
                int shift = 8 * ((raw.length == 4 ? 3 : 7) - (i & 7));
                if (raw.length == 16 && i < 8) {
                    hi |= (raw[i] & 0xffL) << shift;
                } else {
                    lo |= (raw[i] & 0xffL) << shift;
                }
            }
            return new long[] {hi, lo};
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }

    @Provide
    Arbitrary<Flow> flows() {
        Arbitrary<String> names = Arbitraries.strings().withCharRange('a', 'z').ofMinLength(0).ofMaxLength(12);
        Arbitrary<Integer> u32 = Arbitraries.integers().between(0, Integer.MAX_VALUE);
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 65535);
        Arbitrary<String> ips = Arbitraries.oneOf(
                Arbitraries.integers().between(0, 255).list().ofSize(4)
                        .map(o -> o.get(0) + "." + o.get(1) + "." + o.get(2) + "." + o.get(3)),
                Arbitraries.bytes().array(byte[].class).ofSize(16).map(FlowDecoderPropertyTest::ipv6Text));
        Arbitrary<Endpoint> endpoints = Combinators.combine(u32, u32, names, names, names.list().ofMaxSize(2))
                .as((id, identity, ns, pod, workloads) -> {
                    Endpoint.Builder b = Endpoint.newBuilder().setID(id).setIdentity(identity).setNamespace(ns)
                            .setPodName(pod).addLabels("k8s:app=x");
                    workloads.forEach(w -> b.addWorkloads(Workload.newBuilder().setName(w).setKind("Deployment")));
                    return b.build();
                });
        Arbitrary<Layer4> l4 = Arbitraries.oneOf(
                Combinators.combine(port, port, Arbitraries.integers().between(0, 511))
                        .as((s, d, f) -> Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(s).setDestinationPort(d)
                                .setFlags(flags(f))).build()),
                Combinators.combine(port, port).as((s, d) -> Layer4.newBuilder()
                        .setUDP(UDP.newBuilder().setSourcePort(s).setDestinationPort(d)).build()),
                Combinators.combine(port, port).as((t, c) -> Layer4.newBuilder()
                        .setICMPv6(ICMPv6.newBuilder().setType(t).setCode(c)).build()),
                Arbitraries.just(Layer4.getDefaultInstance()));
        Arbitrary<IP> ipLayer = Combinators.combine(ips, ips, ips.injectNull(0.7), Arbitraries.integers().between(0, 2))
                .as((s, d, x, v) -> {
                    IP.Builder b = IP.newBuilder().setSource(s).setDestination(d).setIpVersionValue(v);
                    return (x == null ? b : b.setSourceXlated(x)).build();
                });
        Arbitrary<Flow.Builder> core = Combinators.combine(
                Arbitraries.longs().between(0, 4_000_000_000L), Arbitraries.integers().between(0, 999_999_999),
                Arbitraries.create(java.util.UUID::randomUUID).injectNull(0.1), Arbitraries.integers().between(0, 7),
                ipLayer, l4, endpoints, endpoints)
                .as((sec, nanos, uuid, verdict, ip, layer4, src, dst) -> Flow.newBuilder()
                        .setTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(sec).setNanos(nanos))
                        .setUuid(uuid == null ? "" : uuid.toString()).setVerdictValue(verdict)
                        .setIP(ip).setL4(layer4).setSource(src).setDestination(dst));
        return Combinators.combine(core, names, Arbitraries.integers().between(-1, 200), Arbitraries.integers().between(0, 13),
                Arbitraries.of(0, 1, 2, 3, 4, 5, 9, 10, 11, 101), Arbitraries.integers().between(0, 8),
                Arbitraries.of(-1, 0, 1), Arbitraries.integers().between(0, 205))
                .as((b, node, type, subType, point, reason, reply, drop) -> {
                    b.setNodeName(node).setTypeValue(Math.max(0, type % 4))
                            .setEventType(CiliumEventType.newBuilder().setType(type).setSubType(subType))
                            .setTraceObservationPointValue(point).setTraceReasonValue(reason)
                            .setInterface(NetworkInterface.newBuilder().setIndex(subType).setName(node + "0"))
                            .setDropReasonDescValue(drop)
                            .setEmitter(Emitter.newBuilder().setName("Hubble").setVersion(node));
                    return (reply < 0 ? b : b.setIsReply(BoolValue.of(reply == 1))).build();
                });
    }

    private static TCPFlags flags(int bits) {
        return TCPFlags.newBuilder().setFIN((bits & 1) != 0).setSYN((bits & 2) != 0).setRST((bits & 4) != 0)
                .setPSH((bits & 8) != 0).setACK((bits & 16) != 0).setURG((bits & 32) != 0)
                .setECE((bits & 64) != 0).setCWR((bits & 128) != 0).setNS((bits & 256) != 0).build();
    }

    /** Random 16 bytes as IPv6 text, in the JDK's uncompressed form or RFC 5952's compressed one. */
    private static String ipv6Text(byte[] raw) {
        try {
            raw[0] = (byte) 0xfd; // keep clear of ::ffff:0:0/96, which the JDK turns into IPv4
            String full = Inet6Address.getByAddress(null, raw, -1).getHostAddress();
            long[] parsed = IpAddresses.parse(full);
            return (raw[1] & 1) == 0 ? full : IpAddresses.format(parsed[0], parsed[1]);
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
