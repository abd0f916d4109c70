package io.transitwatch.daemon.http;

import static io.transitwatch.daemon.http.HttpTestSupport.get;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.SimulatorConfig;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A 1,000-node simulated cluster (the seed scenario's blackhole, 0.5 new connections per second and
 * node) against a daemon with default settings, in one process: every node is told apart, verdicts
 * are produced, the blackhole is found, and {@code /metrics} stays under the bound documented in
 * docs/sizing.md and docs/operations.md although thousands of pairs are active.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES) // its wait allows 3 min; the JUnit default (120 s) would cut it short
class BigClusterIT {
    private static final int NODES = 1000;
    /**
     * The documented bound: 19 series per node + 12 per exported pair × 200 pairs + 4 per exported
     * round-trip destination × 200 + 200 for what does not grow with the cluster (docs/operations.md, "How many series").
     */
    private static final int SERIES_BOUND = 19 * NODES + 12 * 200 + 4 * 200 + 200;
    private static final Map<String, String> BLACKHOLED =
            Map.of("source_node", "solwk03", "destination_node", "solwk02", "family", "IPv6");

    private static Demo demo;

    @BeforeAll
    static void start() throws Exception {
        demo = Demo.start(SimulatorConfig.builder().mode(SimMode.RELAY).clock(Clock.SYSTEM).scaledTo(NODES)
                        .scenario(Scenario.preset("seed").toBuilder().connectionsPerSecond(0.5 * NODES).build()),
                List.of("http.port=0", "http.address=127.0.0.1"), Files.createTempDirectory("transitwatch-big"),
                new PrintStream(OutputStream.nullOutputStream()));
    }

    @AfterAll
    static void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    void thousandNodesJoinWithBoundedSeries() {
        JoinCounters counters = demo.daemon().counters();
        await("every node seen, the blackhole found, and more pairs active than are exported")
                .atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
                .until(() -> counters.nodeCount() == NODES && counters.get(JoinCounters.Global.LOST) > 0
                        && counters.activePairs() > PairMetrics.MAX_EXPORTED_PAIRS);
        assertTrue(counters.get(JoinCounters.Global.MATCHED) > 1000, "verdicts: matches");
        assertEquals(0, counters.get(JoinCounters.Global.IGNORED_NODE_LIMIT), "no node beyond the default capacity");
        assertEquals(0, counters.get(JoinCounters.Global.PAIR_SLOT_MISSES), "every active pair has a slot");

        String body = get(demo.daemon().httpPort(), "/metrics").body();
        PrometheusText scrape = PrometheusText.parse(body);
        int series = scrape.samples().size();
        assertTrue(series <= SERIES_BOUND, "series " + series + " within the documented bound " + SERIES_BOUND);
        assertTrue(scrape.value("transitwatch_lost_total", BLACKHOLED) > 0, "the blackholed pair is exported");
        long exportedPairs = scrape.samples().stream().filter(s -> s.name().equals("transitwatch_lost_total")).count();
        assertTrue(exportedPairs <= PairMetrics.MAX_EXPORTED_PAIRS, "exported pairs " + exportedPairs);
        long nodesWithVerdicts = scrape.samples().stream()
                .filter(s -> s.name().equals("transitwatch_node_departures_total")).count();
        assertEquals(NODES, nodesWithVerdicts, "node-level series for every node");
        double lostElsewhere = scrape.samples().stream()
                .filter(s -> s.name().equals("transitwatch_lost_total") && !s.labels().equals(BLACKHOLED))
                .mapToDouble(PrometheusText.Sample::value).sum();
        assertEquals(0.0, lostElsewhere, () -> "loss only where the scenario blackholes\n"
                + HttpTestSupport.lostCounters(demo.daemon().httpPort()));
    }
}
