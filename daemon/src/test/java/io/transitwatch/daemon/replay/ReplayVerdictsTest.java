package io.transitwatch.daemon.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.BoolValue;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.testsupport.TestFlows;
import io.transitwatch.proto.flow.CiliumEventType;
import io.transitwatch.proto.flow.Endpoint;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.IP;
import io.transitwatch.proto.flow.IPVersion;
import io.transitwatch.proto.flow.Layer4;
import io.transitwatch.proto.flow.TCP;
import io.transitwatch.proto.flow.TCPFlags;
import io.transitwatch.proto.flow.TraceObservationPoint;
import io.transitwatch.proto.flow.TraceReason;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two hand-made captures, solwk03 (sender) and solwk02 (receiver), with one departure for each
 * verdict replay must reach, and where the captures' edges must make a departure unverified, not lost:
 *
 * <pre>
 *   t (s)   solwk03 (departures, port)         solwk02 (arrivals)          verdict
 *   0       -                                   (an unrelated arrival)      solwk02's capture starts
 *   0.1     1000 -> solwk02                     -                           UNVERIFIED(GAP): before its capture
 *   10      1001 -> solwk02                     1001 at 10.003              MATCHED
 *   12      1002 -> solwk02  (line after 14's)  -                           LOST_IN_TRANSIT
 *   14      1004 -> solwk01                     -                           UNVERIFIED(NO_OBSERVER): no capture
 *   28      1003 -> solwk02                     -                           UNVERIFIED(OBSERVER_DOWN): capture ends
 *   30      -                                   (an unrelated arrival)      solwk02's capture ends
 * </pre>
 */
class ReplayVerdictsTest {
    private static final long T0 = Instant.parse("2026-02-11T22:17:30Z").getEpochSecond() * 1_000_000_000L;
    private static final String SOLWK01_POD = "fd00:101:224:3::30";

    private final List<SinkEvent> events = new ArrayList<>();
    private final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
    private Settings settings;
    @TempDir
    Path dir;

    @BeforeEach
    void configure() {
        settings = ConfigLoader.load(null, Map.of(), List.of(
                "topology.pod-cidrs=solwk01=fd00:101:224:3::/64;solwk02=fd00:101:224:4::/64;solwk03=fd00:101:224:5::/64"));
    }

    @Test
    void shouldDecideEachDepartureAndAlertOnlyOnTheLostOne() throws IOException {
        ReplaySummary summary = replay(Replay.DEFAULT_REORDER_EVENTS, sender(), receiver(List.of()));

        assertEquals(List.of(1002), lostPorts());
        ReplaySummary.PairSummary toSolwk02 = pair(summary, "solwk02");
        assertEquals(4, toSolwk02.departures());
        assertEquals(1, toSolwk02.matched());
        assertEquals(1, toSolwk02.lost());
        assertEquals(Map.of("GAP", 1L, "OBSERVER_DOWN", 1L), toSolwk02.unverified());
        assertEquals(Map.of("NO_OBSERVER", 1L), pair(summary, "solwk01").unverified());
        assertEquals(0, summary.undecided());
        assertEquals(0, summary.files().get(0).reordered(), "a buffer of 4096 puts 1002 back before 1004");
        assertEquals("", diagnostics.toString(StandardCharsets.UTF_8));
    }

    @Test
    void shouldReplayLateWhatTheReorderBufferCannotHoldAndStillDecideIt() throws IOException {
        ReplaySummary summary = replay(1, sender(), receiver(List.of()));

        assertEquals(1, summary.files().get(0).reordered());
        assertEquals(List.of(1002), lostPorts());
    }

    @Test
    void shouldNeverAlertOnASingleNodeCapture() throws IOException {
        ReplaySummary summary = replay(Replay.DEFAULT_REORDER_EVENTS, sender());

        assertEquals(List.of(), lostPorts());
        assertEquals(Map.of("NO_OBSERVER", 4L), pair(summary, "solwk02").unverified());
        assertEquals(Map.of("NO_OBSERVER", 1L), pair(summary, "solwk01").unverified());
    }

    @Test
    void shouldNotAlertWhenTheReceiverReportedLostEventsDuringTheWindow() throws IOException {
        GetFlowsResponse lost = TestFlows.lost("solwk02", T0 + seconds(13), 7);

        ReplaySummary summary = replay(Replay.DEFAULT_REORDER_EVENTS, sender(), receiver(List.of(lost)));

        assertEquals(List.of(), lostPorts());
        assertEquals(Map.of("GAP", 1L, "LOST_EVENTS", 1L, "OBSERVER_DOWN", 1L), pair(summary, "solwk02").unverified());
    }

    @Test
    void shouldMatchADepartureThatTheReceiversIngressProxyTook() throws IOException {
        // an ingress L7 policy on the destination pod: solwk02 reports the SYN at to-proxy, not to-endpoint
        GetFlowsResponse proxied = TestFlows.response(arrival(12.002, 1002).toBuilder()
                .setTraceObservationPoint(TraceObservationPoint.TO_PROXY).setProxyPort(15001).build());

        ReplaySummary summary = replay(Replay.DEFAULT_REORDER_EVENTS, sender(), receiver(List.of(proxied)));

        assertEquals(List.of(), lostPorts());
        assertEquals(2, pair(summary, "solwk02").matched());
    }

    @Test
    void shouldJudgeThePodsRoundTripsButNotTheHostStacks() throws IOException {
        // As in a real Cilium 1.19.1 export (hubble-api.md section 10): the node's own host stack sends a SYN to
        // the world, reported at to-network with trace_reason NEW; its reply goes up the stack, unreported.
        String world = "2001:db8::44";
        Flow hostSyn = departure(20, 58012).setIP(IP.newBuilder().setSource("fd00:101::13").setDestination(world)
                .setIpVersion(IPVersion.IPv6))
                .setSource(Endpoint.newBuilder().setIdentity(1).addLabels("reserved:host"))
                .setDestination(Endpoint.newBuilder().setIdentity(2).addLabels("reserved:world")).build();
        Flow podSyn = departure(20, 58013).setIP(IP.newBuilder().setSource("fd00:101:224:5::10").setDestination(world)
                .setIpVersion(IPVersion.IPv6))
                .setDestination(Endpoint.newBuilder().setIdentity(2).addLabels("reserved:world")).build();
        List<GetFlowsResponse> sent = new ArrayList<>(List.of(TestFlows.response(departure(0.1, 1000).build()),
                TestFlows.response(hostSyn), TestFlows.response(podSyn), TestFlows.response(departure(40, 1006).build())));

        replay(Replay.DEFAULT_REORDER_EVENTS, capture("solwk03.json", sent), receiver(List.of()));

        assertEquals(List.of(58013), events.stream().filter(e -> e instanceof Alert alert
                && alert.verdict() == Verdict.NO_REPLY).map(e -> ((Alert) e).source().port()).toList());
    }

    @Test
    void shouldNotAlertOnTheBackendsReplyToAServiceThatKubeProxyTranslated() throws IOException {
        assertBackendsReplyUnverified(Endpoint.newBuilder().setIdentity(2).addLabels("reserved:world").build());
    }

    @Test
    void shouldNotAlertOnTheBackendsReplyToAServiceThatKubeProxyTranslatedWithoutPodCidrs() throws IOException {
        // cloud IPAM (ENI and the like): no pod CIDRs; and no identity for the address: merely unplaced
        settings = ConfigLoader.load(null, Map.of(), List.of());
        assertBackendsReplyUnverified(Endpoint.getDefaultInstance());
    }

    /** {@code service}: the endpoint Hubble names as the ClusterIP's side. */
    private void assertBackendsReplyUnverified(Endpoint service) throws IOException {
        // No kube-proxy replacement (hubble-api.md section 4.2): solwk03's pod connects to a ClusterIP, which
        // kube-proxy translates in the host stack; solwk02 sees the backend's half, solwk03 the service's.
        String client = "fd00:101:224:5::10";
        String backend = "fd00:101:224:4::20";
        String serviceIp = "fd00:101:96::a";
        Flow toService = withTcp(departure(20, 41000), client, 41000, serviceIp, 80, false)
                .setDestination(service).build();
        Flow fromService = withTcp(arrival(20.003, 41000).toBuilder(), serviceIp, 80, client, 41000, true)
                .setNodeName("solwk03").setTraceReason(TraceReason.REPLY).setIsReply(BoolValue.of(true))
                .setDestination(Endpoint.newBuilder().setID(1234).setIdentity(44187)).build();
        Flow atBackend = withTcp(arrival(20.001, 41000).toBuilder(), client, 41000, backend, 8080, false).build();
        Flow fromBackend = withTcp(TestFlows.syn("solwk02", T0 + seconds(20.002), 8080), backend, 8080, client, 41000,
                true).setTraceReason(TraceReason.REPLY).setIsReply(BoolValue.of(true))
                .setSource(Endpoint.newBuilder().setID(2451).setIdentity(41034)).build();
        Path sent = capture("solwk03.json", List.of(TestFlows.response(departure(0.1, 1000).build()),
                TestFlows.response(toService), TestFlows.response(fromService),
                TestFlows.response(departure(40, 1006).build())));

        ReplaySummary summary = replay(Replay.DEFAULT_REORDER_EVENTS, sent,
                receiver(List.of(TestFlows.response(atBackend), TestFlows.response(fromBackend))));

        assertEquals(List.of(), events.stream().filter(e -> e instanceof Alert).map(e -> ((Alert) e).verdict()
                + " " + ((Alert) e).source().port()).filter(alert -> !alert.endsWith(" 1006")).toList());
        ReplaySummary.PairSummary replies = summary.pairs().stream().filter(p -> p.sourceNode().equals("solwk02")
                && p.destinationNode().equals("solwk03")).findFirst().orElseThrow();
        assertEquals(Map.of("REQUEST_UNSEEN", 1L), replies.unverified());
    }

    /** {@code flow} as a TCP segment between the two endpoints: a SYN, or with {@code ack} a SYN-ACK. */
    private static Flow.Builder withTcp(Flow.Builder flow, String src, int srcPort, String dst, int dstPort,
            boolean ack) {
        return flow.setIP(IP.newBuilder().setSource(src).setDestination(dst).setIpVersion(IPVersion.IPv6))
                .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(srcPort).setDestinationPort(dstPort)
                        .setFlags(TCPFlags.newBuilder().setSYN(true).setACK(ack))));
    }

    private ReplaySummary replay(int reorderEvents, Path... captures) throws IOException {
        List<CaptureInput> inputs = new ArrayList<>();
        for (Path capture : captures) {
            inputs.add(CaptureInput.of(capture.toString(), null));
        }
        return Replay.run(settings, inputs, reorderEvents, events::add,
                new PrintStream(diagnostics, true, StandardCharsets.UTF_8));
    }

    private Path sender() throws IOException {
        return capture("solwk03.json", List.of(
                TestFlows.response(departure(0.1, 1000).build()),
                TestFlows.response(departure(10, 1001).build()),
                TestFlows.response(departure(14, 1004).setIP(IP.newBuilder().setSource("fd00:101:224:5::10")
                        .setDestination(SOLWK01_POD).setIpVersion(IPVersion.IPv6)).build()),
                TestFlows.response(departure(12, 1002).build()),
                TestFlows.response(departure(28, 1003).build()),
                TestFlows.response(departure(40, 1005).setTraceObservationPoint(TraceObservationPoint.TO_PROXY).build())));
    }

    private Path receiver(List<GetFlowsResponse> extra) throws IOException {
        List<GetFlowsResponse> events = new ArrayList<>(List.of(
                TestFlows.response(arrival(0, 999)), TestFlows.response(arrival(10.003, 1001))));
        events.addAll(extra);
        events.add(TestFlows.response(arrival(30, 998)));
        events.sort((a, b) -> Long.compare(nanos(a), nanos(b)));
        return capture("solwk02.json", events);
    }

    /** A SYN solwk03 sent to the solwk02 pod fd00:101:224:4::20 at {@code t} seconds. */
    private static Flow.Builder departure(double t, int port) {
        return TestFlows.syn("solwk03", T0 + seconds(t), port);
    }

    /** The same SYN as solwk02 reports it: delivered to its local endpoint. */
    private static Flow arrival(double t, int port) {
        Flow sent = TestFlows.syn("solwk02", T0 + seconds(t), port).build();
        return sent.toBuilder()
                .setSource(Endpoint.newBuilder().setIdentity(sent.getSource().getIdentity())
                        .setNamespace(sent.getSource().getNamespace()).setPodName(sent.getSource().getPodName()))
                .setDestination(sent.getDestination().toBuilder().setID(2451))
                .setEventType(CiliumEventType.newBuilder().setType(4))
                .setTraceObservationPoint(TraceObservationPoint.TO_ENDPOINT)
                .clearInterface()
                .build();
    }

    private Path capture(String name, List<GetFlowsResponse> responses) throws IOException {
        StringBuilder lines = new StringBuilder();
        responses.forEach(response -> lines.append(CaptureWriter.jsonpb(response)).append('\n'));
        return Files.writeString(dir.resolve(name), lines);
    }

    private List<Integer> lostPorts() {
        return events.stream().filter(e -> e instanceof Alert alert && alert.verdict() == Verdict.LOST_IN_TRANSIT)
                .map(e -> ((Alert) e).source().port()).toList();
    }

    private static ReplaySummary.PairSummary pair(ReplaySummary summary, String destination) {
        return summary.pairs().stream().filter(p -> p.sourceNode().equals("solwk03")
                && p.destinationNode().equals(destination) && p.family().equals("IPv6")).findFirst()
                .orElseThrow(() -> new AssertionError("no pair solwk03 -> " + destination + " in " + summary.pairs()));
    }

    private static long seconds(double t) {
        return Math.round(t * TimeUnit.SECONDS.toNanos(1));
    }

    private static long nanos(GetFlowsResponse response) {
        return response.getTime().getSeconds() * 1_000_000_000L + response.getTime().getNanos();
    }
}
