package io.transitwatch.daemon.config;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Mutable, used by one {@link ConfigLoader#load} call. The values the layers give, before they are
 * parsed; a later (higher) layer replaces what an earlier one gave for the same key.
 */
final class RawConfig {
    /**
     * A value as written, and where, for error messages.
     *
     * @param origin the environment variable or {@code --set}; null for the YAML file, which is
     *     obvious from context
     */
    record Given(Object value, String origin) {
        /** Appended to an error about this value: {@code " (from TRANSITWATCH_JOIN_WINDOW)"}. */
        String originSuffix() {
            return origin == null ? "" : " (from " + origin + ")";
        }
    }

    private final Map<String, Given> byKey = new HashMap<>();
    private final Map<String, Given> passThrough = new TreeMap<>();
    private final List<ConfigError> errors = new ArrayList<>();

    /** Records a value for a declared key or a pass-through property; anything else is an error. */
    void set(String name, Object value, String origin) {
        Given given = new Given(value, origin);
        if (ConfigKeys.byName(name).isPresent()) {
            byKey.put(name, given);
            return;
        }
        for (PassThrough prefix : ConfigKeys.passThroughs()) {
            if (name.startsWith(prefix.name()) && name.length() > prefix.name().length()) {
                passThrough.put(name, given);
                return;
            }
        }
        errors.add(new ConfigError(name, UnknownKeys.explain(name) + given.originSuffix()));
    }

    void error(ConfigError error) {
        errors.add(error);
    }

    Optional<Given> given(Key<?> key) {
        return Optional.ofNullable(byKey.get(key.name()));
    }

    /** Pass-through properties by their full name ({@code kafka.producer.linger.ms}). */
    Map<String, Given> passThrough() {
        return passThrough;
    }

    List<ConfigError> errors() {
        return errors;
    }
}
