package io.transitwatch.daemon.testsupport;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.test.KafkaClusterTestKit;
import org.apache.kafka.common.test.TestKitNodes;

/**
 * Thread-safe (Kafka's test kit). A real single-node KRaft Kafka (combined broker and controller) in
 * the test JVM, built with Kafka's own test kit like the sinks' {@code TestBroker} (build-notes §2a;
 * no test-jar is shared between modules); roles under test run in this JVM or in child JVMs and reach
 * it over loopback. Topics are created here as an operator would create them (the roles never create
 * topics). For outages use the sinks' ProcessBroker: the test kit can restart a broker in-process,
 * but the restarted broker came back without the idempotent producer's state (it accepted an
 * out-of-order sequence, then refused the retry of the gap forever), which a real broker restart
 * does not do.
 */
public final class KafkaTestBroker implements AutoCloseable {
    /** Held so that the levels stay: JUL keeps loggers only weakly. */
    private static final List<Logger> QUIET = new ArrayList<>();

    private final KafkaClusterTestKit cluster;

    private KafkaTestBroker(KafkaClusterTestKit cluster) {
        this.cluster = cluster;
    }

    public static KafkaTestBroker start() throws Exception {
        for (String name : List.of("kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper")) {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(Level.WARNING);
            QUIET.add(logger);
        }
        KafkaClusterTestKit cluster = new KafkaClusterTestKit.Builder(
                new TestKitNodes.Builder().setCombined(true).setNumBrokerNodes(1).setNumControllerNodes(1).build())
                .setConfigProp("offsets.topic.replication.factor", "1")
                .setConfigProp("offsets.topic.num.partitions", "4")
                .setConfigProp("transaction.state.log.replication.factor", "1")
                .setConfigProp("transaction.state.log.min.isr", "1")
                .setConfigProp("transaction.state.log.num.partitions", "4")
                .setConfigProp("share.coordinator.state.topic.replication.factor", "1")
                .setConfigProp("group.initial.rebalance.delay.ms", "0")
                .setConfigProp("auto.create.topics.enable", "false")
                .build();
        cluster.format();
        cluster.startup();
        cluster.waitForReadyBrokers();
        return new KafkaTestBroker(cluster);
    }

    public String bootstrapServers() {
        return cluster.bootstrapServers();
    }

    /** Creates a topic of {@code partitions} partitions; {@code compacted} for the observers topic. */
    public void createTopic(String topic, int partitions, boolean compacted) throws Exception {
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrapServers()))) {
            NewTopic newTopic = new NewTopic(topic, partitions, (short) 1);
            if (compacted) {
                newTopic.configs(Map.of("cleanup.policy", "compact"));
            }
            admin.createTopics(List.of(newTopic)).all().get();
        }
    }

    @Override
    public void close() {
        try {
            cluster.close();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            throw new IllegalStateException("stopping the test broker failed", e);
        }
    }
}
