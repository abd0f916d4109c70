package io.transitwatch.helm;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the daemon would find in the pod the chart renders, laid out under a temporary directory: the
 * files each Secret volume projects (the chart always lists a Secret's {@code items}, so their names
 * are known; the contents are placeholders, since the configuration check only needs them readable),
 * the ConfigMap's config.yaml, and the container's environment (secretKeyRef values as placeholders,
 * {@code $(VAR)} expanded as the kubelet does).
 *
 * <p>The configuration names files by their absolute paths in the container; the copy written here
 * has every path under a Secret mount moved under the temporary root, and nothing else changed. A path
 * outside every mount stays as it is, does not exist, and so fails the check: the test catches a
 * configuration that names a file the chart does not mount.
 */
final class SimulatedPod {
    private static final Pattern VARIABLE_REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_]*)\\)");

    final Path root;
    final Path configFile;
    final Map<String, String> environment = new LinkedHashMap<>();
    final List<String> secretMountPaths = new ArrayList<>();

    private SimulatedPod(Path root, Path configFile) {
        this.root = root;
        this.configFile = configFile;
    }

    static SimulatedPod of(Rendered rendered, Path root) throws IOException {
        JsonNode container = rendered.container();
        assertEquals("run", container.path("args").path(0).asText(), "the container runs `transitwatch run`");
        return of(container, rendered::volume, rendered.configYaml(), root);
    }

    /**
     * The pod of any workload: its container, its volumes by name, and the config.yaml of the ConfigMap
     * its {@code --config} argument names (mode scaled has one per role).
     */
    static SimulatedPod of(JsonNode container, Function<String, JsonNode> volumes, String configYaml, Path root)
            throws IOException {
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        String configPath = args.get(args.indexOf("--config") + 1);

        String config = configYaml;
        Path inContainer = null;
        List<String> secretMounts = new ArrayList<>();
        for (JsonNode mount : container.path("volumeMounts")) {
            String mountPath = mount.path("mountPath").asText();
            JsonNode volume = volumes.apply(mount.path("name").asText());
            Path dir = under(root, mountPath);
            Files.createDirectories(dir);
            if (volume.has("secret")) {
                assertTrue(mount.path("readOnly").asBoolean(), "Secret mount " + mountPath + " must be readOnly");
                JsonNode items = volume.path("secret").path("items");
                assertFalse(items.isEmpty(), "Secret volume " + volume.path("name").asText()
                        + " must list its items, so that the file names the configuration uses are fixed");
                for (JsonNode item : items) {
                    Files.writeString(dir.resolve(item.path("path").asText()),
                            "placeholder for key " + item.path("key").asText() + " of Secret "
                                    + volume.path("secret").path("secretName").asText() + "\n");
                }
                secretMounts.add(mountPath);
            } else if (volume.has("configMap") && configPath.startsWith(mountPath + "/")) {
                inContainer = dir.resolve(configPath.substring(mountPath.length() + 1));
            }
        }
        if (inContainer == null) {
            fail(configPath + " (the --config argument) is not under a mount of the ConfigMap");
        }
        for (String mountPath : secretMounts) {
            config = config.replace(mountPath + "/", root + mountPath + "/");
        }
        Files.writeString(inContainer, config);
        SimulatedPod pod = new SimulatedPod(root, inContainer);
        pod.secretMountPaths.addAll(secretMounts);

        for (JsonNode variable : container.path("env")) {
            String name = variable.path("name").asText();
            if (variable.has("value")) {
                pod.environment.put(name, expand(variable.path("value").asText(), pod.environment));
            } else if (variable.path("valueFrom").has("secretKeyRef")) {
                JsonNode ref = variable.path("valueFrom").path("secretKeyRef");
                pod.environment.put(name, placeholder(ref.path("name").asText(), ref.path("key").asText()));
            } else {
                fail("env " + name + ": neither a value nor a secretKeyRef");
            }
        }
        return pod;
    }

    private static Path under(Path root, String absolute) {
        assertTrue(absolute.startsWith("/"), "mountPath " + absolute + " must be absolute");
        return Path.of(root.toString(), absolute);
    }

    /** Kubernetes' dependent variables: $(NAME) of a variable defined earlier in the list. */
    private static String expand(String value, Map<String, String> earlier) {
        Matcher m = VARIABLE_REFERENCE.matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String replacement = earlier.get(m.group(1));
            if (replacement == null) {
                fail("$(" + m.group(1) + ") refers to a variable not defined before it");
            }
            m.appendReplacement(out, Matcher.quoteReplacement(replacement));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String placeholder(String secret, String key) {
        if (key.contains("jaas")) {
            return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"from-" + secret
                    + "\" password=\"secret\";";
        }
        return "placeholder-" + secret + "-" + key.replace('.', '-');
    }
}
