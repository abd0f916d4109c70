package io.transitwatch.daemon.config;

import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A value its type rejects. Each problem reads as the value as given, then the fix
 * ({@code "5x" is not a duration; write it like 5s, 250ms or 2m}); a list reports every bad element.
 * A checked exception on purpose: every parse site must turn it into a {@link ConfigError}.
 */
final class InvalidValue extends Exception {
    private static final long serialVersionUID = 1L;

    private final transient List<String> problems;

    InvalidValue(List<String> problems) {
        super(String.join("; ", problems), null, false, false);
        this.problems = List.copyOf(problems);
    }

    List<String> problems() {
        return problems;
    }

    /** {@code given} quoted as the operator wrote it, followed by what is wrong and how to fix it. */
    static InvalidValue of(Object given, String problemAndFix) {
        return new InvalidValue(List.of(quote(given) + " " + problemAndFix));
    }

    /**
     * The text of a scalar (YAML gives strings, numbers and booleans; env and flags give strings).
     * A list or a map where a single value belongs is a type error, not an exception.
     */
    static String scalarText(Object given, String expected, String fix) throws InvalidValue {
        if (given instanceof List || given instanceof Map) {
            String shape = given instanceof List ? "a list" : "a map";
            throw of(given, "is " + shape + ", not " + expected + "; " + fix);
        }
        return String.valueOf(given).trim();
    }

    /** Strings in double quotes, so that an empty or padded value is visible; numbers and booleans bare. */
    static String quote(Object given) {
        if (given instanceof String) {
            return '"' + ((String) given).replace("\\", "\\\\").replace("\"", "\\\"") + '"';
        }
        if (given instanceof List) {
            return ((List<?>) given).stream().map(InvalidValue::quote).collect(Collectors.joining(", ", "[", "]"));
        }
        if (given instanceof Map) {
            return ((Map<?, ?>) given).entrySet().stream()
                    .map(entry -> entry.getKey() + ": " + quote(entry.getValue()))
                    .collect(Collectors.joining(", ", "{", "}"));
        }
        return String.valueOf(given);
    }
}
