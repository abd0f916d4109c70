package io.transitwatch.daemon.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.ingest.IngestState;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.daemon.sim.hubble.NodeHubble;
import io.transitwatch.daemon.sim.relay.RelayObserverService;
import io.transitwatch.daemon.sim.kube.SimKubernetesApi;
import io.transitwatch.daemon.testsupport.JsonSchemas;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code transitwatch doctor} against the demo's simulated cluster (Hubble Relay and the Kubernetes
 * API): exit 0 with the calibration and its sources and each node's Hubble version; exit 1 naming the
 * key when trace events are compiled out; the JSON matches its schema. Direct mode learns the
 * versions from each node's ServerStatus.
 */
class DoctorCommandIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FAST_GET_NODES = "hubble.get-nodes-interval=500ms";

    @TempDir
    Path dir;

    @Test
    void healthySimulatedClusterExitsZeroAndABlindOneExitsOneNamingTheKey() throws Exception {
        try (Demo demo = Demo.start(SimMode.RELAY, Scenario.preset("healthy"), List.of("http.port=-1"), dir,
                new PrintStream(OutputStream.nullOutputStream()), Clock.SYSTEM)) {
            Path kubeconfig = Files.writeString(dir.resolve("kubeconfig"), demo.kubernetes().kubeconfig());
            Path config = Files.writeString(dir.resolve("doctor.yaml"), "hubble:\n  relay:\n    address: "
                    + demo.simulator().relayTarget() + "\nkubernetes:\n  enabled: true\n  kubeconfig: " + kubeconfig + "\n");

            // GetNodes, which names each node's version, is polled well within the watch (ten polls; the
            // watch is what the command takes as its input, so it stays fixed rather than awaited).
            Result text = doctor("--config", config.toString(), "--watch", "5s", "--set", FAST_GET_NODES);
            assertEquals(0, text.exit(), text.out());
            assertTrue(text.out().startsWith("OK"), text.out());
            assertTrue(text.out().contains("hubble " + NodeHubble.VERSION), text.out());
            assertTrue(text.out().contains("hubble " + RelayObserverService.VERSION), text.out());
            assertTrue(text.out().contains("departure-points: TO_NETWORK from cilium-config kube-system/cilium-config: "
                    + "routing-mode=native"), text.out());

            Result json = doctor("--config", config.toString(), "--watch", "5s", "--format", "json",
                    "--set", FAST_GET_NODES);
            assertEquals(0, json.exit(), json.out());
            assertEquals(List.of(), JsonSchemas.errors(json.out().trim()));
            JsonNode report = JSON.readTree(json.out());
            assertTrue(report.get("ok").asBoolean());
            // Each node's version from Relay's GetNodes, Relay's own from its ServerStatus.
            assertEquals(versions(Set.copyOf(demo.simulator().topology().nodeNames()), NodeHubble.VERSION,
                    RelayObserverService.VERSION), streamVersions(report), report.toString());
            assertTrue(report.get("placement_coverage").get("lookups_by_source").get("cilium_endpoint").asLong() > 0,
                    report.toString());

            Map<String, String> blind = new HashMap<>(SimKubernetesApi.ciliumConfig("native"));
            blind.put("bpf-events-trace-enabled", "false");
            demo.kubernetes().setCiliumConfig(blind);
            Result failing = doctor("--config", config.toString(), "--watch", "1s", "--format", "json");
            assertEquals(1, failing.exit(), failing.out());
            assertEquals(List.of(), JsonSchemas.errors(failing.out().trim()));
            JsonNode problems = JSON.readTree(failing.out()).get("problems");
            assertFalse(problems.isEmpty());
            // whatever else a one-second look finds (a stream not up yet is listed first), the key is named
            boolean named = false;
            for (JsonNode problem : problems) {
                named |= problem.asText().contains("bpf-events-trace-enabled=false");
            }
            assertTrue(named, problems.toString());
        }
    }

    @Test
    void aTunnelDatapathUnderANativeCiliumConfigIsAProblemNamingEachNode() throws Exception {
        Scenario healthy = Scenario.preset("healthy");
        try (Demo demo = Demo.start(SimulatorConfig.builder().mode(SimMode.RELAY).scenario(healthy)
                .clock(Clock.SYSTEM).tunnel(true), List.of("http.port=-1"), dir,
                new PrintStream(OutputStream.nullOutputStream()))) {
            demo.kubernetes().setCiliumConfig(SimKubernetesApi.ciliumConfig("native",
                    healthy.monitorFlags().configValue()));
            Set<String> nodes = Set.copyOf(demo.simulator().topology().nodeNames());

            DoctorReport report = await().atMost(Duration.ofSeconds(30))
                    .until(() -> DoctorReport.of(demo.daemon(), 1.0), r -> r.json().contains("\"departure_points\":"
                            + "[\"TO_NETWORK\"]") && disagreeing(r) == nodes.size());
            assertEquals(List.of(), JsonSchemas.errors(report.json()));
            JsonNode json = JSON.readTree(report.json());
            assertFalse(report.ok(), "a datapath the calibration gets wrong blocks detection: " + report.text());
            JsonNode problems = json.get("problems");
            for (String node : nodes) {
                assertTrue(problems.toString().contains("calibration: " + node + ": its stream shows to-overlay"),
                        problems.toString());
            }
            assertTrue(report.text().contains("Calibration vs streams: " + nodes.size() + " nodes disagree"),
                    report.text());
        }
    }

    private static int disagreeing(DoctorReport report) {
        try {
            return JSON.readTree(report.json()).get("calibration_disagreements").size();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void directModeReportsEachNodesVersionFromItsServerStatus() throws Exception {
        try (Demo demo = Demo.start(SimMode.NODES, Scenario.preset("healthy"), List.of("http.port=-1"), dir,
                new PrintStream(OutputStream.nullOutputStream()), Clock.SYSTEM)) {
            Set<String> nodes = Set.copyOf(demo.simulator().topology().nodeNames());
            await().atMost(Duration.ofSeconds(30))
                    .until(() -> demo.daemon().ingest().state().hubbleVersions().keySet().containsAll(nodes));

            DoctorReport report = DoctorReport.of(demo.daemon(), 1.0);
            assertEquals(List.of(), JsonSchemas.errors(report.json()));
            assertEquals(versions(nodes, NodeHubble.VERSION, null), streamVersions(JSON.readTree(report.json())),
                    report.json());
            assertTrue(report.text().contains("hubble " + NodeHubble.VERSION), report.text());
        }
    }

    @Test
    void aWrongFormatIsUsage() {
        assertEquals(2, doctor("--format", "yaml").exit());
    }

    private record Result(int exit, String out) {}

    /** {@code hubble_version} by stream name, as the report says. */
    private static Map<String, String> streamVersions(JsonNode report) {
        Map<String, String> versions = new TreeMap<>();
        report.get("hubble").get("streams").forEach(stream ->
                versions.put(stream.get("node").asText(), stream.get("hubble_version").asText()));
        return versions;
    }

    /** Every node with {@code nodeVersion}, plus the relay stream with {@code relayVersion} unless null. */
    private static Map<String, String> versions(Set<String> nodes, String nodeVersion, String relayVersion) {
        Map<String, String> versions = new TreeMap<>();
        nodes.forEach(node -> versions.put(node, nodeVersion));
        if (relayVersion != null) {
            versions.put(IngestState.RELAY, relayVersion);
        }
        return versions;
    }

    private static Result doctor(String... args) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = new CommandLine(new DoctorCommand(new PrintStream(bytes, true, StandardCharsets.UTF_8))).execute(args);
        return new Result(exit, bytes.toString(StandardCharsets.UTF_8));
    }
}
