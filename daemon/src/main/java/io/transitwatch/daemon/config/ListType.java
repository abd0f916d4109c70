package io.transitwatch.daemon.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A list: a YAML sequence, or comma-separated text (the only way an environment variable or a
 * {@code --set} flag can write one). Every bad element is reported, not just the first.
 *
 * @param <E> element type
 */
final class ListType<E> implements ValueType<List<E>> {
    private final ValueType<E> element;
    private final boolean emptyAllowed;

    private ListType(ValueType<E> element, boolean emptyAllowed) {
        this.element = element;
        this.emptyAllowed = emptyAllowed;
    }

    static <E> ListType<E> of(ValueType<E> element) {
        return new ListType<>(element, true);
    }

    /** For lists the daemon cannot work without, e.g. the packet kinds to join. */
    static <E> ListType<E> nonEmpty(ValueType<E> element) {
        return new ListType<>(element, false);
    }

    @Override
    public String describe() {
        String elements = element.describe();
        return elements.startsWith("one of ") ? "list from " + elements.substring("one of ".length())
                : "list of " + elements;
    }

    @Override
    public List<E> parse(Object given) throws InvalidValue {
        if (given instanceof Map) {
            throw InvalidValue.of(given, "is a map, not a list; write it like [a, b] or a, b");
        }
        List<E> values = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        for (Object item : items(given)) {
            try {
                values.add(element.parse(item));
            } catch (InvalidValue e) {
                problems.addAll(e.problems());
            }
        }
        if (!problems.isEmpty()) {
            throw new InvalidValue(problems);
        }
        if (values.isEmpty() && !emptyAllowed) {
            throw InvalidValue.of(given, "must not be empty; list at least one " + element.describe());
        }
        return List.copyOf(values);
    }

    @Override
    public Object toPlain(List<E> value) {
        List<Object> plain = new ArrayList<>();
        for (E item : value) {
            plain.add(element.toPlain(item));
        }
        return plain;
    }

    private static List<?> items(Object given) {
        if (given instanceof List) {
            return (List<?>) given;
        }
        List<String> items = new ArrayList<>();
        for (String piece : String.valueOf(given).split(",")) {
            if (!piece.isBlank()) {
                items.add(piece.trim());
            }
        }
        return items;
    }
}
