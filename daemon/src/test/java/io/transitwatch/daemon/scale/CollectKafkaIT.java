package io.transitwatch.daemon.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.http.HttpTestSupport;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.Simulator;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.daemon.testsupport.KafkaTestBroker;
import io.transitwatch.daemon.testsupport.ScaledAlertRules;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code transitwatch collect} against a real broker (issue #13, DESIGN §8): a KRaft broker in the
 * test JVM, the simulator serving one Hubble server per node and the Peer service, and two collectors
 * ({@code scale.shards=2}, indexes 0 and 1) as separate JVMs writing into a 12-partition event topic.
 * Every node's events come from exactly the collector that rendezvous hashing gives it (which alone
 * opens a stream to it: the shard is applied at Peer discovery), both
 * collectors' heartbeats reach every partition, every node's NODE_UP lands in the compacted observers
 * topic under its name, and every record decodes, keyed ones in the partition their key hashes to.
 */
class CollectKafkaIT {
    static final int PARTITIONS = 12;
    static final String EVENTS = "transitwatch.events.v1";
    static final String OBSERVERS = "transitwatch.observers.v1";

    @TempDir
    Path dir;

    @Test
    void twoCollectorsShareTheNodesAndHeartbeatEveryPartition() throws Exception {
        try (KafkaTestBroker broker = KafkaTestBroker.start();
                Simulator sim = Simulator.start(SimulatorConfig.builder().mode(SimMode.NODES).host("127.0.0.1")
                        .port(0).scenario(Scenario.preset("healthy").toBuilder().connectionsPerSecond(50).build())
                        .build());
                ScaledProcesses processes = new ScaledProcesses(dir)) {
            broker.createTopic(EVENTS, PARTITIONS, false);
            broker.createTopic(OBSERVERS, 1, true);
            List<String> nodes = sim.topology().nodeNames();
            Map<String, Integer> owners = new TreeMap<>();
            nodes.forEach(n -> owners.put(n, ShardAssignment.ownerOf(n, 2)));
            assertEquals(Set.of(0, 1), Set.copyOf(owners.values()), "both shards must own nodes: " + owners);

            for (int shard = 0; shard < 2; shard++) {
                processes.start("collector-" + shard, "collect", List.of(
                        "hubble.mode=direct", "hubble.peer.address=" + sim.peerTarget(),
                        "kafka.bootstrap-servers=" + broker.bootstrapServers(),
                        "scale.shards=2", "scale.shard-index=" + shard, "scale.member-id=collector-" + shard,
                        "scale.heartbeat-interval=100ms", "http.port=0"));
            }

            try (EventTopicView view = new EventTopicView(broker.bootstrapServers(), EVENTS, OBSERVERS, PARTITIONS)) {
                try {
                    Awaitility.await("every node's flows, both collectors' heartbeats in every partition, "
                                    + "every node's status in the observers topic")
                            .atMost(Duration.ofSeconds(90)).pollInSameThread().pollDelay(Duration.ZERO)
                            .pollInterval(Duration.ofMillis(1)).until(() -> {
                                view.poll();
                                return view.flowShardsByNode.keySet().containsAll(nodes)
                                        && view.heartbeatShardsByPartition.size() == PARTITIONS
                                        && view.heartbeatShardsByPartition.values().stream().allMatch(s -> s.size() == 2)
                                        && view.observerRecordsByKey.keySet().containsAll(nodes);
                            });
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError(view.summary() + "\n" + processes.tails(), e);
                }
                for (int i = 0; i < 10; i++) {
                    view.poll(); // a little more, so that a node written by both collectors would show
                }

                Map<String, Set<Integer>> expected = owners.entrySet().stream()
                        .collect(Collectors.toMap(Map.Entry::getKey, e -> Set.of(e.getValue()), (a, b) -> a, TreeMap::new));
                assertEquals(expected, view.flowShardsByNode, "each node's flows from its owner only");
                for (String node : nodes) {
                    assertTrue(view.statusKindsByNode.getOrDefault(node, Set.of()).contains(NodeEvent.NODE_UP),
                            node + ": no NODE_UP in the event topic: " + view.statusKindsByNode);
                    assertTrue(view.observerRecordsByKey.get(node).stream().allMatch(r -> r.endsWith(" of " + node))
                                    && view.observerRecordsByKey.get(node).contains("kind " + NodeEvent.NODE_UP + " of " + node),
                            node + ": observers topic: " + view.observerRecordsByKey.get(node));
                }
                Set<String> keys = new java.util.TreeSet<>(nodes);
                keys.addAll(List.of("collector/0", "collector/1")); // each collector's latest heartbeat
                assertEquals(keys, view.observerRecordsByKey.keySet(), "observer keys: node names and the collectors'");
                assertEquals(nodes.size(), sim.openStreams(),
                        "one Hubble stream per node over both collectors: each streams only its own shard's nodes");
                assertEquals(0, view.malformed(), "every record decodes");
                assertEquals(List.of(), view.misplaced, "keyed records in the partition of their key");
            }
            for (int shard = 0; shard < 2; shard++) {
                assertProbedAndScraped(processes, shard, owners);
            }
            for (int shard = 0; shard < 2; shard++) {
                assertEquals(0, processes.stop("collector-" + shard), processes.tail("collector-" + shard));
                String log = processes.log("collector-" + shard);
                assertTrue(log.contains("shutdown complete"), log);
                assertTrue(!log.contains("Exception"), log);
            }
        }
    }

    /**
     * What the chart's probes and the ServiceMonitor ask each collector pod: {@code /healthz} and
     * {@code /readyz} answer 200 (every stream of its shard is up by now), and {@code /metrics} counts
     * the events it published and the streams it holds.
     */
    private static void assertProbedAndScraped(ScaledProcesses processes, int shard, Map<String, Integer> owners)
            throws IOException {
        String name = "collector-" + shard;
        Matcher listening = Pattern.compile("/metrics listening on \\S+:(\\d+)").matcher(processes.log(name));
        assertTrue(listening.find(), name + " names no HTTP port: " + processes.tail(name));
        int port = Integer.parseInt(listening.group(1));
        assertEquals(200, HttpTestSupport.get(port, "/healthz").statusCode(), name + " /healthz");
        HttpResponse<String> ready = HttpTestSupport.get(port, "/readyz");
        assertEquals(200, ready.statusCode(), name + " /readyz: " + ready.body());
        String metrics = HttpTestSupport.get(port, "/metrics").body();
        long ownNodes = owners.values().stream().filter(owner -> owner == shard).count();
        assertTrue(Pattern.compile("(?m)^transitwatch_collector_streams_up " + (double) ownNodes + "$").matcher(metrics).find(),
                name + ": " + metrics);
        Matcher published = Pattern.compile("(?m)^transitwatch_collector_events_published_total (\\S+)$").matcher(metrics);
        assertTrue(published.find() && Double.parseDouble(published.group(1)) > 0, name + ": " + metrics);
        for (String ruled : ScaledAlertRules.metricsOf("transitwatch_collector_")) {
            assertTrue(Pattern.compile("(?m)^" + ruled + "[ {]").matcher(metrics).find(),
                    "the scaled alert rules name " + ruled + ", which " + name + " does not export: " + metrics);
        }
    }
}
