package io.transitwatch.daemon.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code --config} file. Nesting and dots are the same ({@code join: {window: 5s}} is
 * {@code join.window: 5s}), so the file is flattened to dotted keys, except below a key whose value is
 * itself a map ({@code topology.pod-cidrs}: node names may contain dots).
 */
final class YamlSource {
    // A key written twice is a mistake whichever value was meant: reject it instead of keeping the last.
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory())
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private YamlSource() {}

    static void read(Path file, RawConfig into) {
        String subject = file.toString();
        if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
            into.error(new ConfigError(subject, "cannot be read: no such file, or not readable"));
            return;
        }
        Object document;
        try {
            JsonNode tree = YAML.readTree(file.toFile());
            // An empty file, or one of comments only, configures nothing.
            document = tree == null || tree.isMissingNode() ? null : YAML.treeToValue(tree, Object.class);
        } catch (JsonProcessingException e) {
            String problem = firstLine(e.getOriginalMessage());
            if (problem.startsWith("Duplicate field ")) {
                problem = problem.substring("Duplicate field ".length()) + " is given twice; keep one";
            }
            into.error(new ConfigError(subject, where(e.getLocation()) + problem));
            return;
        } catch (IOException e) {
            into.error(new ConfigError(subject, "cannot be read: " + e.getMessage()));
            return;
        }
        if (document == null) {
            return;
        }
        if (!(document instanceof Map)) {
            into.error(new ConfigError(subject, "must be a map of keys to values, like `join.window: 5s`; "
                    + "found " + (document instanceof List ? "a list" : InvalidValue.quote(document))));
            return;
        }
        Map<String, Object> flat = new LinkedHashMap<>();
        flatten("", (Map<?, ?>) document, flat, subject, into);
        flat.forEach((name, value) -> into.set(name, value, null));
    }

    private static void flatten(String path, Map<?, ?> map, Map<String, Object> flat, String subject, RawConfig into) {
        for (Map.Entry<?, ?> entry : map.entrySet()) {
            String name = path.isEmpty() ? String.valueOf(entry.getKey()) : path + "." + entry.getKey();
            Object value = entry.getValue();
            if (value == null) {
                continue; // `key:` with nothing after it leaves the key at its default
            }
            if (value instanceof Map && isSection(name)) {
                flatten(name, (Map<?, ?>) value, flat, subject, into);
            } else if (flat.containsKey(name)) {
                into.error(new ConfigError(name, "is given twice in " + subject + " (nested and dotted); keep one"));
            } else {
                flat.put(name, value);
            }
        }
    }

    /**
     * Whether a map under this name holds more keys rather than being the key's value. A name that is
     * not a declared key is a section (or a typo, which {@link RawConfig#set} reports with the full name);
     * a declared key is a section only when other keys live below it ({@code sinks.queue-capacity}).
     */
    private static boolean isSection(String name) {
        if (ConfigKeys.byName(name).isEmpty()) {
            return true;
        }
        return ConfigKeys.keys().stream().anyMatch(key -> key.name().startsWith(name + "."));
    }

    private static String where(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? ""
                : "line " + location.getLineNr() + ", column " + location.getColumnNr() + ": ";
    }

    private static String firstLine(String message) {
        String text = String.valueOf(message).strip();
        int newline = text.indexOf('\n');
        return newline < 0 ? text : text.substring(0, newline).strip();
    }
}
