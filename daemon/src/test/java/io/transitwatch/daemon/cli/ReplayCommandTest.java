package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.util.JsonFormat;
import io.transitwatch.daemon.replay.SummaryJson;
import io.transitwatch.daemon.testsupport.RealFlows;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code transitwatch replay} as a user runs it: real captures, broken lines, gzip, stdin, old formats. */
class ReplayCommandTest {
    private static final String GKE_NODE = "gke-ilya-otel-demo-1-ilya-otel-demo-1-6114bb84-zr1l";
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldReplayTheRealCapturesToTheEndWithoutAnyAlert() {
        String ten = RealFlows.file(RealFlows.TEN).toString();
        String tcp = RealFlows.file(RealFlows.TCP).toString();
        String udp = RealFlows.file(RealFlows.UDP).toString();

        ReplayCommandRun run = ReplayCommandRun.of(ten, tcp, udp);

        assertEquals(0, run.exit(), run.toString());
        assertEquals("", run.stderr(), run.toString());
        assertTrue(run.stdout().startsWith("replay: 3 captures, 810 lines, 810 events (0 skipped, 0 malformed)"),
                run.toString());
        assertTrue(run.stdout().contains("  " + ten + ": 10 lines, 10 events, 0 skipped, 0 malformed\n"), run.toString());
        assertTrue(run.stdout().contains("  " + tcp + ": 400 lines, 400 events, 0 skipped, 0 malformed\n"), run.toString());
        assertTrue(run.stdout().contains("  " + udp + ": 400 lines, 400 events, 0 skipped, 0 malformed\n"), run.toString());
        assertTrue(run.stdout().contains("  " + GKE_NODE + ": 10 (" + ten + " 10)\n"), run.toString());
        assertTrue(run.stdout().contains("  kind-control-plane: 800 (" + tcp + " 400, " + udp + " 400)\n"),
                run.toString());
        assertTrue(run.stdout().contains(" 0 lost in transit, 0 dropped at destination, 0 late"), run.toString());
        assertTrue(run.stdoutLines().stream().noneMatch(line -> line.startsWith("LOST_IN_TRANSIT")
                || line.startsWith("DROPPED_AT_DESTINATION") || line.startsWith("FIRING")), run.toString());
    }

    @Test
    void shouldJudgeRoundTripsFromASingleNodesCapture(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        // One node's capture: two SYNs to the API server (identity 7); the first answered, the second never.
        // Then a later flow of the node, so that its time line passes the second attempt's window.
        java.nio.file.Path capture = dir.resolve("solwk01.json");
        java.nio.file.Files.write(capture, List.of(
                flowLine("10:00:00.000", "TO_NETWORK", "NEW", "10.101.227.5", 40000, "10.101.0.12", 6443, 7, "SYN", false),
                flowLine("10:00:00.004", "TO_ENDPOINT", "REPLY", "10.101.0.12", 6443, "10.101.227.5", 40000, 4242,
                        "SYN\":true,\"ACK", true),
                flowLine("10:00:01.000", "TO_NETWORK", "NEW", "10.101.227.5", 40001, "10.101.0.12", 6443, 7, "SYN", false),
                flowLine("10:00:20.000", "TO_NETWORK", "NEW", "10.101.227.5", 40002, "10.101.0.12", 6443, 7, "SYN",
                        false),
                flowLine("10:00:20.001", "TO_ENDPOINT", "REPLY", "10.101.0.12", 6443, "10.101.227.5", 40002, 4242,
                        "SYN\":true,\"ACK", true)));
        ReplayCommandRun run = ReplayCommandRun.of(capture.toString());

        assertEquals(0, run.exit(), run.toString());
        List<String> noReply = run.stdoutLines().stream().filter(line -> line.startsWith("NO_REPLY")).toList();
        assertEquals(1, noReply.size(), run.toString());
        assertTrue(noReply.get(0).contains("40001"), run.toString());
    }

    @Test
    void shouldNameRoundTripDestinationsAsARealCilium119ExportDoes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws IOException {
        // hubble-api.md §10: nodes named by their IP, and the API server as CIDR identity 16777217 labelled
        // reserved:kube-apiserver. No attempt is answered; segments that are no attempts open each node's
        // capture before them and move its time line on after them.
        java.nio.file.Path capture = dir.resolve("relay.json");
        java.nio.file.Files.write(capture, List.of(
                attemptLine("10.10.21.241", "10:00:00.000", 39999, "10.10.21.242", 10250, 6, "").replace("SYN", "ACK"),
                attemptLine("10.10.21.242", "10:00:00.000", 49999, "198.51.100.7", 443, 2, "").replace("10.10.5.5",
                        "10.10.6.6").replace("SYN", "ACK"),
                attemptLine("10.10.21.241", "10:00:01.000", 40000, "10.10.21.242", 10250, 6, ""),
                attemptLine("10.10.21.241", "10:00:01.100", 40001, "10.200.0.1", 443, 16_777_217,
                        ",\"labels\":[\"reserved:kube-apiserver\",\"reserved:world\"]"),
                attemptLine("10.10.21.242", "10:00:01.200", 50000, "198.51.100.7", 443, 2, "").replace("10.10.5.5",
                        "10.10.6.6"),
                attemptLine("10.10.21.241", "10:00:20.000", 40002, "10.10.21.242", 10250, 6, "").replace("SYN", "ACK"),
                attemptLine("10.10.21.242", "10:00:20.000", 50001, "198.51.100.7", 443, 2, "").replace("10.10.5.5",
                        "10.10.6.6").replace("SYN", "ACK")));
        ReplayCommandRun run = ReplayCommandRun.of(capture.toString(), "--format", "json", "--alerts", "every");

        assertEquals(0, run.exit(), run.toString());
        List<String> noReply = run.stdoutLines().stream().filter(line -> line.contains("\"verdict\":\"NO_REPLY\"")
                && line.contains("\"schema\":\"transitwatch.alert/v1\"")).toList();
        assertEquals(3, noReply.size(), run.toString());
        assertTrue(noReply.stream().anyMatch(line -> line.contains("\"port\":40000")
                && line.contains("\"destination_name\":\"10.10.21.242\"")), run.toString());
        assertTrue(noReply.stream().anyMatch(line -> line.contains("\"port\":40001")
                && line.contains("\"destination_name\":\"kube-apiserver\"")), run.toString());
        assertTrue(noReply.stream().anyMatch(line -> line.contains("\"port\":50000")
                && line.contains("\"destination_name\":\"world\"")), run.toString());
        noReply.forEach(line -> assertEquals(List.of(),
                io.transitwatch.daemon.testsupport.JsonSchemas.errors(line), line));
    }

    private static String attemptLine(String node, String time, int srcPort, String dst, int dstPort, int dstIdentity,
            String dstLabels) {
        String at = "2026-02-11T" + time + "Z";
        return "{\"flow\":{\"time\":\"" + at + "\",\"verdict\":\"FORWARDED\",\"IP\":{\"source\":\"10.10.5.5\","
                + "\"destination\":\"" + dst + "\",\"ipVersion\":\"IPv4\"},\"l4\":{\"TCP\":{\"source_port\":"
                + srcPort + ",\"destination_port\":" + dstPort + ",\"flags\":{\"SYN\":true}}},"
                + "\"source\":{\"ID\":881,\"identity\":4242},"
                + "\"destination\":{\"identity\":" + dstIdentity + dstLabels + "},"
                + "\"Type\":\"L3_L4\",\"node_name\":\"" + node + "\",\"event_type\":{\"type\":4},"
                + "\"trace_observation_point\":\"TO_NETWORK\",\"trace_reason\":\"NEW\","
                + "\"is_reply\":false},\"node_name\":\"" + node + "\",\"time\":\"" + at + "\"}";
    }

    private static String flowLine(String time, String point, String reason, String src, int srcPort, String dst,
            int dstPort, int dstIdentity, String flags, boolean reply) {
        String at = "2026-02-11T" + time + "Z";
        return "{\"flow\":{\"time\":\"" + at + "\",\"verdict\":\"FORWARDED\",\"IP\":{\"source\":\"" + src
                + "\",\"destination\":\"" + dst + "\",\"ipVersion\":\"IPv4\"},\"l4\":{\"TCP\":{\"source_port\":"
                + srcPort + ",\"destination_port\":" + dstPort + ",\"flags\":{\"" + flags + "\":true}}},"
                + "\"source\":{\"ID\":" + (reply ? 0 : 881) + ",\"identity\":" + (reply ? 7 : 4242) + "},"
                + "\"destination\":{\"ID\":" + (reply ? 881 : 0) + ",\"identity\":" + dstIdentity + "},"
                + "\"Type\":\"L3_L4\",\"node_name\":\"solwk01\",\"event_type\":{\"type\":4},"
                + "\"trace_observation_point\":\"" + point + "\",\"trace_reason\":\"" + reason + "\","
                + "\"is_reply\":" + reply + "},\"node_name\":\"solwk01\",\"time\":\"" + at + "\"}";
    }

    @Test
    void shouldCallDeparturesToNodesWithoutACaptureUnverifiedNeverLost() {
        // The kind cluster's pod CIDRs place four handshakes of kind-control-plane on kind-worker, which
        // has no capture: they cannot be judged, nor can each handshake's first ACK and first PSH segment
        // (first data, joined under the default monitor-aggregation-flags all).
        ReplayCommandRun run = ReplayCommandRun.of(RealFlows.file(RealFlows.TCP).toString(),
                RealFlows.file(RealFlows.UDP).toString(),
                "--set", "topology.pod-cidrs=kind-control-plane=10.244.0.0/24;kind-worker=10.244.1.0/24");

        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.stdout().contains("  kind-control-plane -> kind-worker IPv4: 12 departures, 0 matched, 0 lost, "
                + "0 dropped, 0 late, 12 unverified (NO_OBSERVER 12)\n"), run.toString());
        assertTrue(run.stdoutLines().get(0).startsWith("replay: "), "no alert before the summary: " + run);
    }

    @Test
    void shouldEndJsonOutputWithTheSummaryObject() throws IOException {
        ReplayCommandRun run = ReplayCommandRun.of("--format", "json", RealFlows.file(RealFlows.TEN).toString(),
                RealFlows.file(RealFlows.TCP).toString(), RealFlows.file(RealFlows.UDP).toString());

        assertEquals(0, run.exit(), run.toString());
        assertEquals(1, run.stdoutLines().size(), "no alert line, one summary line: " + run);
        JsonNode summary = JSON.readTree(run.stdoutLines().get(0));
        assertEquals(SummaryJson.SCHEMA, summary.get("schema").asText());
        assertEquals(List.of(10L, 400L, 400L), longs(summary.get("files"), "lines"));
        assertEquals(List.of(10L, 400L, 400L), longs(summary.get("files"), "events"));
        assertEquals(400, summary.get("files").get(1).get("nodes").get("kind-control-plane").asLong());
        assertEquals(GKE_NODE, summary.get("nodes").get(0).get("node").asText());
        assertEquals("kind-control-plane", summary.get("nodes").get(1).get("node").asText());
        assertEquals(800, summary.get("nodes").get(1).get("events").asLong());
        assertEquals(810, summary.get("join").get("flows").asLong());
        assertEquals(0, summary.get("join").get("lost").asLong());
        assertEquals(0, summary.get("undecided").asLong());
    }

    @Test
    void shouldReportMalformedLinesWithFileAndLineNumberAndReplayTheRest(@TempDir Path dir) throws IOException {
        List<String> real = realLines(RealFlows.TEN);
        List<String> lines = new ArrayList<>(real.subList(0, 3));
        lines.add("this is not json");                                        // line 4: garbage
        lines.add(real.get(3).substring(0, real.get(3).length() / 2));          // line 5: truncated JSON
        lines.add("{\"flow\":{\"time\":1623862333},\"node_name\":\"" + GKE_NODE + "\"}"); // line 6: a number for a timestamp
        lines.add("{\"flow\":\"FORWARDED\"}");                                 // line 7: a string for a message
        lines.addAll(real.subList(3, 10));
        Path file = write(dir.resolve("broken.json"), lines);

        ReplayCommandRun run = ReplayCommandRun.of(file.toString());

        assertEquals(0, run.exit(), run.toString());
        for (int line = 4; line <= 7; line++) {
            assertTrue(run.stderr().contains(file + ":" + line + ": malformed line skipped: "), run.toString());
        }
        assertEquals(4, run.stderr().lines().count(), run.toString());
        assertTrue(run.stdout().contains(file + ": 14 lines, 10 events, 0 skipped, 4 malformed"), run.toString());
        assertTrue(run.stdout().contains(GKE_NODE + ": 10 ("), run.toString());
    }

    @Test
    void shouldRecogniseGzipByItsMagicBytesWhateverTheName(@TempDir Path dir) throws IOException {
        byte[] capture = Files.readAllBytes(RealFlows.file(RealFlows.TEN));
        Path misleading = dir.resolve("ten.json");
        Path named = dir.resolve("ten.json.gz");
        Files.write(misleading, gzip(capture));
        Files.write(named, gzip(capture));

        ReplayCommandRun run = ReplayCommandRun.of(misleading.toString(), named.toString());

        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.stdout().contains(misleading + ": 10 lines, 10 events, 0 skipped, 0 malformed"), run.toString());
        assertTrue(run.stdout().contains(named + ": 10 lines, 10 events, 0 skipped, 0 malformed"), run.toString());
    }

    @Test
    void shouldReadStandardInputNamedDash() throws IOException {
        byte[] capture = gzip(Files.readAllBytes(RealFlows.file(RealFlows.TCP)));

        ReplayCommandRun run = ReplayCommandRun.withStdin(capture, "-", RealFlows.file(RealFlows.UDP).toString());

        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.stdout().contains("  stdin: 400 lines, 400 events, 0 skipped, 0 malformed"), run.toString());
        assertTrue(run.stdout().contains("  kind-control-plane: 800 (stdin 400, "), run.toString());
    }

    @Test
    void shouldWrapLegacyBareFlowLines(@TempDir Path dir) throws IOException {
        List<String> bare = new ArrayList<>();
        for (String line : realLines(RealFlows.TEN)) {
            GetFlowsResponse.Builder response = GetFlowsResponse.newBuilder();
            JsonFormat.parser().ignoringUnknownFields().merge(line, response);
            bare.add(JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace()
                    .print(response.getFlow()));
        }
        assertTrue(bare.get(0).startsWith("{\"time\":"), bare.get(0));
        Path file = write(dir.resolve("legacy.json"), bare);

        ReplayCommandRun run = ReplayCommandRun.of(file.toString());

        assertEquals(0, run.exit(), run.toString());
        assertTrue(run.stdout().contains(file + ": 10 lines, 10 events, 0 skipped, 0 malformed"), run.toString());
        assertTrue(run.stdout().contains(GKE_NODE + ": 10 ("), run.toString());
    }

    @Test
    void shouldSkipTheExportersAgentAndDebugEvents(@TempDir Path dir) throws IOException {
        List<String> lines = new ArrayList<>(realLines(RealFlows.TEN));
        lines.add(2, "{\"agent_event\":{\"type\":\"AGENT_STARTED\",\"agent_start\":{\"time\":\"2021-06-16T16:52:13Z\"}},"
                + "\"node_name\":\"" + GKE_NODE + "\",\"time\":\"2021-06-16T16:52:13.2Z\"}");
        lines.add(5, "{\"debug_event\":{\"type\":\"DBG_GENERIC\",\"cpu\":1,\"message\":\"x\"},\"node_name\":\""
                + GKE_NODE + "\",\"time\":\"2021-06-16T16:52:13.3Z\"}");
        Path file = write(dir.resolve("events.log"), lines);

        ReplayCommandRun run = ReplayCommandRun.of(file.toString());

        assertEquals(0, run.exit(), run.toString());
        assertEquals("", run.stderr(), run.toString());
        assertTrue(run.stdout().contains(file + ": 12 lines, 10 events, 2 skipped (agent_event 1, debug_event 1), "
                + "0 malformed"), run.toString());
    }

    @Test
    void shouldExitOneWhenACaptureCannotBeOpenedAndTwoOnWrongUsage(@TempDir Path dir) {
        ReplayCommandRun missing = ReplayCommandRun.of(RealFlows.file(RealFlows.TEN).toString(),
                dir.resolve("missing.json").toString());
        assertEquals(1, missing.exit(), missing.toString());
        assertTrue(missing.stderr().contains("cannot read " + dir.resolve("missing.json") + ": no such file"),
                missing.toString());
        assertEquals("", missing.stdout(), "nothing is replayed: " + missing);

        assertEquals(2, ReplayCommandRun.of().exit(), "no capture");
        assertEquals(2, ReplayCommandRun.of("--format", "yaml", RealFlows.file(RealFlows.TEN).toString()).exit());
        ReplayCommandRun badConfig = ReplayCommandRun.of("--set", "join.window=soon",
                RealFlows.file(RealFlows.TEN).toString());
        assertEquals(2, badConfig.exit(), badConfig.toString());
        assertTrue(badConfig.stderr().contains("join.window"), badConfig.toString());
        assertFalse(badConfig.stdout().contains("replay:"), badConfig.toString());
    }

    private static List<String> realLines(String name) throws IOException {
        return Files.readAllLines(RealFlows.file(name), StandardCharsets.UTF_8);
    }

    private static Path write(Path file, List<String> lines) throws IOException {
        return Files.write(file, (String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (OutputStream zip = new GZIPOutputStream(out)) {
            zip.write(bytes);
        }
        return out.toByteArray();
    }

    private static List<Long> longs(JsonNode array, String field) {
        List<Long> values = new ArrayList<>();
        array.forEach(element -> values.add(element.get(field).asLong()));
        return values;
    }
}
