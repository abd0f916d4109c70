package io.transitwatch.daemon.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** Writing small YAML files and loading them without the process environment. */
final class ConfigFixtures {
    private ConfigFixtures() {}

    static Path yaml(Path dir, String... lines) {
        try {
            Path file = Files.createTempFile(dir, "transitwatch", ".yaml");
            Files.writeString(file, String.join("\n", lines) + "\n");
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Settings load(Path file, String... assignments) {
        return ConfigLoader.load(file, Map.of(), List.of(assignments));
    }

    static List<ConfigError> errors(Path file, Map<String, String> environment, String... assignments) {
        return assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(file, environment, List.of(assignments))).errors();
    }

    static List<ConfigError> errors(Path file, String... assignments) {
        return errors(file, Map.of(), assignments);
    }

    static List<String> keysOf(List<ConfigError> errors) {
        return errors.stream().map(ConfigError::key).toList();
    }
}
