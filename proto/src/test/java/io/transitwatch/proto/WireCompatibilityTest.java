package io.transitwatch.proto;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.BoolValue;
import com.google.protobuf.FieldMask;
import com.google.protobuf.Int32Value;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Timestamp;
import io.transitwatch.proto.flow.CiliumEventType;
import io.transitwatch.proto.flow.DropReason;
import io.transitwatch.proto.flow.EventTypeFilter;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.FlowFilter;
import io.transitwatch.proto.flow.FlowType;
import io.transitwatch.proto.flow.IP;
import io.transitwatch.proto.flow.IPVersion;
import io.transitwatch.proto.flow.Layer4;
import io.transitwatch.proto.flow.LostEvent;
import io.transitwatch.proto.flow.LostEventSource;
import io.transitwatch.proto.flow.TCP;
import io.transitwatch.proto.flow.TCPFlags;
import io.transitwatch.proto.flow.TraceObservationPoint;
import io.transitwatch.proto.flow.TraceReason;
import io.transitwatch.proto.flow.Verdict;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.observer.ObserverGrpc;
import io.transitwatch.proto.peer.ChangeNotification;
import io.transitwatch.proto.peer.ChangeNotificationType;
import io.transitwatch.proto.peer.PeerGrpc;
import io.transitwatch.proto.peer.TLS;
import io.transitwatch.proto.relay.NodeState;
import io.transitwatch.proto.relay.NodeStatusEvent;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Byte-for-byte checks of our generated classes against golden encodings written by hand from
 * the Cilium v1.18.6 field numbers, as declared in this module's src/main/proto files.
 *
 * <p>How the golden bytes are derived (protobuf binary format):
 *
 * <ul>
 *   <li>every field starts with a tag = varint((field_number << 3) | wire_type), wire type 0 =
 *       varint (ints, bools, enums), 2 = length-delimited (strings, sub-messages, packed);
 *   <li>varint: 7 bits per byte, least significant group first, high bit 0x80 set on every byte
 *       except the last; e.g. 1000 << 3 | 2 = 8002 = 62 * 128 + 66 gives 0xC2 (66 | 0x80), 0x3E;
 *   <li>a length-delimited field is tag, varint(byte length), payload;
 *   <li>proto3 scalars equal to their default (0, false, "", first enum value) are not written;
 *       wrapper messages (BoolValue) and sub-messages are written even when empty;
 *   <li>protobuf-java (like Go) writes known fields in ascending field-number order.
 * </ul>
 *
 * Strings are spelled with {@link #ascii(String)} (their UTF-8 bytes); everything else is hex.
 */
class WireCompatibilityTest {

  // ---------------------------------------------------------------- helpers

  /** Hex string with optional blanks to bytes. */
  private static byte[] hex(String... parts) {
    return HexFormat.of().parseHex(String.join("", parts).replaceAll("\\s+", ""));
  }

  /** UTF-8 bytes of {@code s} as hex, so goldens stay readable. */
  private static String ascii(String s) {
    return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
  }

  private static void assertBytes(byte[] expected, byte[] actual) {
    assertArrayEquals(
        expected,
        actual,
        () ->
            "expected "
                + HexFormat.ofDelimiter(" ").formatHex(expected)
                + "\n but was "
                + HexFormat.ofDelimiter(" ").formatHex(actual));
  }

  // Timestamp{seconds=1700000000} (2023-11-14T22:13:20Z).
  // 1700000000 = 0x6553F100; 7-bit groups from the low end: 0x00, 0x62, 0x4F, 0x2A, 0x06
  // -> varint 80 E2 CF AA 06. seconds is field 1 varint: tag 08. nanos = 0 is omitted.
  private static final String TS_1700000000 = "08 80E2CFAA06"; // 6 bytes

  private static Timestamp ts1700000000() {
    return Timestamp.newBuilder().setSeconds(1_700_000_000L).build();
  }

  // ------------------------------------------------------- GetFlowsResponse

  // GetFlowsResponse{node_name="node-a", time={seconds=1, nanos=500}}
  //   node_name = 1000, wire 2: tag 8002 -> C2 3E; len 06; "node-a"
  //   time      = 1001, wire 2: tag 8010 = 62*128 + 74 -> CA 3E; len 05;
  //     Timestamp: seconds(1, wire 0) 08 01; nanos(2, wire 0) tag 10, 500 = 3*128 + 116 -> F4 03
  private static final byte[] GOLDEN_RESPONSE_NODE_TIME =
      hex("C23E 06", ascii("node-a"), "CA3E 05 0801 10F403");

  @Test
  void shouldEncodeGetFlowsResponseNodeNameWithTwoByteTag() {
    GetFlowsResponse msg =
        GetFlowsResponse.newBuilder()
            .setNodeName("node-a")
            .setTime(Timestamp.newBuilder().setSeconds(1).setNanos(500))
            .build();
    assertBytes(GOLDEN_RESPONSE_NODE_TIME, msg.toByteArray());
  }

  @Test
  void shouldDecodeGetFlowsResponseNodeNameFromGoldenBytes() throws InvalidProtocolBufferException {
    GetFlowsResponse msg = GetFlowsResponse.parseFrom(GOLDEN_RESPONSE_NODE_TIME);
    assertEquals("node-a", msg.getNodeName());
    assertEquals(1, msg.getTime().getSeconds());
    assertEquals(500, msg.getTime().getNanos());
    assertEquals(GetFlowsResponse.ResponseTypesCase.RESPONSETYPES_NOT_SET, msg.getResponseTypesCase());
    assertTrue(msg.getUnknownFields().asMap().isEmpty());
  }

  // ------------------------------------------------------------------- Flow

  private static final String UUID = "6f0e5a4e-2d7c-4f39-9c53-3a1b8c1d2e10"; // 36 bytes = 0x24

  /*
   * Flow, fields in ascending number order:
   *  1 time            wire 2: 0A, len 06, TS_1700000000                          ->  8 bytes
   *  2 verdict         wire 0: 10, FORWARDED = 1 -> 01                            ->  2 bytes
   *  5 IP              wire 2: 2A, len 0x23 (35), IP:                             -> 37 bytes
   *      1 source        0A 08 "10.0.0.1"                                          (10)
   *      2 destination   12 08 "10.0.1.2"                                          (10)
   *      3 ipVersion     18 01 (IPv4 = 1)                                          ( 2)
   *      5 source_xlated 2A 0B "192.168.1.1"                                       (13)
   *  6 l4              wire 2: 32, len 0C, Layer4:                                -> 14 bytes
   *      1 TCP  0A 0A, TCP:
   *          1 source_port      08, 40000 = 312*128 + 64 -> C0, 312 = 2*128 + 56 -> B8, 02
   *          2 destination_port 10 50 (80)
   *          3 flags            1A 02, TCPFlags{2 SYN = true}: 10 01
   * 10 Type            wire 0: 50, L3_L4 = 1 -> 01                                ->  2 bytes
   * 11 node_name       wire 2: 5A, len 0B, "kind-worker"                          -> 13 bytes
   * 19 event_type      wire 2: tag 154 = 128 + 26 -> 9A 01, len 02,
   *                    CiliumEventType{1 type = 4}: 08 04 (sub_type 0 omitted)    ->  5 bytes
   * 24 trace_observation_point wire 0: tag 192 -> C0 01, TO_ENDPOINT = 101 -> 65  ->  3 bytes
   * 26 is_reply        wire 2: tag 210 = 128 + 82 -> D2 01, len 00
   *                    (BoolValue{false}: empty body, but present)                ->  3 bytes
   * 34 uuid            wire 2: tag 274 = 2*128 + 18 -> 92 02, len 24, 36 chars    -> 39 bytes
   * 36 trace_reason    wire 0: tag 288 = 2*128 + 32 -> A0 02, NEW = 1 -> 01       ->  3 bytes
   * total = 8+2+37+14+2+13+5+3+3+39+3 = 129 bytes
   */
  private static final String FLOW_BODY =
      "0A06" + TS_1700000000
          + "1001"
          + "2A23"
          + "0A08" + ascii("10.0.0.1")
          + "1208" + ascii("10.0.1.2")
          + "1801"
          + "2A0B" + ascii("192.168.1.1")
          + "320C" + "0A0A" + "08C0B802" + "1050" + "1A021001"
          + "5001"
          + "5A0B" + ascii("kind-worker")
          + "9A01 02 0804"
          + "C001 65"
          + "D201 00"
          + "9202 24" + ascii(UUID)
          + "A002 01";

  private static final byte[] GOLDEN_FLOW = hex(FLOW_BODY);

  private static Flow sampleFlow() {
    return Flow.newBuilder()
        .setTime(ts1700000000())
        .setVerdict(Verdict.FORWARDED)
        .setIP(
            IP.newBuilder()
                .setSource("10.0.0.1")
                .setDestination("10.0.1.2")
                .setIpVersion(IPVersion.IPv4)
                .setSourceXlated("192.168.1.1"))
        .setL4(
            Layer4.newBuilder()
                .setTCP(
                    TCP.newBuilder()
                        .setSourcePort(40000)
                        .setDestinationPort(80)
                        .setFlags(TCPFlags.newBuilder().setSYN(true))))
        .setType(FlowType.L3_L4)
        .setNodeName("kind-worker")
        .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(0))
        .setTraceObservationPoint(TraceObservationPoint.TO_ENDPOINT)
        .setIsReply(BoolValue.of(false))
        .setUuid(UUID)
        .setTraceReason(TraceReason.NEW)
        .build();
  }

  @Test
  void shouldEncodeFlowWithTraceFieldsByteForByte() {
    assertEquals(129, GOLDEN_FLOW.length, "hand count of the golden flow");
    assertBytes(GOLDEN_FLOW, sampleFlow().toByteArray());
  }

  @Test
  void shouldDecodeFlowFromGoldenBytes() throws InvalidProtocolBufferException {
    Flow f = Flow.parseFrom(GOLDEN_FLOW);
    assertEquals(1_700_000_000L, f.getTime().getSeconds());
    assertEquals(Verdict.FORWARDED, f.getVerdict());
    assertEquals("10.0.0.1", f.getIP().getSource());
    assertEquals("192.168.1.1", f.getIP().getSourceXlated());
    assertEquals("10.0.1.2", f.getIP().getDestination());
    assertEquals(IPVersion.IPv4, f.getIP().getIpVersion());
    assertEquals(Layer4.ProtocolCase.TCP, f.getL4().getProtocolCase());
    assertEquals(40000, f.getL4().getTCP().getSourcePort());
    assertEquals(80, f.getL4().getTCP().getDestinationPort());
    assertTrue(f.getL4().getTCP().getFlags().getSYN());
    assertFalse(f.getL4().getTCP().getFlags().getACK());
    assertEquals(FlowType.L3_L4, f.getType());
    assertEquals("kind-worker", f.getNodeName());
    assertEquals(4, f.getEventType().getType());
    assertEquals(0, f.getEventType().getSubType());
    assertEquals(TraceObservationPoint.TO_ENDPOINT, f.getTraceObservationPoint());
    assertEquals(101, f.getTraceObservationPointValue());
    assertTrue(f.hasIsReply(), "an empty BoolValue on the wire still means 'known'");
    assertFalse(f.getIsReply().getValue());
    assertEquals(UUID, f.getUuid());
    assertEquals(TraceReason.NEW, f.getTraceReason());
  }

  /*
   * GetFlowsResponse{flow=<above>, node_name="kind-worker", time=<1700000000>}
   *   1 flow wire 2: 0A, len 129 = 128 + 1 -> 81 01, flow body
   *   1000 node_name: C2 3E 0B "kind-worker"
   *   1001 time:      CA 3E 06 TS_1700000000
   */
  private static final byte[] GOLDEN_RESPONSE_WITH_FLOW =
      hex("0A 8101", FLOW_BODY, "C23E 0B", ascii("kind-worker"), "CA3E 06", TS_1700000000);

  @Test
  void shouldEncodeGetFlowsResponseWrappingFlow() {
    GetFlowsResponse msg =
        GetFlowsResponse.newBuilder()
            .setFlow(sampleFlow())
            .setNodeName("kind-worker")
            .setTime(ts1700000000())
            .build();
    assertBytes(GOLDEN_RESPONSE_WITH_FLOW, msg.toByteArray());
  }

  @Test
  void shouldDecodeGetFlowsResponseWrappingFlow() throws InvalidProtocolBufferException {
    GetFlowsResponse msg = GetFlowsResponse.parseFrom(GOLDEN_RESPONSE_WITH_FLOW);
    assertEquals(GetFlowsResponse.ResponseTypesCase.FLOW, msg.getResponseTypesCase());
    assertEquals(sampleFlow(), msg.getFlow());
    assertEquals("kind-worker", msg.getNodeName());
    assertEquals(1_700_000_000L, msg.getTime().getSeconds());
  }

  // -------------------------------------------------------- GetFlowsRequest

  /*
   * GetFlowsRequest{
   *   follow=true,
   *   whitelist=[{event_type=[{type=4, match_sub_type=true, sub_type=0}], tcp_flags=[{SYN}]}],
   *   field_mask={paths=["time","node_name"]},
   *   experimental={field_mask=<same>}}
   *
   *   3 follow      wire 0: 18 01
   *   6 whitelist   wire 2: 32, len 0B, FlowFilter:
   *       6 event_type wire 2: 32 04, EventTypeFilter: 1 type 08 04; 2 match_sub_type 10 01;
   *                    3 sub_type = 0 is the default and is NOT written (hence match_sub_type)
   *      23 tcp_flags  wire 2: tag 186 = 128 + 58 -> BA 01, len 02, TCPFlags{SYN}: 10 01
   *      = 6 + 5 = 11 bytes
   *  10 field_mask  wire 2: 52, len 0x11 (17), FieldMask{1 paths}: 0A 04 "time" 0A 09 "node_name"
   * 999 experimental wire 2: tag 7994 = 62*128 + 58 -> BA 3E, len 0x13 (19),
   *       Experimental{1 field_mask}: 0A 11 <same FieldMask>
   */
  private static final String FIELD_MASK_BODY = "0A04" + ascii("time") + "0A09" + ascii("node_name");

  private static final byte[] GOLDEN_REQUEST =
      hex(
          "1801",
          "320B",
          "3204 0804 1001",
          "BA01 02 1001",
          "5211",
          FIELD_MASK_BODY,
          "BA3E 13 0A11",
          FIELD_MASK_BODY);

  private static GetFlowsRequest sampleRequest() {
    FieldMask mask = FieldMask.newBuilder().addPaths("time").addPaths("node_name").build();
    return GetFlowsRequest.newBuilder()
        .setFollow(true)
        .addWhitelist(
            FlowFilter.newBuilder()
                .addEventType(
                    EventTypeFilter.newBuilder().setType(4).setMatchSubType(true).setSubType(0))
                .addTcpFlags(TCPFlags.newBuilder().setSYN(true)))
        .setFieldMask(mask)
        .setExperimental(GetFlowsRequest.Experimental.newBuilder().setFieldMask(mask))
        .build();
  }

  @Test
  void shouldEncodeGetFlowsRequestWithEventTypeFilterAndFieldMask() {
    assertBytes(GOLDEN_REQUEST, sampleRequest().toByteArray());
  }

  @Test
  void shouldDecodeGetFlowsRequestFromGoldenBytes() throws InvalidProtocolBufferException {
    GetFlowsRequest req = GetFlowsRequest.parseFrom(GOLDEN_REQUEST);
    assertTrue(req.getFollow());
    assertEquals(1, req.getWhitelistCount());
    EventTypeFilter etf = req.getWhitelist(0).getEventType(0);
    assertEquals(4, etf.getType());
    assertTrue(etf.getMatchSubType());
    assertEquals(0, etf.getSubType());
    assertTrue(req.getWhitelist(0).getTcpFlags(0).getSYN());
    assertEquals(List.of("time", "node_name"), req.getFieldMask().getPathsList());
    assertEquals(List.of("time", "node_name"), req.getExperimental().getFieldMask().getPathsList());
    assertEquals(sampleRequest(), req);
  }

  // -------------------------------------------------------------- LostEvent

  /*
   * GetFlowsResponse{lost_events={source=PERF_EVENT_RING_BUFFER, num_events_lost=300,
   *                               cpu=3, first={seconds=10}}, node_name="node-a"}
   *   LostEvent:
   *     1 source          08 01
   *     2 num_events_lost 10, 300 = 2*128 + 44 -> AC 02
   *     3 cpu (Int32Value) 1A 02 { 08 03 }
   *     4 first (v1.19)   22 02 { 08 0A }
   *     = 2 + 3 + 4 + 4 = 13 = 0x0D
   *   3 lost_events wire 2: 1A 0D <LostEvent>
   *   1000 node_name:       C2 3E 06 "node-a"
   */
  private static final byte[] GOLDEN_LOST =
      hex("1A0D", "0801", "10AC02", "1A02 0803", "2202 080A", "C23E 06", ascii("node-a"));

  @Test
  void shouldEncodeLostEventResponse() {
    GetFlowsResponse msg =
        GetFlowsResponse.newBuilder()
            .setLostEvents(
                LostEvent.newBuilder()
                    .setSource(LostEventSource.PERF_EVENT_RING_BUFFER)
                    .setNumEventsLost(300)
                    .setCpu(Int32Value.of(3))
                    .setFirst(Timestamp.newBuilder().setSeconds(10)))
            .setNodeName("node-a")
            .build();
    assertBytes(GOLDEN_LOST, msg.toByteArray());
  }

  @Test
  void shouldDecodeLostEventResponse() throws InvalidProtocolBufferException {
    GetFlowsResponse msg = GetFlowsResponse.parseFrom(GOLDEN_LOST);
    assertEquals(GetFlowsResponse.ResponseTypesCase.LOST_EVENTS, msg.getResponseTypesCase());
    LostEvent lost = msg.getLostEvents();
    assertEquals(LostEventSource.PERF_EVENT_RING_BUFFER, lost.getSource());
    assertEquals(300, lost.getNumEventsLost());
    assertTrue(lost.hasCpu());
    assertEquals(3, lost.getCpu().getValue());
    assertEquals(10, lost.getFirst().getSeconds());
    assertFalse(lost.hasLast());
    assertEquals("node-a", msg.getNodeName());
  }

  // -------------------------------------------------------- NodeStatusEvent

  /*
   * NodeStatusEvent{state_change=NODE_UNAVAILABLE, node_names=["kind-worker2"],
   *                 message="connection refused"}
   *   1 state_change 08 02
   *   2 node_names   12 0C "kind-worker2"        (12 chars)
   *   3 message      1A 12 "connection refused"  (18 chars)
   * Wrapped: GetFlowsResponse{2 node_status}: 12, len 2 + 14 + 20 = 36 = 0x24
   */
  private static final String NODE_STATUS_BODY =
      "0802" + "120C" + ascii("kind-worker2") + "1A12" + ascii("connection refused");

  @Test
  void shouldEncodeNodeStatusEvent() {
    NodeStatusEvent ev =
        NodeStatusEvent.newBuilder()
            .setStateChange(NodeState.NODE_UNAVAILABLE)
            .addNodeNames("kind-worker2")
            .setMessage("connection refused")
            .build();
    assertBytes(hex(NODE_STATUS_BODY), ev.toByteArray());
    assertBytes(
        hex("1224", NODE_STATUS_BODY),
        GetFlowsResponse.newBuilder().setNodeStatus(ev).build().toByteArray());
  }

  @Test
  void shouldDecodeNodeStatusEvent() throws InvalidProtocolBufferException {
    GetFlowsResponse msg = GetFlowsResponse.parseFrom(hex("1224", NODE_STATUS_BODY));
    assertEquals(GetFlowsResponse.ResponseTypesCase.NODE_STATUS, msg.getResponseTypesCase());
    NodeStatusEvent ev = msg.getNodeStatus();
    assertEquals(NodeState.NODE_UNAVAILABLE, ev.getStateChange());
    assertEquals(List.of("kind-worker2"), ev.getNodeNamesList());
    assertEquals("connection refused", ev.getMessage());
  }

  // ----------------------------------------------------- ChangeNotification

  /*
   * peer.ChangeNotification{name="kind-worker", address="172.18.0.3:4244", type=PEER_ADDED,
   *                         tls={server_name="kind-worker.default.hubble-grpc.cilium.io"}}
   *   1 name    0A 0B "kind-worker"         (11 chars)
   *   2 address 12 0F "172.18.0.3:4244"     (15 chars)
   *   3 type    18 01                       (PEER_ADDED = 1)
   *   4 tls     22 2B, peer.TLS{1 server_name: 0A 29 <41 chars>}  (2 + 41 = 43 = 0x2B)
   */
  private static final String SERVER_NAME = "kind-worker.default.hubble-grpc.cilium.io";

  private static final byte[] GOLDEN_PEER =
      hex(
          "0A0B", ascii("kind-worker"),
          "120F", ascii("172.18.0.3:4244"),
          "1801",
          "222B 0A29", ascii(SERVER_NAME));

  @Test
  void shouldEncodePeerChangeNotificationWithTlsServerName() {
    assertEquals(41, SERVER_NAME.length());
    ChangeNotification cn =
        ChangeNotification.newBuilder()
            .setName("kind-worker")
            .setAddress("172.18.0.3:4244")
            .setType(ChangeNotificationType.PEER_ADDED)
            .setTls(TLS.newBuilder().setServerName(SERVER_NAME))
            .build();
    assertBytes(GOLDEN_PEER, cn.toByteArray());
  }

  @Test
  void shouldDecodePeerChangeNotification() throws InvalidProtocolBufferException {
    ChangeNotification cn = ChangeNotification.parseFrom(GOLDEN_PEER);
    assertEquals("kind-worker", cn.getName());
    assertEquals("172.18.0.3:4244", cn.getAddress());
    assertEquals(ChangeNotificationType.PEER_ADDED, cn.getType());
    assertTrue(cn.hasTls());
    assertEquals(SERVER_NAME, cn.getTls().getServerName());
  }

  // ------------------------------------------------ forward compatibility

  /*
   * Flow{2 verdict=DROPPED, 25 drop_reason_desc=206 (unknown to us), 42 <unknown varint 7>}
   *   2  verdict          10 02
   *   25 drop_reason_desc tag 200 = 128 + 72 -> C8 01, 206 = 128 + 78 -> CE 01
   *   42 (not declared)   tag 336 = 2*128 + 80 -> D0 02, value 07
   */
  @Test
  void shouldKeepUnknownEnumValuesAndUnknownFields() throws InvalidProtocolBufferException {
    byte[] golden = hex("1002", "C801 CE01", "D002 07");
    Flow f = Flow.parseFrom(golden);
    assertEquals(Verdict.DROPPED, f.getVerdict());
    assertEquals(DropReason.UNRECOGNIZED, f.getDropReasonDesc());
    assertEquals(206, f.getDropReasonDescValue());
    assertTrue(f.getUnknownFields().hasField(42));
    assertBytes(golden, f.toByteArray());
  }

  // -------------------------------------------------- names on the wire

  @Test
  void shouldUseCiliumFullyQualifiedNamesAndMethodPaths() {
    assertEquals("flow.Flow", Flow.getDescriptor().getFullName());
    assertEquals("observer.GetFlowsResponse", GetFlowsResponse.getDescriptor().getFullName());
    assertEquals("relay.NodeStatusEvent", NodeStatusEvent.getDescriptor().getFullName());
    assertEquals("peer.ChangeNotification", ChangeNotification.getDescriptor().getFullName());
    assertEquals("observer.Observer/GetFlows", ObserverGrpc.getGetFlowsMethod().getFullMethodName());
    assertEquals("observer.Observer/GetNodes", ObserverGrpc.getGetNodesMethod().getFullMethodName());
    assertEquals(
        "observer.Observer/GetNamespaces", ObserverGrpc.getGetNamespacesMethod().getFullMethodName());
    assertEquals(
        "observer.Observer/ServerStatus", ObserverGrpc.getServerStatusMethod().getFullMethodName());
    assertEquals("peer.Peer/Notify", PeerGrpc.getNotifyMethod().getFullMethodName());
  }
}
