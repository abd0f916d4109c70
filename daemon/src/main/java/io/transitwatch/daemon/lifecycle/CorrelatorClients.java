package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.sinks.kafka.KafkaSinkConfig;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.CooperativeStickyAssignor;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Not thread-safe: made by the lifecycle code, then used only by the correlator thread (Kafka's
 * consumers allow one thread; the clients' own network threads are the Kafka client's).
 *
 * <p>The three Kafka clients of {@code transitwatch correlate}: the group member on the event topic,
 * the observers topic's reader (assign()-ed to all its partitions from the beginning, no group) and
 * the transactional producer of alerts, pair counts and offsets.
 *
 * @param member the static member id ({@code group.instance.id}), also the transactional id's base
 */
record CorrelatorClients(Consumer<byte[], byte[]> events, Consumer<byte[], byte[]> observers,
        Producer<byte[], byte[]> producer, String member, String bootstrapServers) {

    /**
     * How long the broker keeps a transaction open without its producer (Kafka Streams' choice for
     * exactly-once; the client's default is 60 s). A correlator killed between a transaction's first
     * send and its commit leaves it open: until the broker aborts it, the offsets it holds are
     * unstable (the partitions' new owners wait in {@code committed()}, whose own timeout is 60 s)
     * and {@code read_committed} readers of the alert partitions it wrote see nothing past it. The
     * broker aborts it within this plus {@code transaction.abort.timed.out.transaction.cleanup.interval.ms}
     * (10 s by default). Our transactions last one commit: milliseconds.
     */
    static final Duration TRANSACTION_TIMEOUT = Duration.ofSeconds(10);

    static CorrelatorClients create(Settings settings, Map<String, String> environment) {
        List<String> brokers = settings.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS);
        if (brokers.isEmpty()) {
            throw new IllegalArgumentException("kafka.bootstrap-servers is empty; transitwatch correlate reads and "
                    + "writes Kafka: set it to the brokers, e.g. --set kafka.bootstrap-servers=kafka:9092");
        }
        String bootstrap = String.join(",", brokers);
        String member = member(settings, environment);
        Map<String, Object> group = consumerProperties(settings, bootstrap, member + "-events");
        group.put("group.id", settings.string(ConfigKeys.SCALE_CORRELATOR_GROUP));
        group.put("group.instance.id", member);
        group.put("partition.assignment.strategy", CooperativeStickyAssignor.class.getName());
        group.put("isolation.level", "read_committed");
        group.put("enable.auto.commit", "false");
        group.put("auto.offset.reset", "earliest");
        Map<String, Object> status = consumerProperties(settings, bootstrap, member + "-observers");
        status.remove("group.id");
        status.put("enable.auto.commit", "false");
        Map<String, Object> produce = producerProperties(settings, bootstrap, member);
        KafkaConsumer<byte[], byte[]> events = new KafkaConsumer<>(group);
        KafkaConsumer<byte[], byte[]> observers = null;
        KafkaProducer<byte[], byte[]> producer = null;
        try {
            observers = new KafkaConsumer<>(status);
            String observersTopic = settings.string(ConfigKeys.SCALE_TOPIC_OBSERVERS);
            List<TopicPartition> partitions = observers.partitionsFor(observersTopic, Duration.ofSeconds(60)).stream()
                    .map(info -> new TopicPartition(observersTopic, info.partition())).toList();
            observers.assign(partitions);
            observers.seekToBeginning(partitions);
            producer = new KafkaProducer<>(produce);
            return new CorrelatorClients(events, observers, producer, member, bootstrap);
        } catch (RuntimeException e) {
            events.close(CloseOptions.timeout(Duration.ZERO));
            if (observers != null) {
                observers.close(CloseOptions.timeout(Duration.ZERO));
            }
            if (producer != null) {
                producer.close(Duration.ZERO);
            }
            throw e;
        }
    }

    /** {@code scale.member-id}, else HOSTNAME (the pod name: stable across restarts in a StatefulSet). */
    static String member(Settings settings, Map<String, String> environment) {
        return settings.find(ConfigKeys.SCALE_MEMBER_ID).orElseGet(() -> {
            String host = environment.get("HOSTNAME");
            if (host == null || host.isBlank()) {
                throw new IllegalArgumentException("scale.member-id is not set and HOSTNAME is empty: set "
                        + "scale.member-id to a name unique among the correlators and stable across restarts, "
                        + "e.g. --set scale.member-id=correlator-0");
            }
            return host;
        });
    }

    /**
     * The transactional producer's properties: the alert sink's, with this member's transactional id,
     * {@code max.block.ms} 60 s (transactions wait for the coordinator; the sink's 1 s is too short)
     * and {@code transaction.timeout.ms} {@link #TRANSACTION_TIMEOUT} unless {@code kafka.producer.*}
     * says otherwise.
     */
    static Map<String, Object> producerProperties(Settings settings, String bootstrap, String member) {
        Map<String, String> overrides = settings.passThrough(ConfigKeys.KAFKA_PRODUCER);
        Map<String, Object> produce = KafkaSinkConfig.defaults(bootstrap).withCluster(settings.string(ConfigKeys.KAFKA_CLUSTER))
                .withProducer(overrides).producerProperties();
        produce.put("client.id", member + "-correlate");
        produce.put("transactional.id", member + "-correlate");
        if (!overrides.containsKey("max.block.ms")) {
            produce.put("max.block.ms", "60000");
        }
        if (!overrides.containsKey("transaction.timeout.ms")) {
            produce.put("transaction.timeout.ms", Long.toString(TRANSACTION_TIMEOUT.toMillis()));
        }
        return produce;
    }

    private static Map<String, Object> consumerProperties(Settings settings, String bootstrap, String clientId) {
        Map<String, Object> properties = new HashMap<>();
        properties.put("bootstrap.servers", bootstrap);
        properties.put("client.id", clientId);
        properties.putAll(settings.passThrough(ConfigKeys.KAFKA_CONSUMER));
        properties.put("key.deserializer", ByteArrayDeserializer.class.getName());
        properties.put("value.deserializer", ByteArrayDeserializer.class.getName());
        return properties;
    }

    /** Closes all three; the group member leaves only after the session timeout (static membership). */
    void close() {
        events.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        observers.close(CloseOptions.timeout(Duration.ofSeconds(5)));
        producer.close(Duration.ofSeconds(5));
    }
}
