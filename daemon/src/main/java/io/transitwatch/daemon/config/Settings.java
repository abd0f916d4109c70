package io.transitwatch.daemon.config;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Immutable. The daemon's configuration after loading and validation: a typed value for every key
 * of {@link ConfigKeys} (unset optional keys have none), the pass-through properties, and the values of
 * the environment variables that keys name. Built only by {@link ConfigLoader}.
 */
public final class Settings {
    private final Map<String, Object> values;
    private final Map<String, String> passThrough;
    private final Map<String, String> namedEnvironment;

    Settings(Map<String, Object> values, Map<String, String> passThrough, Map<String, String> namedEnvironment) {
        this.values = Collections.unmodifiableMap(new LinkedHashMap<>(values));
        this.passThrough = Collections.unmodifiableMap(new TreeMap<>(passThrough));
        this.namedEnvironment = Collections.unmodifiableMap(new TreeMap<>(namedEnvironment));
    }

    /** The value of a key; for an optional key that is unset, use {@link #find(Key)}. */
    public <T> T get(Key<T> key) {
        return find(key).orElseThrow(() -> new IllegalStateException(key.name() + " is not set; use find()"));
    }

    /** The value of a key, empty for an optional key that is unset. */
    public <T> Optional<T> find(Key<T> key) {
        @SuppressWarnings("unchecked") // values holds what key.type() parsed, a T
        T value = (T) values.get(key.name());
        return Optional.ofNullable(value);
    }

    public Duration duration(Key<Duration> key) {
        return get(key);
    }

    public int integer(Key<Integer> key) {
        return get(key);
    }

    public boolean bool(Key<Boolean> key) {
        return get(key);
    }

    public String string(Key<String> key) {
        return get(key);
    }

    /** Every property given under the prefix, prefix removed: {@code compression.type -> zstd}. */
    public Map<String, String> passThrough(PassThrough prefix) {
        Map<String, String> properties = new TreeMap<>();
        passThrough.forEach((name, value) -> {
            if (name.startsWith(prefix.name())) {
                properties.put(name.substring(prefix.name().length()), value);
            }
        });
        return Collections.unmodifiableMap(properties);
    }

    /**
     * The value of the environment variable a key names (e.g. {@code slack.webhook-url-env}), as it was
     * when the configuration was loaded; empty when the key is unset or the variable is not.
     */
    public Optional<String> environmentVariableNamedBy(Key<String> key) {
        return find(key).map(namedEnvironment::get);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Settings
                && values.equals(((Settings) other).values)
                && passThrough.equals(((Settings) other).passThrough)
                && namedEnvironment.equals(((Settings) other).namedEnvironment);
    }

    @Override
    public int hashCode() {
        return Objects.hash(values, passThrough, namedEnvironment);
    }

    /** Keys and values, one per line; pass-through values and environment values are left out (secrets). */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Key<?> key : ConfigKeys.keys()) {
            appendLine(text, key);
        }
        passThrough.keySet().forEach(name -> text.append(name).append(": (set)\n"));
        return text.toString();
    }

    private <T> void appendLine(StringBuilder text, Key<T> key) {
        text.append(key.name()).append(": ");
        text.append(find(key).map(value -> String.valueOf(key.type().toPlain(value))).orElse("(not set)"));
        text.append('\n');
    }
}
