package io.transitwatch.sinks.kafka;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Immutable settings of the {@link KafkaSink}.
 *
 * @param bootstrapServers  {@code host:port[,host:port]}; may be null if {@code producer} sets
 *                          {@code bootstrap.servers}
 * @param alertsTopic       where alerts go; default {@code transitwatch.alerts}
 * @param incidentsTopic    where incident changes go; default {@code transitwatch.incidents}
 * @param cluster           names this Kubernetes cluster in {@code ce_source} ({@code /transitwatch/<cluster>})
 *                          and in the producer's {@code client.id}
 * @param producer          any Kafka producer property, passed through as given (the daemon's
 *                          {@code kafka.producer.*} keys with the prefix removed): TLS, SASL,
 *                          compression, {@code delivery.timeout.ms}, {@code buffer.memory}, ...
 *                          Kafka's own {@code ConfigDef} validates them when the producer is made.
 * @param closeTimeout      how long {@link KafkaSink#close()} lets the producer finish sending;
 *                          default 0, because the dispatcher has already flushed within its
 *                          shutdown deadline and whatever is left is failed (and counted) at once
 */
public record KafkaSinkConfig(
        String bootstrapServers,
        String alertsTopic,
        String incidentsTopic,
        String cluster,
        Map<String, String> producer,
        Duration closeTimeout) {

    public static final String DEFAULT_ALERTS_TOPIC = "transitwatch.alerts";
    public static final String DEFAULT_INCIDENTS_TOPIC = "transitwatch.incidents";
    public static final String DEFAULT_CLUSTER = "default";
    /** The daemon configuration prefix whose keys pass straight through to the producer. */
    public static final String PRODUCER_PREFIX = "kafka.producer.";

    private static final Pattern CLUSTER_NAME = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Pattern TOPIC_NAME = Pattern.compile("[A-Za-z0-9._-]{1,249}");

    public KafkaSinkConfig {
        requireTopic("alertsTopic", alertsTopic);
        requireTopic("incidentsTopic", incidentsTopic);
        if (cluster == null || !CLUSTER_NAME.matcher(cluster).matches()) {
            throw new IllegalArgumentException("cluster must match " + CLUSTER_NAME + " (it goes into ce_source), was "
                    + (cluster == null ? "null" : "\"" + cluster + "\""));
        }
        producer = Map.copyOf(Objects.requireNonNull(producer, "producer"));
        if (bootstrapServers == null && !producer.containsKey("bootstrap.servers")) {
            throw new IllegalArgumentException("bootstrapServers is not set, neither directly nor as "
                    + PRODUCER_PREFIX + "bootstrap.servers");
        }
        if (closeTimeout == null || closeTimeout.isNegative()) {
            throw new IllegalArgumentException("closeTimeout must be >= 0, was " + closeTimeout);
        }
    }

    /** Defaults for everything but the bootstrap servers. */
    public static KafkaSinkConfig defaults(String bootstrapServers) {
        return new KafkaSinkConfig(Objects.requireNonNull(bootstrapServers, "bootstrapServers"),
                DEFAULT_ALERTS_TOPIC, DEFAULT_INCIDENTS_TOPIC, DEFAULT_CLUSTER, Map.of(), Duration.ZERO);
    }

    public KafkaSinkConfig withTopics(String alerts, String incidents) {
        return new KafkaSinkConfig(bootstrapServers, alerts, incidents, cluster, producer, closeTimeout);
    }

    public KafkaSinkConfig withCluster(String name) {
        return new KafkaSinkConfig(bootstrapServers, alertsTopic, incidentsTopic, name, producer, closeTimeout);
    }

    /** Adds (or replaces) pass-through producer properties. */
    public KafkaSinkConfig withProducer(Map<String, String> properties) {
        Map<String, String> merged = new LinkedHashMap<>(producer);
        merged.putAll(properties);
        return new KafkaSinkConfig(bootstrapServers, alertsTopic, incidentsTopic, cluster, merged, closeTimeout);
    }

    public KafkaSinkConfig withCloseTimeout(Duration timeout) {
        return new KafkaSinkConfig(bootstrapServers, alertsTopic, incidentsTopic, cluster, producer, timeout);
    }

    /** {@code /transitwatch/<cluster>}: the CloudEvents source of everything this daemon publishes. */
    public String ceSource() {
        return "/transitwatch/" + cluster;
    }

    /**
     * The properties the producer is made with: our safe defaults, overridden by the
     * pass-through ones, except the serializers, which the sink needs to be byte arrays.
     *
     * <ul>
     *   <li>{@code acks=all}, {@code enable.idempotence=true}: a broker restart neither loses nor
     *       duplicates an alert the producer already holds.</li>
     *   <li>{@code compression.type=zstd}: alert JSON compresses several-fold.</li>
     *   <li>{@code max.block.ms=1000}: {@code send()} waits at most this long for metadata or buffer
     *       space; only the Kafka sink's own worker thread ever waits, never the join.</li>
     *   <li>{@code linger.ms=5}: small batches without holding alerts back.</li>
     *   <li>{@code metadata.recovery.strategy=none}: when every broker is unreachable, Kafka 4's
     *       default ({@code rebootstrap}) forgets the topic metadata, and then each {@code send()}
     *       waits {@code max.block.ms} for metadata and loses its record. Keeping the metadata lets
     *       the producer buffer through the outage. Advertised listeners are host names, so brokers
     *       that come back on new IPs are still found.</li>
     * </ul>
     */
    public Map<String, Object> producerProperties() {
        Map<String, Object> properties = new LinkedHashMap<>();
        if (bootstrapServers != null) {
            properties.put("bootstrap.servers", bootstrapServers);
        }
        properties.put("client.id", "transitwatch-" + cluster);
        properties.put("acks", "all");
        properties.put("enable.idempotence", "true");
        properties.put("compression.type", "zstd");
        properties.put("max.block.ms", "1000");
        properties.put("linger.ms", "5");
        properties.put("metadata.recovery.strategy", "none");
        properties.putAll(producer);
        properties.put("key.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        properties.put("value.serializer", "org.apache.kafka.common.serialization.ByteArraySerializer");
        return properties;
    }

    /** The {@code kafka.producer.*} entries of a flat configuration map, with the prefix removed. */
    public static Map<String, String> producerOverrides(Map<String, String> flatConfig) {
        Map<String, String> overrides = new LinkedHashMap<>();
        flatConfig.forEach((key, value) -> {
            if (key.startsWith(PRODUCER_PREFIX) && key.length() > PRODUCER_PREFIX.length()) {
                overrides.put(key.substring(PRODUCER_PREFIX.length()), value);
            }
        });
        return overrides;
    }

    private static void requireTopic(String name, String topic) {
        if (topic == null || !TOPIC_NAME.matcher(topic).matches() || topic.equals(".") || topic.equals("..")) {
            throw new IllegalArgumentException(name + " is not a valid Kafka topic name: "
                    + (topic == null ? "null" : "\"" + topic + "\""));
        }
    }
}
