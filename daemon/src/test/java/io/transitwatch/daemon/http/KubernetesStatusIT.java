package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.HttpTestSupport.get;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transitwatch.daemon.lifecycle.Demo;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * Kubernetes discovery as the operator sees it: {@code /api/status} and {@code /metrics} of a demo
 * daemon, which learns its cluster from the simulated API server; an API-server outage keeps the last
 * view, and both say so.
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
            assertTrue(get(port, "/metrics").body().contains("transitwatch_kubernetes_watching{resource=\"nodes\"} 0.0"));
            JsonNode after = JSON.readTree(get(port, "/api/status").body()).get("kubernetes");
            assertEquals(12, after.get("ciliumnode_cidrs").asInt(), "the last view is kept: " + after);
        }
    }
}
