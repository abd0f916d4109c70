package io.transitwatch.daemon.testsupport;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import kafka.server.KafkaConfig;
import kafka.server.KafkaRaftServer;
import kafka.tools.StorageTool;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.Uuid;
import org.apache.kafka.common.utils.Time;

/**
 * Thread-safe: {@link #stop}, {@link #restart} and {@link #close} are synchronized; the rest is
 * Kafka's. A real single-node KRaft Kafka (combined broker and controller) in the test JVM: Kafka's
 * own {@link KafkaRaftServer}, the server {@code kafka-server-start.sh} runs, on two loopback ports
 * picked at the start and kept, with its log directory in a temporary directory of its own (no
 * test-jar is shared between modules, build-notes §2a). Roles under test run in this JVM or in child
 * JVMs and reach it over loopback. Topics are created here as an operator would create them (the
 * roles never create topics).
 *
 * <p>{@link #stop} and {@link #restart} are a broker restart as in production: a clean shutdown,
 * then a new server on the same ports and the same log directory, which recovers the logs, the
 * producers' idempotence state, the transactions and the consumer groups from disk. (Kafka's test
 * kit restarts its broker object in place, and that broker came back without the idempotent
 * producer's state: it accepted an out-of-order sequence, then refused the retry of the gap forever.)
 */
public final class KafkaTestBroker implements AutoCloseable {
    /** Held so that the levels stay: JUL keeps loggers only weakly. */
    private static final List<Logger> QUIET = new ArrayList<>();

    private final Path directory;
    private final Properties properties;
    private final int port;
    private KafkaRaftServer server;

    private KafkaTestBroker(Path directory, Properties properties, int port) {
        this.directory = directory;
        this.properties = properties;
        this.port = port;
    }

    public static KafkaTestBroker start() throws Exception {
        for (String name : List.of("kafka", "org.apache.kafka", "state.change.logger", "org.apache.zookeeper")) {
            Logger logger = Logger.getLogger(name);
            logger.setLevel(Level.WARNING);
            QUIET.add(logger);
        }
        Path directory = Files.createTempDirectory("transitwatch-kafka-");
        int brokerPort = freePort();
        int controllerPort = freePort();
        Properties properties = new Properties();
        properties.putAll(Map.ofEntries(
                Map.entry("process.roles", "broker,controller"),
                Map.entry("node.id", "1"),
                Map.entry("controller.quorum.voters", "1@127.0.0.1:" + controllerPort),
                Map.entry("listeners", "PLAINTEXT://127.0.0.1:" + brokerPort + ",CONTROLLER://127.0.0.1:" + controllerPort),
                Map.entry("advertised.listeners", "PLAINTEXT://127.0.0.1:" + brokerPort),
                Map.entry("listener.security.protocol.map", "PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT"),
                Map.entry("controller.listener.names", "CONTROLLER"),
                Map.entry("inter.broker.listener.name", "PLAINTEXT"),
                Map.entry("log.dirs", directory.resolve("data").toString()),
                Map.entry("offsets.topic.replication.factor", "1"),
                Map.entry("offsets.topic.num.partitions", "4"),
                Map.entry("transaction.state.log.replication.factor", "1"),
                Map.entry("transaction.state.log.min.isr", "1"),
                Map.entry("transaction.state.log.num.partitions", "4"),
                Map.entry("share.coordinator.state.topic.replication.factor", "1"),
                Map.entry("share.coordinator.state.topic.min.isr", "1"),
                Map.entry("group.initial.rebalance.delay.ms", "0"),
                Map.entry("auto.create.topics.enable", "false")));
        Path file = directory.resolve("server.properties");
        try (var out = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            properties.store(out, "KafkaTestBroker");
        }
        ByteArrayOutputStream formatLog = new ByteArrayOutputStream();
        int formatted = StorageTool.execute(new String[] {"format", "-t", Uuid.randomUuid().toString(), "-c",
                file.toString()}, new PrintStream(formatLog, true, StandardCharsets.UTF_8));
        if (formatted != 0) {
            throw new IllegalStateException("formatting the broker's storage failed: " + formatLog);
        }
        KafkaTestBroker broker = new KafkaTestBroker(directory, properties, brokerPort);
        broker.startServer();
        return broker;
    }

    public String bootstrapServers() {
        return "127.0.0.1:" + port;
    }

    /** Shuts the broker down cleanly, as on a rolling restart; its port refuses connections until {@link #restart}. */
    public synchronized void stop() {
        if (server != null) {
            server.shutdown();
            server.awaitShutdown();
            server = null;
        }
    }

    /** Starts the broker again on the same ports and log directory, and waits until it answers. */
    public synchronized void restart() throws Exception {
        if (server == null) {
            startServer();
        }
    }

    private void startServer() throws Exception {
        server = new KafkaRaftServer(KafkaConfig.fromProps(properties, false), Time.SYSTEM);
        server.startup();
        try (Admin admin = Admin.create(Map.<String, Object>of("bootstrap.servers", bootstrapServers()))) {
            admin.describeCluster().nodes().get(); // the broker is registered and answers metadata
        }
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
    public synchronized void close() {
        stop();
        try (Stream<Path> files = Files.walk(directory)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException("removing the broker's directory failed", e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
