package io.transitwatch.daemon.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** What to tell an operator who wrote a key that is not declared. */
final class UnknownKeys {
    private UnknownKeys() {}

    /**
     * {@code unknown key; did you mean join.window?}, or for a section written as a value ({@code join: 5s})
     * which keys belong under it.
     */
    static String explain(String name) {
        Optional<Key<?>> firstBelow = ConfigKeys.keys().stream()
                .filter(key -> key.name().startsWith(name + "."))
                .findFirst();
        if (firstBelow.isPresent()) {
            return "is a section, not a key; write the keys under it, like " + firstBelow.get().name();
        }
        return Suggestions.closest(name, candidates(name))
                .map(suggestion -> "unknown key; did you mean " + suggestion + "?")
                .orElse("unknown key; `transitwatch config defaults` lists every key");
    }

    /**
     * Every declared key, and for each pass-through prefix the name as it would read under the prefix
     * ({@code kafka.producr.acks} is compared with {@code kafka.producer.acks}).
     */
    private static List<String> candidates(String name) {
        List<String> candidates = new ArrayList<>();
        ConfigKeys.keys().forEach(key -> candidates.add(key.name()));
        for (PassThrough prefix : ConfigKeys.passThroughs()) {
            int prefixSegments = prefix.name().split("\\.").length;
            String[] segments = name.split("\\.", prefixSegments + 1);
            if (segments.length == prefixSegments + 1) {
                candidates.add(prefix.name() + segments[prefixSegments]);
            }
        }
        return candidates;
    }
}
