package io.transitwatch.daemon.config;

import static io.transitwatch.daemon.config.ConfigFixtures.keysOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.testsupport.RepositoryFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigReferenceTest {
    /** Config examples in the docs start with this comment; other YAML blocks (Kubernetes excerpts) do not. */
    private static final String EXAMPLE_MARK = "# transitwatch.yaml";

    @TempDir
    Path dir;

    @Test
    void shouldPrintDefaultsThatLoadBackAsTheDefaults() throws IOException {
        Path file = Files.writeString(dir.resolve("defaults.yaml"), ConfigReference.yaml());

        assertEquals(ConfigLoader.defaults(), ConfigLoader.load(file, Map.of(), List.of()));
    }

    @Test
    void shouldDocumentEveryKeyInTheDefaults() {
        String yaml = ConfigReference.yaml();
        for (Key<?> key : ConfigKeys.keys()) {
            assertTrue(yaml.contains("\n" + key.name() + ":"), key.name());
            assertTrue(yaml.contains("env " + key.envName() + ")"), key.envName());
        }
        assertTrue(yaml.contains("# " + ConfigKeys.KAFKA_PRODUCER.example() + "\n"));
    }

    @Test
    void shouldHaveOneTableRowPerDeclaration() {
        List<String> rows = ConfigReference.markdownTable().lines().skip(2).toList();

        assertEquals(ConfigKeys.declarations().size(), rows.size());
        assertTrue(rows.contains("| `join.window` | duration > 0 | `5s` | How long a departure waits for its arrival "
                + "at the destination node before it is declared lost (W). |"));
        assertTrue(rows.stream().anyMatch(row -> row.startsWith("| `kafka.producer.*` | string |  |")));
    }

    @Test
    void shouldKeepTheDocsTableEqualToTheDeclarations() throws IOException {
        String document = Files.readString(docs());

        assertEquals(ConfigReference.withCurrentTable(document), document,
                "docs/configuration.md does not match ConfigKeys; regenerate its table with: "
                        + ConfigReference.REGENERATE_COMMAND);
    }

    @Test
    void shouldRefuseADocumentWithoutMarkers() {
        assertThrows(IllegalArgumentException.class, () -> ConfigReference.withCurrentTable("# Configuration\n"));
    }

    @Test
    void shouldKeepTheDocsExamplesValid() throws IOException {
        List<String> examples = configExamples(Files.readString(docs()));
        assertEquals(4, examples.size(), "relay, direct with mTLS, Kafka and Slack, stdout");

        for (String example : examples) {
            Path file = Files.writeString(dir.resolve("example.yaml"), example);
            try {
                ConfigLoader.load(file, Map.of("SLACK_WEBHOOK_URL", "https://hooks.slack.com/x"), List.of());
            } catch (InvalidConfigException e) {
                // The mTLS example names files that exist only in the pod, where the Secret is mounted.
                assertEquals(List.of("hubble.tls.ca-file", "hubble.tls.cert-file", "hubble.tls.key-file"),
                        keysOf(e.errors()), e.getMessage());
                assertFalse(e.getMessage().contains("unknown key"));
            }
        }
    }

    private static List<String> configExamples(String document) {
        List<String> examples = new ArrayList<>();
        StringBuilder block = null;
        for (String line : document.lines().toList()) {
            if (block == null && line.equals("```yaml")) {
                block = new StringBuilder();
            } else if (block != null && line.equals("```")) {
                if (block.toString().startsWith(EXAMPLE_MARK)) {
                    examples.add(block.toString());
                }
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return examples;
    }

    /** docs/ at the repository root; tests run in the daemon module's directory. */
    private static Path docs() {
        return RepositoryFiles.file("docs/configuration.md");
    }
}
