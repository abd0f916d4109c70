package io.transitwatch.daemon.config;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * One of a fixed set of names. Case and {@code -}/{@code _} do not matter ({@code to-network} as the
 * hubble CLI prints it is {@code TO_NETWORK} as the proto spells it); the value is the canonical
 * spelling, or the enum constant.
 *
 * @param <T> {@code String} for name lists, or an enum
 */
final class ChoiceType<T> implements ValueType<T> {
    /** Past this many choices the docs name the set instead of listing it. */
    private static final int LISTED_IN_DOCS = 6;

    private final Map<String, T> bySpelling;
    private final Map<String, T> aliases;
    private final String setName;

    private ChoiceType(Map<String, T> bySpelling, Map<String, T> aliases, String setName) {
        this.bySpelling = Collections.unmodifiableMap(bySpelling);
        this.aliases = Collections.unmodifiableMap(aliases);
        this.setName = setName;
    }

    /**
     * Also accepts {@code alias} for {@code value} (an older or other tool's spelling); the docs and
     * {@link #toPlain} keep the canonical one.
     */
    ChoiceType<T> withAlias(String alias, T value) {
        Map<String, T> more = new LinkedHashMap<>(aliases);
        more.put(alias, value);
        return new ChoiceType<>(new LinkedHashMap<>(bySpelling), more, setName);
    }

    /** An enum, spelled in lower case with dashes: {@code HubbleMode.RELAY} is {@code relay}. */
    static <E extends Enum<E>> ChoiceType<E> ofEnum(Class<E> type) {
        Map<String, E> bySpelling = new LinkedHashMap<>();
        for (E constant : type.getEnumConstants()) {
            bySpelling.put(constant.name().toLowerCase(Locale.ROOT).replace('_', '-'), constant);
        }
        return new ChoiceType<>(bySpelling, Map.of(), type.getSimpleName());
    }

    /** Names spelled exactly as given; {@code setName} stands for them in the docs when there are many. */
    static ChoiceType<String> ofNames(List<String> names, String setName) {
        Map<String, String> bySpelling = new LinkedHashMap<>();
        for (String name : names) {
            bySpelling.put(name, name);
        }
        return new ChoiceType<>(bySpelling, Map.of(), setName);
    }

    @Override
    public String describe() {
        String described = bySpelling.size() <= LISTED_IN_DOCS ? "one of " + String.join(", ", bySpelling.keySet())
                : setName;
        StringBuilder also = new StringBuilder();
        aliases.forEach((alias, value) -> also.append(also.length() == 0 ? " (" : ", ").append(alias)
                .append(" is read as ").append(toPlain(value)));
        return also.length() == 0 ? described : described + also + ")";
    }

    @Override
    public T parse(Object given) throws InvalidValue {
        String choices = String.join(", ", bySpelling.keySet());
        String text = InvalidValue.scalarText(given, "a single name", "write one of " + choices);
        String folded = fold(text);
        for (Map.Entry<String, T> choice : bySpelling.entrySet()) {
            if (fold(choice.getKey()).equals(folded)) {
                return choice.getValue();
            }
        }
        for (Map.Entry<String, T> alias : aliases.entrySet()) {
            if (fold(alias.getKey()).equals(folded)) {
                return alias.getValue();
            }
        }
        Optional<String> suggestion = Suggestions.closest(text, new ArrayList<>(bySpelling.keySet()));
        throw InvalidValue.of(given, "is not one of " + choices
                + suggestion.map(name -> "; did you mean " + name + "?").orElse(""));
    }

    @Override
    public Object toPlain(T value) {
        for (Map.Entry<String, T> choice : bySpelling.entrySet()) {
            if (choice.getValue().equals(value)) {
                return choice.getKey();
            }
        }
        throw new IllegalArgumentException(value + " is not a choice of " + setName);
    }

    private static String fold(String name) {
        return name.toUpperCase(Locale.ROOT).replace('_', '-');
    }
}
