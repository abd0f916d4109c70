package io.transitwatch.proto;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Struct;
import com.google.protobuf.util.JsonFormat;
import com.google.protobuf.util.Timestamps;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.FlowType;
import io.transitwatch.proto.flow.IPVersion;
import io.transitwatch.proto.flow.L7FlowType;
import io.transitwatch.proto.flow.Layer4;
import io.transitwatch.proto.flow.TCPFlags;
import io.transitwatch.proto.flow.TraceObservationPoint;
import io.transitwatch.proto.flow.TrafficDirection;
import io.transitwatch.proto.flow.Verdict;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Parses the real Hubble captures in the repository's testdata/real-flows (hubble observe -o jsonpb
 * lines, see testdata/real-flows/README.md) with our generated classes.
 *
 * <p>Every expected number below was counted beforehand with jq on the files themselves, e.g.
 * {@code jq -r '.flow.trace_observation_point // "NONE"' FILE | sort | uniq -c}, and agrees with
 * the counts stated in testdata/real-flows/README.md.
 */
class RealFlowsParsingTest {

  private static final String TEN = "hubble-otel_basic-sample-10-flows.json";
  private static final String TCP = "hubble-otel_basic-sample-400-tcp-flows.json";
  private static final String UDP = "hubble-otel_basic-sample-400-udp-flows.json";

  private static final JsonFormat.Parser PARSER = JsonFormat.parser().ignoringUnknownFields();

  /**
   * Finds testdata/real-flows in the repository root (the parent of proto/). Walks up from user.dir
   * so the test works from the module or the root. The system property
   * {@code transitwatch.realFlowsDir} overrides the search.
   */
  static Path realFlowsDir() {
    String override = System.getProperty("transitwatch.realFlowsDir");
    if (override != null && !override.isBlank()) {
      Path p = Path.of(override);
      if (Files.isDirectory(p)) {
        return p;
      }
      fail("transitwatch.realFlowsDir=" + override + " is not a directory");
    }
    Path start = Path.of(System.getProperty("user.dir")).toAbsolutePath().normalize();
    for (Path dir = start; dir != null; dir = dir.getParent()) {
      Path candidate = dir.resolve("testdata").resolve("real-flows");
      if (Files.isDirectory(candidate)) {
        return candidate;
      }
    }
    return fail(
        "testdata/real-flows not found walking up from "
            + start
            + " (it is in the repository root; set -Dtransitwatch.realFlowsDir to override)");
  }

  private static java.util.List<String> lines(String file) throws IOException {
    Path p = realFlowsDir().resolve(file);
    assertTrue(Files.isRegularFile(p), "missing " + p);
    java.util.List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(p, StandardCharsets.UTF_8)) {
      if (!line.isBlank()) {
        out.add(line);
      }
    }
    return out;
  }

  private static GetFlowsResponse parse(String json) throws InvalidProtocolBufferException {
    GetFlowsResponse.Builder b = GetFlowsResponse.newBuilder();
    PARSER.merge(json, b);
    return b.build();
  }

  private static java.util.List<GetFlowsResponse> parseAll(String file) throws IOException {
    java.util.List<GetFlowsResponse> out = new ArrayList<>();
    int n = 0;
    for (String line : lines(file)) {
      n++;
      try {
        out.add(parse(line));
      } catch (InvalidProtocolBufferException e) {
        fail(file + " line " + n + " does not parse: " + e.getMessage(), e);
      }
    }
    return out;
  }

  private static <K> Map<K, Long> count(
      java.util.List<GetFlowsResponse> rs, Function<GetFlowsResponse, K> key) {
    return rs.stream().collect(Collectors.groupingBy(key, TreeMap::new, Collectors.counting()));
  }

  private static String isReplyState(GetFlowsResponse r) {
    Flow f = r.getFlow();
    return f.hasIsReply() ? String.valueOf(f.getIsReply().getValue()) : "absent";
  }

  private static String flagNames(TCPFlags fl) {
    java.util.List<String> s = new ArrayList<>();
    if (fl.getSYN()) s.add("SYN");
    if (fl.getFIN()) s.add("FIN");
    if (fl.getRST()) s.add("RST");
    if (fl.getPSH()) s.add("PSH");
    if (fl.getACK()) s.add("ACK");
    return String.join("|", s);
  }

  // ------------------------------------------------------------------ counts

  @Test
  void shouldParseEveryLineOfTheTenFlowGkeSample() throws IOException {
    java.util.List<GetFlowsResponse> rs = parseAll(TEN);
    assertEquals(10, rs.size());
    String node = "gke-ilya-otel-demo-1-ilya-otel-demo-1-6114bb84-zr1l";
    for (GetFlowsResponse r : rs) {
      assertEquals(GetFlowsResponse.ResponseTypesCase.FLOW, r.getResponseTypesCase());
      assertEquals(node, r.getNodeName());
      assertEquals(node, r.getFlow().getNodeName());
      assertEquals(r.getTime(), r.getFlow().getTime());
      assertEquals(Verdict.FORWARDED, r.getFlow().getVerdict());
      assertEquals(4, r.getFlow().getEventType().getType());
      assertFalse(r.getFlow().hasIsReply(), "pre-1.9 style capture has no is_reply");
    }
    assertEquals(
        Map.of(TraceObservationPoint.TO_STACK, 5L, TraceObservationPoint.TO_ENDPOINT, 5L),
        count(rs, r -> r.getFlow().getTraceObservationPoint()));
    // datapath sub types: to-endpoint is 0 (absent in JSON), to-stack is 3
    assertEquals(Map.of(0, 5L, 3, 5L), count(rs, r -> r.getFlow().getEventType().getSubType()));
    // the deprecated plain `reply` bool is present (true) on 5 lines
    @SuppressWarnings("deprecation")
    Map<Boolean, Long> reply = count(rs, r -> r.getFlow().getReply());
    assertEquals(Map.of(true, 5L, false, 5L), reply);
  }

  @Test
  void shouldParseEveryLineOfTheTcpSampleWithExpectedObservationPoints() throws IOException {
    java.util.List<GetFlowsResponse> rs = parseAll(TCP);
    assertEquals(400, rs.size());
    for (GetFlowsResponse r : rs) {
      assertEquals("kind-control-plane", r.getNodeName());
      assertEquals(Layer4.ProtocolCase.TCP, r.getFlow().getL4().getProtocolCase());
    }
    Map<TraceObservationPoint, Long> points = new TreeMap<>();
    points.put(TraceObservationPoint.UNKNOWN_POINT, 92L); // L7 (65) + policy verdicts (27)
    points.put(TraceObservationPoint.TO_PROXY, 111L);
    points.put(TraceObservationPoint.TO_STACK, 30L);
    points.put(TraceObservationPoint.TO_OVERLAY, 50L);
    points.put(TraceObservationPoint.TO_ENDPOINT, 117L);
    assertEquals(points, count(rs, r -> r.getFlow().getTraceObservationPoint()));
    assertEquals(
        Map.of(4, 308L, 5, 27L, 129, 65L), count(rs, r -> r.getFlow().getEventType().getType()));
    assertEquals(
        Map.of(Verdict.FORWARDED, 373L, Verdict.REDIRECTED, 27L),
        count(rs, r -> r.getFlow().getVerdict()));
    assertEquals(
        Map.of(FlowType.L3_L4, 335L, FlowType.L7, 65L), count(rs, r -> r.getFlow().getType()));
    assertEquals(
        Map.of("absent", 50L, "false", 218L, "true", 132L),
        count(rs, RealFlowsParsingTest::isReplyState));
    // TO_OVERLAY events carry neither is_reply nor traffic_direction (README)
    rs.stream()
        .filter(r -> r.getFlow().getTraceObservationPoint() == TraceObservationPoint.TO_OVERLAY)
        .forEach(
            r -> {
              assertFalse(r.getFlow().hasIsReply());
              assertEquals(
                  TrafficDirection.TRAFFIC_DIRECTION_UNKNOWN, r.getFlow().getTrafficDirection());
              assertEquals(4, r.getFlow().getEventType().getSubType());
            });
    // TO_ENDPOINT keeps the raw datapath sub type 0
    rs.stream()
        .filter(r -> r.getFlow().getTraceObservationPoint() == TraceObservationPoint.TO_ENDPOINT)
        .forEach(r -> assertEquals(0, r.getFlow().getEventType().getSubType()));
    // handshake flags on L3/L4 events (L7 lines have l4 without flags)
    Map<String, Long> flags =
        count(
            rs.stream().filter(r -> r.getFlow().getL4().getTCP().hasFlags()).toList(),
            r -> flagNames(r.getFlow().getL4().getTCP().getFlags()));
    assertEquals(
        Map.of("SYN", 70L, "SYN|ACK", 39L, "ACK", 85L, "FIN|ACK", 76L, "PSH|ACK", 65L), flags);
    assertEquals(
        65L, rs.stream().filter(r -> "GET".equals(r.getFlow().getL7().getHttp().getMethod())).count());
  }

  @Test
  void shouldParseEveryLineOfTheUdpSampleWithExpectedObservationPoints() throws IOException {
    java.util.List<GetFlowsResponse> rs = parseAll(UDP);
    assertEquals(400, rs.size());
    for (GetFlowsResponse r : rs) {
      assertEquals("kind-control-plane", r.getNodeName());
      assertEquals(Layer4.ProtocolCase.UDP, r.getFlow().getL4().getProtocolCase());
    }
    assertEquals(
        Map.of(
            TraceObservationPoint.UNKNOWN_POINT, 178L,
            TraceObservationPoint.TO_PROXY, 74L,
            TraceObservationPoint.TO_OVERLAY, 74L,
            TraceObservationPoint.TO_ENDPOINT, 74L),
        count(rs, r -> r.getFlow().getTraceObservationPoint()));
    assertEquals(
        Map.of(4, 222L, 5, 30L, 129, 148L), count(rs, r -> r.getFlow().getEventType().getType()));
    assertEquals(
        Map.of(Verdict.FORWARDED, 370L, Verdict.REDIRECTED, 30L),
        count(rs, r -> r.getFlow().getVerdict()));
    assertEquals(
        Map.of("absent", 74L, "false", 178L, "true", 148L),
        count(rs, RealFlowsParsingTest::isReplyState));
    java.util.List<GetFlowsResponse> l7 =
        rs.stream().filter(r -> r.getFlow().getType() == FlowType.L7).toList();
    assertEquals(148, l7.size());
    assertEquals(
        Map.of(L7FlowType.REQUEST, 74L, L7FlowType.RESPONSE, 74L),
        count(l7, r -> r.getFlow().getL7().getType()));
    assertTrue(l7.stream().allMatch(r -> r.getFlow().getL7().hasDns()));
    assertTrue(l7.stream().allMatch(r -> !r.getFlow().getL7().getDns().getQuery().isEmpty()));
  }

  // ---------------------------------------------------------- first lines

  @Test
  void shouldReadExactValuesOfTheFirstTcpLine() throws IOException {
    GetFlowsResponse r = parse(lines(TCP).get(0));
    Flow f = r.getFlow();
    assertEquals("2021-11-10T10:40:56.465597700Z", Timestamps.toString(r.getTime()));
    assertEquals("2021-11-10T10:40:56.465597700Z", Timestamps.toString(f.getTime()));
    assertEquals(Verdict.FORWARDED, f.getVerdict());
    assertEquals("10.244.0.177", f.getIP().getSource());
    assertEquals("10.244.0.110", f.getIP().getDestination());
    assertEquals(IPVersion.IPv4, f.getIP().getIpVersion());
    assertEquals(35128, f.getL4().getTCP().getSourcePort());
    assertEquals(9080, f.getL4().getTCP().getDestinationPort());
    assertEquals("ACK", flagNames(f.getL4().getTCP().getFlags()));
    assertEquals(881, f.getSource().getID());
    assertEquals(3418, f.getSource().getIdentity());
    assertEquals("bookinfo", f.getSource().getNamespace());
    assertEquals("productpage-v1-6b746f74dc-9rcxx", f.getSource().getPodName());
    assertEquals(3879, f.getDestination().getID());
    assertEquals("reviews-v2-7bf8c9648f-r7bs2", f.getDestination().getPodName());
    assertEquals(FlowType.L3_L4, f.getType());
    assertEquals(4, f.getEventType().getType());
    assertEquals(1, f.getEventType().getSubType());
    assertEquals(TraceObservationPoint.TO_PROXY, f.getTraceObservationPoint());
    assertEquals(TrafficDirection.EGRESS, f.getTrafficDirection());
    assertTrue(f.hasIsReply());
    assertFalse(f.getIsReply().getValue());
    @SuppressWarnings("deprecation")
    String summary = f.getSummary();
    assertEquals("TCP Flags: ACK", summary);
  }

  @Test
  void shouldReadExactValuesOfTheFirstGkeAndUdpLines() throws IOException {
    Flow gke = parse(lines(TEN).get(0)).getFlow();
    assertEquals("10.0.2.16", gke.getIP().getSource());
    assertEquals("10.0.2.1", gke.getIP().getDestination());
    assertEquals(15020, gke.getL4().getTCP().getSourcePort());
    assertEquals(42044, gke.getL4().getTCP().getDestinationPort());
    assertEquals("FIN|ACK", flagNames(gke.getL4().getTCP().getFlags()));
    assertEquals(TraceObservationPoint.TO_STACK, gke.getTraceObservationPoint());
    assertEquals(3, gke.getEventType().getSubType());
    assertEquals(TrafficDirection.INGRESS, gke.getTrafficDirection());
    assertEquals(1, gke.getDestination().getIdentity());
    assertEquals(java.util.List.of("reserved:host"), gke.getDestination().getLabelsList());

    Flow udp = parse(lines(UDP).get(0)).getFlow();
    assertEquals(Verdict.REDIRECTED, udp.getVerdict());
    assertEquals(5, udp.getEventType().getType());
    assertEquals(2, udp.getPolicyMatchType());
    assertEquals(54314, udp.getL4().getUDP().getSourcePort());
    assertEquals(53, udp.getL4().getUDP().getDestinationPort());
    assertEquals("coredns-558bd4d5db-w2m67", udp.getDestination().getPodName());
    assertEquals(TraceObservationPoint.UNKNOWN_POINT, udp.getTraceObservationPoint());
  }

  // ------------------------------------------------------------ round trip

  /**
   * Printing with proto field names and parsing again gives the same message; the printed JSON is
   * also the same JSON document as the original line (compared as google.protobuf.Struct, so key
   * order and whitespace do not matter), i.e. we print exactly what Hubble prints.
   */
  @Test
  void shouldRoundTripEveryLineThroughJson() throws IOException {
    JsonFormat.Printer printer = JsonFormat.printer().preservingProtoFieldNames();
    int checked = 0;
    for (String file : new String[] {TEN, TCP, UDP}) {
      int n = 0;
      for (String line : lines(file)) {
        n++;
        GetFlowsResponse r = parse(line);
        String printed = printer.print(r);
        assertEquals(r, parse(printed), file + " line " + n + " round trip");
        assertEquals(toStruct(line), toStruct(printed), file + " line " + n + " JSON differs");
        checked++;
      }
    }
    assertEquals(810, checked);
  }

  private static Struct toStruct(String json) throws InvalidProtocolBufferException {
    Struct.Builder b = Struct.newBuilder();
    JsonFormat.parser().merge(json, b);
    return b.build();
  }
}
