package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;
import io.transitwatch.daemon.config.ConfigError;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.ConfigReference;
import io.transitwatch.daemon.config.InvalidConfigException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code transitwatch config defaults|validate}: the configuration reference, and a check before deploying. */
@Command(
        name = "config",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Prints the configuration reference, or checks a configuration file.",
        subcommands = {ConfigCommand.Defaults.class, ConfigCommand.Validate.class},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:the configuration is valid, or the reference was printed",
            "1:the configuration is invalid; every error was printed, one per line",
            "2:wrong usage (unknown option, missing FILE)"})
public final class ConfigCommand implements Callable<Integer> {
    static final int OK = 0;
    static final int INVALID = 1;
    static final int USAGE = 2;

    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    @Command(
            name = "defaults",
            mixinStandardHelpOptions = true,
            versionProvider = Version.class,
            description = {
                "Prints every key with its default and doc as YAML: a valid configuration file to start from.",
                "With --markdown, prints the reference table of docs/configuration.md instead."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:printed (or FILE updated)", "1:FILE could not be updated", "2:wrong usage"})
    static final class Defaults implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--markdown", description = "Print the Markdown table of every key.")
        private boolean markdown;

        @Option(names = "--into", paramLabel = "FILE",
                description = "With --markdown: replace the generated table in FILE (between its markers) "
                        + "instead of printing it.")
        private Path into;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            if (into != null && !markdown) {
                spec.commandLine().getErr().println("--into needs --markdown");
                return USAGE;
            }
            if (into != null) {
                return updateTable(into);
            }
            out.print(markdown ? ConfigReference.markdownTable() : ConfigReference.yaml());
            out.flush();
            return OK;
        }

        private int updateTable(Path file) {
            try {
                String document = Files.readString(file, StandardCharsets.UTF_8);
                Files.writeString(file, ConfigReference.withCurrentTable(document), StandardCharsets.UTF_8);
            } catch (IOException | IllegalArgumentException e) {
                spec.commandLine().getErr().println(file + ": " + e.getMessage());
                return INVALID;
            }
            spec.commandLine().getOut().println("updated the key table in " + file);
            return OK;
        }
    }

    @Command(
            name = "validate",
            mixinStandardHelpOptions = true,
            versionProvider = Version.class,
            description = {
                "Checks FILE as `transitwatch run --config FILE` would load it, TRANSITWATCH_* environment "
                        + "variables and --set flags included, and checks that the files it names exist.",
                "Prints ok, or every error one per line (key, value as given, and the fix)."},
            exitCodeListHeading = "%nExit codes:%n",
            exitCodeList = {"0:ok", "1:invalid; every error was printed, one per line", "2:wrong usage"})
    static final class Validate implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Parameters(paramLabel = "FILE", description = "The YAML configuration file.")
        private Path file;

        @Option(names = "--set", paramLabel = "KEY=VALUE",
                description = "Overrides a key, as `run --set` does; repeatable.")
        private List<String> assignments = new ArrayList<>();

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            try {
                ConfigLoader.load(file, assignments);
                out.println("ok");
                return OK;
            } catch (InvalidConfigException e) {
                for (ConfigError error : e.errors()) {
                    out.println(error);
                }
                return INVALID;
            } finally {
                out.flush();
            }
        }
    }
}
