package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.HttpTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.daemon.sim.kube.SimKubernetesApi;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kubernetes discovery as the operator sees it: {@code /api/status} and {@code /metrics} of a demo
 * daemon, which learns its cluster from the simulated API server; an API-server outage keeps the last
 * view, and both say so. A datapath that tunnels under a cilium-config that says native is reported
 * as a disagreement of calibration and streams, node by node, until the two agree.
 */
class KubernetesStatusIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void statusAndMetricsShowDiscoveryAndAnOutage() throws Exception {
        try (Demo demo = HttpTestSupport.startSeedDemo()) {
            int port = demo.daemon().httpPort();
            JsonNode kubernetes = JSON.readTree(get(port, "/api/status").body()).get("kubernetes");
            assertTrue(kubernetes.get("enabled").asBoolean(), kubernetes.toString());
            assertTrue(kubernetes.get("connected").asBoolean(), kubernetes.toString());
            assertEquals(12, kubernetes.get("ciliumnode_cidrs").asInt(), "6 nodes x 2 families: " + kubernetes);
            JsonNode calibration = kubernetes.get("calibration");
            assertEquals(1, calibration.size(), "every node alike: " + calibration);
            assertEquals("[\"TO_NETWORK\"]", calibration.get(0).get("departure_points").toString());
            assertFalse(calibration.get(0).get("first_data").asBoolean());
            assertTrue(calibration.get(0).get("sources").get("departure-points").asText()
                    .contains("routing-mode=native"), calibration.toString());
            String metrics = get(port, "/metrics").body();
            assertTrue(metrics.contains("transitwatch_kubernetes_watching{resource=\"ciliumnodes.cilium.io\"} 1.0"),
                    metrics);

            demo.kubernetes().close();

            Awaitility.await("status says the API server is gone").atMost(Duration.ofSeconds(30))
                    .until(() -> !JSON.readTree(get(port, "/api/status").body()).get("kubernetes").get("connected")
                            .asBoolean());
            // Each informer finds its own watch gone, in its own time: the first one makes status disconnected.
            Awaitility.await("the Node informer's watch is gone too").atMost(Duration.ofSeconds(30))
                    .until(() -> get(port, "/metrics").body()
                            .contains("transitwatch_kubernetes_watching{resource=\"nodes\"} 0.0"));
            JsonNode after = JSON.readTree(get(port, "/api/status").body()).get("kubernetes");
            assertEquals(12, after.get("ciliumnode_cidrs").asInt(), "the last view is kept: " + after);
        }
    }

    @Test
    void aTunnelDatapathUnderANativeCiliumConfigIsReportedNotTrusted(@TempDir Path dir) throws Exception {
        // The datapath tunnels (every node reports its departures at to-overlay) while cilium-config
        // says routing-mode native: the calibration (to-network) and the streams disagree.
        Scenario healthy = Scenario.preset("healthy");
        try (Demo demo = Demo.start(SimulatorConfig.builder().mode(SimMode.RELAY).scenario(healthy)
                .clock(Clock.SYSTEM).tunnel(true), List.of("http.port=0"), dir,
                new PrintStream(OutputStream.nullOutputStream()))) {
            demo.kubernetes().setCiliumConfig(SimKubernetesApi.ciliumConfig("native",
                    healthy.monitorFlags().configValue()));
            int port = demo.daemon().httpPort();
            List<String> nodes = demo.simulator().topology().nodeNames().stream().sorted().toList();

            JsonNode kubernetes = Awaitility.await("every node calibrated native and seen tunnelling")
                    .atMost(Duration.ofSeconds(30))
                    .until(() -> JSON.readTree(get(port, "/api/status").body()).get("kubernetes"),
                            k -> k.get("calibration_disagreements").size() == nodes.size()
                                    && k.get("calibration").get(0).get("departure_points").toString()
                                            .equals("[\"TO_NETWORK\"]"));
            List<String> disagreeing = new ArrayList<>();
            for (JsonNode disagreement : kubernetes.get("calibration_disagreements")) {
                disagreeing.add(disagreement.get("node").asText());
                assertEquals("[\"TO_NETWORK\"]", disagreement.get("departure_points").toString());
                assertTrue(disagreement.get("seen").get("TO_OVERLAY").asLong() > 0, disagreement.toString());
                assertEquals(0, disagreement.get("seen").get("TO_NETWORK").asLong(), disagreement.toString());
                assertTrue(disagreement.get("message").asText().contains("to-overlay")
                        && disagreement.get("message").asText().contains("routing-mode=native"), disagreement.toString());
            }
            assertEquals(nodes, disagreeing);
            assertTrue(get(port, "/metrics").body().contains("transitwatch_calibration_disagreements " + nodes.size()
                    + ".0"), "metric");

            // Back to what the datapath does: nothing disagrees any more.
            demo.kubernetes().setCiliumConfig(SimKubernetesApi.ciliumConfig("tunnel",
                    healthy.monitorFlags().configValue()));
            Awaitility.await("calibration and streams agree").atMost(Duration.ofSeconds(30))
                    .until(() -> JSON.readTree(get(port, "/api/status").body()).get("kubernetes")
                            .get("calibration_disagreements").isEmpty());
            assertTrue(get(port, "/metrics").body().contains("transitwatch_calibration_disagreements 0.0"), "metric");
        }
    }
}
