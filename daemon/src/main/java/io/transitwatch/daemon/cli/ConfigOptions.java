package io.transitwatch.daemon.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/**
 * Not thread-safe: filled by picocli before the command runs, on its thread. The {@code --config} and
 * {@code --set} options of every command that reads the configuration, mixed in ({@code @Mixin}).
 */
final class ConfigOptions {
    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (see docs/configuration.md)")
    private Path file;

    @Option(names = "--set", paramLabel = "KEY=VALUE",
            description = "Any configuration key; repeatable; wins over the file and the environment")
    private List<String> sets = new ArrayList<>();

    /** The YAML file, or null. */
    Path file() {
        return file;
    }

    /** The {@code KEY=VALUE} assignments, in order. */
    List<String> sets() {
        return sets;
    }
}
