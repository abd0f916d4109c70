package io.transitwatch.daemon.config;

import java.util.Locale;
import java.util.Optional;

/**
 * Immutable. One configuration key: its dotted name, type, default and doc. Declared only in
 * {@link ConfigKeys}; read through {@link Settings#get(Key)}.
 *
 * @param <T> the type of its value
 */
public final class Key<T> implements Declaration {
    static final String ENV_PREFIX = "TRANSITWATCH_";

    private final String name;
    private final ValueType<T> type;
    private final T defaultValue;
    private final String doc;

    Key(String name, ValueType<T> type, T defaultValue, String doc) {
        this.name = name;
        this.type = type;
        this.defaultValue = defaultValue;
        this.doc = doc;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String doc() {
        return doc;
    }

    /** Empty for optional keys that are unset unless configured. */
    public Optional<T> defaultValue() {
        return Optional.ofNullable(defaultValue);
    }

    /** {@code TRANSITWATCH_JOIN_WINDOW} for {@code join.window}: upper case, dots and dashes as underscores. */
    @Override
    public String envName() {
        return envName(name);
    }

    /** The type as the reference docs name it, e.g. {@code duration > 0}. */
    public String typeName() {
        return type.describe();
    }

    ValueType<T> type() {
        return type;
    }

    static String envName(String dottedName) {
        return ENV_PREFIX + dottedName.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    @Override
    public String toString() {
        return name;
    }
}
