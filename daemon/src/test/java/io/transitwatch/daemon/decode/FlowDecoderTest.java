package io.transitwatch.daemon.decode;

import static io.transitwatch.daemon.testsupport.TestFlows.timestamp;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.Any;
import com.google.protobuf.ByteString;
import com.google.protobuf.Int32Value;
import com.google.protobuf.UnknownFieldSet;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.testsupport.TestFlows;
import io.transitwatch.proto.flow.Aggregate;
import io.transitwatch.proto.flow.DropReason;
import io.transitwatch.proto.flow.Emitter;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.ICMPv4;
import io.transitwatch.proto.flow.ICMPv6;
import io.transitwatch.proto.flow.IGMP;
import io.transitwatch.proto.flow.IP;
import io.transitwatch.proto.flow.IPTraceID;
import io.transitwatch.proto.flow.IPVersion;
import io.transitwatch.proto.flow.Layer4;
import io.transitwatch.proto.flow.LostEvent;
import io.transitwatch.proto.flow.LostEventSource;
import io.transitwatch.proto.flow.SCTP;
import io.transitwatch.proto.flow.TCP;
import io.transitwatch.proto.flow.TCPFlags;
import io.transitwatch.proto.flow.UDP;
import io.transitwatch.proto.flow.Verdict;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.relay.NodeState;
import io.transitwatch.proto.relay.NodeStatusEvent;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FlowDecoderTest {
    private static final long T = 1_795_274_640_123_456_789L; // 2026-11-21T15:24:00.123456789Z

    private final StringDictionary dictionary = new StringDictionary(1024);
    private final FlowDecoder decoder = new FlowDecoder(dictionary);
    private final NodeEvent event = new NodeEvent();

    private int decode(GetFlowsResponse response) {
        byte[] bytes = response.toByteArray();
        return decoder.decode(bytes, 0, bytes.length, event);
    }

    private String text(int id) {
        return dictionary.get(id);
    }

    @Test
    void decodesEveryFieldTheJoinUses() {
        Flow flow = TestFlows.syn("solwk03", T, 47972)
                .setUuid("d54c1e24-8985-4710-b275-b19b15aed350")
                .setIP(IP.newBuilder().setSource("fd00:101:224:5::10").setDestination("fd00:101:224:4::20")
                        .setSourceXlated("2001:db8::7").setIpVersion(IPVersion.IPv6))
                .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(47972).setDestinationPort(9090)
                        .setFlags(TCPFlags.newBuilder().setSYN(true).setACK(true).setNS(true))))
                .setDestination(TestFlows.syn("x", 0, 0).getDestinationBuilder().setID(77)
                        .addWorkloads(io.transitwatch.proto.flow.Workload.newBuilder().setName("source-controller"))
                        .addWorkloads(io.transitwatch.proto.flow.Workload.newBuilder().setName("second")))
                .setDropReasonDesc(DropReason.POLICY_DENIED)
                .build();

        assertEquals(FlowDecoder.FLOW, decode(TestFlows.response(flow)));

        assertEquals(NodeEvent.FLOW, event.kind);
        assertEquals("solwk03", text(event.node));
        assertEquals(T, event.timeNanos);
        long[] uuid = Uuids.parse("d54c1e24-8985-4710-b275-b19b15aed350");
        assertEquals(uuid[0], event.uuidHi);
        assertEquals(uuid[1], event.uuidLo);
        assertEquals(Verdict.FORWARDED_VALUE, event.verdict);
        assertEquals(1, event.flowType);
        assertEquals(6, event.ipVersion);
        assertEquals("fd00:101:224:5::10", IpAddresses.format(event.srcHi, event.srcLo));
        assertEquals("fd00:101:224:4::20", IpAddresses.format(event.dstHi, event.dstLo));
        assertTrue(event.hasXlated);
        assertEquals("2001:db8::7", IpAddresses.format(event.xlatedHi, event.xlatedLo));
        assertEquals(NodeEvent.PROTO_TCP, event.protocol);
        assertEquals(47972, event.srcPort);
        assertEquals(9090, event.dstPort);
        assertEquals(NodeEvent.TCP_SYN | NodeEvent.TCP_ACK | NodeEvent.TCP_NS, event.tcpFlags);
        assertEquals(1234, event.srcEndpointId);
        assertEquals(44187, event.srcIdentity);
        assertEquals("flux-system", text(event.srcNamespace));
        assertEquals("kustomize-controller-57bbd7c-fdtpk", text(event.srcPod));
        assertEquals("kustomize-controller", text(event.srcWorkload));
        assertEquals(77, event.dstEndpointId);
        assertEquals(41034, event.dstIdentity);
        assertEquals("flux-system", text(event.dstNamespace));
        assertEquals("source-controller-6ccfd78764-rzfnk", text(event.dstPod));
        assertEquals("source-controller", text(event.dstWorkload), "the first workload");
        assertEquals(4, event.eventType);
        assertEquals(11, event.eventSubType);
        assertEquals(11, event.observationPoint);
        assertEquals(1, event.traceReason);
        assertEquals(0, event.isReply);
        assertEquals(2, event.interfaceIndex);
        assertEquals("ens18", text(event.interfaceName));
        assertEquals(DropReason.POLICY_DENIED_VALUE, event.dropReason);
    }

    @Test
    void readsReservedLabelsThatNameACidrIdentity() {
        // Cilium 1.19.1 (hubble-api.md §10): the API server as a node-local CIDR identity with reserved labels
        Flow flow = TestFlows.syn("solwk01", T, 40000)
                .setDestination(io.transitwatch.proto.flow.Endpoint.newBuilder().setIdentity(16_777_217)
                        .addLabels("reserved:kube-apiserver").addLabels("reserved:world"))
                .setSource(io.transitwatch.proto.flow.Endpoint.newBuilder().setIdentity(4242)
                        .addLabels("k8s:app=coredns").addLabels("reserved:hostx").addLabels("reserved:"))
                .build();
        assertEquals(FlowDecoder.FLOW, decode(TestFlows.response(flow)));
        assertEquals(16_777_217, event.dstIdentity);
        assertEquals(NodeEvent.LABEL_KUBE_APISERVER | NodeEvent.LABEL_WORLD, event.dstReservedLabels);
        assertEquals(0, event.srcReservedLabels, "only whole reserved: names count");

        decode(TestFlows.response(flow.toBuilder().setDestination(io.transitwatch.proto.flow.Endpoint.newBuilder()
                .setIdentity(6).addLabels("reserved:remote-node")).build()));
        assertEquals(NodeEvent.LABEL_REMOTE_NODE, event.dstReservedLabels);
    }

    @Test
    void absentIsReplyIsUnknownAndAbsentUuidIsZero() {
        Flow flow = TestFlows.syn("solwk03", T, 1).clearIsReply().clearUuid().build();
        assertEquals(FlowDecoder.FLOW, decode(TestFlows.response(flow)));
        assertEquals(NodeEvent.REPLY_UNKNOWN, event.isReply);
        assertEquals(0, event.uuidHi);
        assertEquals(0, event.uuidLo);

        decode(TestFlows.response(flow.toBuilder().setIsReply(com.google.protobuf.BoolValue.of(true)).build()));
        assertEquals(1, event.isReply);
    }

    @Test
    void decodesIpv4AndEveryLayer4() {
        Flow.Builder flow = TestFlows.syn("n", T, 1).setIP(IP.newBuilder().setSource("10.101.224.7")
                .setDestination("10.101.225.9").setIpVersion(IPVersion.IPv4));
        flow.setL4(Layer4.newBuilder().setUDP(UDP.newBuilder().setSourcePort(53).setDestinationPort(5353)));
        decode(TestFlows.response(flow.build()));
        assertEquals(4, event.ipVersion);
        assertEquals("10.101.224.7", IpAddresses.format(event.srcHi, event.srcLo, 4));
        assertEquals(IpAddresses.IPV4_MAPPED_PREFIX | 0x0a65_e109L, event.dstLo);
        assertFalse(event.hasXlated);
        assertEquals(NodeEvent.PROTO_UDP, event.protocol);
        assertEquals(53, event.srcPort);
        assertEquals(5353, event.dstPort);

        flow.setL4(Layer4.newBuilder().setSCTP(SCTP.newBuilder().setSourcePort(1).setDestinationPort(2)));
        decode(TestFlows.response(flow.build()));
        assertEquals(NodeEvent.PROTO_SCTP, event.protocol);
        assertEquals(2, event.dstPort);

        flow.setL4(Layer4.newBuilder().setICMPv4(ICMPv4.newBuilder().setType(8).setCode(0)));
        decode(TestFlows.response(flow.build()));
        assertEquals(NodeEvent.PROTO_ICMPV4, event.protocol);
        assertEquals(8, event.icmpType);

        flow.setL4(Layer4.newBuilder().setICMPv6(ICMPv6.newBuilder().setType(128).setCode(3)));
        decode(TestFlows.response(flow.build()));
        assertEquals(NodeEvent.PROTO_ICMPV6, event.protocol);
        assertEquals(128, event.icmpType);
        assertEquals(3, event.icmpCode);

        flow.setL4(Layer4.newBuilder().setIGMP(IGMP.newBuilder().setType(1).setGroupAddress("224.0.0.1")));
        assertEquals(FlowDecoder.FLOW, decode(TestFlows.response(flow.build())));
        assertEquals(NodeEvent.PROTO_NONE, event.protocol, "a 1.19 L4 the join does not know");
    }

    @Test
    void skipsCilium119FieldsExtensionsAndUnknownFieldsOfEveryWireType() {
        UnknownFieldSet unknown = UnknownFieldSet.newBuilder()
                .addField(99_001, UnknownFieldSet.Field.newBuilder().addVarint(-1).build())
                .addField(99_002, UnknownFieldSet.Field.newBuilder().addFixed32(7).build())
                .addField(99_003, UnknownFieldSet.Field.newBuilder().addFixed64(7L).build())
                .addField(99_004, UnknownFieldSet.Field.newBuilder().addLengthDelimited(ByteString.copyFromUtf8("x")).build())
                .addField(99_005, UnknownFieldSet.Field.newBuilder().addGroup(UnknownFieldSet.newBuilder()
                        .addField(1, UnknownFieldSet.Field.newBuilder().addVarint(3).build()).build()).build())
                .build();
        Flow base = TestFlows.syn("solwk01", T, 4000).build();
        Flow flow = base.toBuilder()
                .setEmitter(Emitter.newBuilder().setName("Hubble").setVersion("1.19.1+gd0d0c879"))
                .setIpTraceId(IPTraceID.newBuilder().setTraceId(42).setIpOptionType(136))
                .setAggregate(Aggregate.newBuilder().setIngressFlowCount(3))
                .setExtensions(Any.newBuilder().setTypeUrl("type.googleapis.com/x.Y").setValue(ByteString.copyFromUtf8("zz")))
                .setSummary("TCP Flags: SYN")
                .setUnknownFields(unknown)
                .build();
        GetFlowsResponse response = TestFlows.response(flow).toBuilder().setUnknownFields(unknown).build();

        assertEquals(FlowDecoder.FLOW, decode(response));
        NodeEvent withExtras = new NodeEvent();
        withExtras.copyFrom(event);
        decode(TestFlows.response(base));
        assertSameFields(event, withExtras);
    }

    @Test
    void decodesLostEvents() {
        GetFlowsResponse response = GetFlowsResponse.newBuilder()
                .setLostEvents(LostEvent.newBuilder().setSource(LostEventSource.PERF_EVENT_RING_BUFFER)
                        .setNumEventsLost(12).setCpu(Int32Value.of(3))
                        .setFirst(timestamp(T - 5)).setLast(timestamp(T - 1)))
                .setNodeName("solwk02").setTime(timestamp(T)).build();
        assertEquals(FlowDecoder.LOST_EVENTS, decode(response));
        assertEquals(NodeEvent.LOST_EVENTS, event.kind);
        assertEquals("solwk02", text(event.node));
        assertEquals(T, event.timeNanos);
        assertEquals(LostEventSource.PERF_EVENT_RING_BUFFER_VALUE, event.lostSource);
        assertEquals(12, event.lostCount);
        assertEquals(3, event.lostCpu);
        assertEquals(T - 5, event.lostFirstNanos);
        assertEquals(T - 1, event.lostLastNanos);

        decode(TestFlows.lost("solwk02", T, 1));
        assertEquals(NodeEvent.CPU_UNKNOWN, event.lostCpu);
    }

    @Test
    void reportsEveryNodeOfANodeStatus() {
        GetFlowsResponse response = GetFlowsResponse.newBuilder()
                .setNodeStatus(NodeStatusEvent.newBuilder().setStateChange(NodeState.NODE_ERROR)
                        .addNodeNames("solwk01").addNodeNames("solwk02").addNodeNames("solcp01")
                        .setMessage("connection refused"))
                .setTime(timestamp(T)).build();
        assertEquals(FlowDecoder.NODE_STATUS, decode(response));
        assertEquals(NodeState.NODE_ERROR_VALUE, decoder.nodeStatusState());
        assertEquals(3, decoder.nodeStatusNodeCount());
        assertEquals("solwk01", text(decoder.nodeStatusNode(0)));
        assertEquals("solcp01", text(decoder.nodeStatusNode(2)));
        assertEquals("connection refused", text(decoder.nodeStatusMessage()));
        assertEquals(T, event.timeNanos);
    }

    @Test
    void growsForLargeClusters() {
        NodeStatusEvent.Builder status = NodeStatusEvent.newBuilder().setStateChange(NodeState.NODE_CONNECTED);
        for (int i = 0; i < 100; i++) {
            status.addNodeNames("node-" + i);
        }
        assertEquals(FlowDecoder.NODE_STATUS, decode(GetFlowsResponse.newBuilder().setNodeStatus(status).build()));
        assertEquals(100, decoder.nodeStatusNodeCount());
        assertEquals("node-99", text(decoder.nodeStatusNode(99)));
    }

    @Test
    void truncatedMessagesAreMalformedOrAShorterValidMessageNeverAnException() {
        byte[] bytes = TestFlows.response(TestFlows.syn("solwk03", T, 47972).build()).toByteArray();
        int malformed = 0;
        for (int length = 0; length < bytes.length; length++) {
            int result = decoder.decode(bytes, 0, length, event);
            if (result == FlowDecoder.MALFORMED) {
                malformed++;
            }
        }
        assertEquals(FlowDecoder.MALFORMED, decoder.decode(bytes, 0, bytes.length - 1, event));
        assertTrue(malformed > bytes.length / 2, "most cuts land inside a field: " + malformed);
    }

    @Test
    void garbageIsMalformedNeverAnException() {
        Random random = new Random(7);
        byte[] garbage = new byte[512];
        for (int i = 0; i < 20_000; i++) {
            random.nextBytes(garbage);
            int result = decoder.decode(garbage, 0, 1 + random.nextInt(garbage.length), event);
            assertTrue(result >= FlowDecoder.MALFORMED && result <= FlowDecoder.OTHER);
        }
    }

    @Test
    void anInvalidAddressIsMalformed() {
        Flow flow = TestFlows.syn("n", T, 1).setIP(IP.newBuilder().setSource("fd00::zz").setDestination("::1")).build();
        assertEquals(FlowDecoder.MALFORMED, decode(TestFlows.response(flow)));
        assertEquals(0, event.kind);
    }

    @Test
    void decodesFromAnOffsetInsideALargerBuffer() {
        byte[] message = TestFlows.response(TestFlows.syn("solwk03", T, 1).build()).toByteArray();
        byte[] buffer = new byte[message.length + 20];
        System.arraycopy(message, 0, buffer, 10, message.length);
        assertEquals(FlowDecoder.FLOW, decoder.decode(buffer, 10, message.length, event));
        assertEquals("solwk03", text(event.node));
    }

    @Test
    void anEmptyResponseIsOther() {
        assertEquals(FlowDecoder.OTHER, decoder.decode(new byte[0], 0, 0, event));
    }

    @Test
    void decodingAllocatesNothingOnceTheStringsAreKnown() {
        byte[] bytes = TestFlows.response(TestFlows.syn("solwk03", T, 47972).build()).toByteArray();
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        for (int i = 0; i < 20_000; i++) { // warm up: interning, class loading, JIT
            decoder.decode(bytes, 0, bytes.length, event);
        }
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < 100_000; i++) {
            decoder.decode(bytes, 0, bytes.length, event);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 100000 decodes");
    }

    static void assertSameFields(NodeEvent expected, NodeEvent actual) {
        NodeEvent a = new NodeEvent();
        a.copyFrom(expected);
        NodeEvent b = new NodeEvent();
        b.copyFrom(actual);
        for (java.lang.reflect.Field field : NodeEvent.class.getFields()) {
            if (java.lang.reflect.Modifier.isStatic(field.getModifiers())) {
                continue;
            }
            try {
                assertEquals(field.get(a), field.get(b), field.getName());
            } catch (IllegalAccessException e) {
                throw new AssertionError(e);
            }
        }
    }
}
