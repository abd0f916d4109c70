package io.transitwatch.bench.e2e;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Immutable. {@code --name value} command-line options, or the {@code name=value} fields of a line
 * the harness processes print to each other; with defaults for what is absent.
 */
public final class Arguments {
    private final Map<String, String> values;

    private Arguments(Map<String, String> values) {
        this.values = values;
    }

    public static Arguments parse(String[] args) {
        Map<String, String> values = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            if (!args[i].startsWith("--") || i + 1 == args.length) {
                throw new IllegalArgumentException("expected --name value, got '" + args[i] + "'");
            }
            values.put(args[i].substring(2), args[++i]);
        }
        return new Arguments(values);
    }

    /** The {@code name=value} words of {@code line}; other words are ignored. */
    public static Arguments fields(String line) {
        Map<String, String> values = new LinkedHashMap<>();
        for (String word : line.trim().split("\\s+")) {
            int equals = word.indexOf('=');
            if (equals > 0) {
                values.put(word.substring(0, equals), word.substring(equals + 1));
            }
        }
        return new Arguments(values);
    }

    public String get(String name, String otherwise) {
        return values.getOrDefault(name, otherwise);
    }

    public int integer(String name, int otherwise) {
        return values.containsKey(name) ? Integer.parseInt(values.get(name)) : otherwise;
    }

    public long longValue(String name, long otherwise) {
        return values.containsKey(name) ? Long.parseLong(values.get(name)) : otherwise;
    }

    public double decimal(String name, double otherwise) {
        return values.containsKey(name) ? Double.parseDouble(values.get(name)) : otherwise;
    }
}
