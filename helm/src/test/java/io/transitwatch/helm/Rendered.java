package io.transitwatch.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Predicate;

/** The documents of one {@code helm template} output, with the lookups the tests need. */
final class Rendered {
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    final String text;
    final List<JsonNode> documents;

    private Rendered(String text, List<JsonNode> documents) {
        this.text = text;
        this.documents = documents;
    }

    static Rendered parse(String text) throws IOException {
        List<JsonNode> documents = new ArrayList<>();
        try (YAMLParser parser = new YAMLFactory().createParser(text)) {
            for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
                JsonNode document = it.next();
                if (document != null && !document.isNull() && !document.isMissingNode()) {
                    documents.add(document);
                }
            }
        }
        return new Rendered(text, documents);
    }

    List<JsonNode> all(String kind) {
        return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
    }

    Optional<JsonNode> find(String kind) {
        List<JsonNode> found = all(kind);
        if (found.size() > 1) {
            fail("more than one " + kind + " rendered");
        }
        return found.stream().findFirst();
    }

    JsonNode named(String kind, String name) {
        return all(kind).stream().filter(d -> name.equals(d.path("metadata").path("name").asText())).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " named " + name + " rendered"));
    }

    JsonNode one(String kind) {
        return find(kind).orElseThrow(() -> new AssertionError("no " + kind + " rendered"));
    }

    JsonNode deployment() {
        return one("Deployment");
    }

    JsonNode pod() {
        return deployment().path("spec").path("template");
    }

    JsonNode container() {
        JsonNode containers = pod().path("spec").path("containers");
        assertEquals(1, containers.size(), "containers of the Deployment");
        return containers.get(0);
    }

    String configYaml() {
        // The daemon's ConfigMap; the Grafana dashboard's (grafanaDashboard.enabled) has no config.yaml.
        List<JsonNode> withConfig = all("ConfigMap").stream().filter(c -> c.path("data").has("config.yaml")).toList();
        assertEquals(1, withConfig.size(), "ConfigMaps with a config.yaml");
        JsonNode data = withConfig.get(0).path("data").path("config.yaml");
        if (!data.isTextual()) {
            fail("the ConfigMap has no config.yaml");
        }
        return data.asText();
    }

    /** config.yaml parsed, flattened to the daemon's dotted keys (as its YamlSource reads it, roughly). */
    Map<String, JsonNode> configKeys() throws IOException {
        Map<String, JsonNode> flat = new TreeMap<>();
        flatten("", YAML.readTree(configYaml()), flat);
        return flat;
    }

    private static void flatten(String prefix, JsonNode node, Map<String, JsonNode> into) {
        if (node.isObject() && !prefix.equals("topology.pod-cidrs")) {
            node.fields().forEachRemaining(e -> flatten(prefix.isEmpty() ? e.getKey() : prefix + "." + e.getKey(),
                    e.getValue(), into));
        } else {
            into.put(prefix, node);
        }
    }

    JsonNode volume(String name) {
        return find(pod().path("spec").path("volumes"), v -> name.equals(v.path("name").asText()))
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    Optional<JsonNode> mount(String name) {
        return find(container().path("volumeMounts"), m -> name.equals(m.path("name").asText()));
    }

    Optional<JsonNode> env(String name) {
        return find(container().path("env"), e -> name.equals(e.path("name").asText()));
    }

    String annotation(String name) {
        return pod().path("metadata").path("annotations").path(name).asText(null);
    }

    static Optional<JsonNode> find(JsonNode array, Predicate<JsonNode> test) {
        for (JsonNode element : array) {
            if (test.test(element)) {
                return Optional.of(element);
            }
        }
        return Optional.empty();
    }

    static ObjectNode object(JsonNode node) {
        return (ObjectNode) node;
    }
}
