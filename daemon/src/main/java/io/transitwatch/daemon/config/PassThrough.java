package io.transitwatch.daemon.config;

import java.util.Locale;

/**
 * Immutable. A prefix under which any key is accepted as text and handed, prefix removed, to a
 * library that validates its own properties (Kafka's producer). The one sanctioned string map.
 *
 * @param name the prefix with its trailing dot, e.g. {@code kafka.producer.}
 * @param example a key and value under the prefix, shown in the reference output
 */
public record PassThrough(String name, String doc, String example) implements Declaration {
    /**
     * {@code TRANSITWATCH_KAFKA_PRODUCER_}: what follows is the property with dots as underscores,
     * in any case. Kafka property names contain only lower-case words and dots, so this is exact.
     */
    @Override
    public String envName() {
        return Key.envName(name);
    }

    /** {@code kafka.producer.sasl.jaas.config} for {@code TRANSITWATCH_KAFKA_PRODUCER_SASL_JAAS_CONFIG}. */
    String keyOfEnv(String variable) {
        return name + variable.substring(envName().length()).toLowerCase(Locale.ROOT).replace('_', '.');
    }
}
