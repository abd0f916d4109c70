package io.transitwatch.daemon.config;

/**
 * Stateless. How the values of one kind of key are written, checked and printed back.
 *
 * @param <T> the type {@link Settings} hands out for keys of this kind
 */
interface ValueType<T> {
    /** The type as the reference docs name it, e.g. {@code duration > 0} or {@code int 1..100}. */
    String describe();

    /**
     * Parses a value as YAML gives it (String, Number, Boolean, List or Map) or as an environment
     * variable or flag gives it (String), and checks it against this type's constraints.
     */
    T parse(Object given) throws InvalidValue;

    /** The value in the form YAML would give it to {@link #parse}: text, number, boolean, list or map. */
    Object toPlain(T value);
}
