package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigError;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.InvalidConfigException;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.lifecycle.IncidentStage;
import io.transitwatch.daemon.lifecycle.ShutdownSignal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code transitwatch incidents}: the incident stage of the scaled mode (DESIGN §8). Wiring only; see {@link IncidentStage}. */
@Command(name = "incidents", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Scaled mode, incident stage: the consumer group scale.incident-group on kafka.topic.alerts "
                + "and scale.topic.pair-counts; runs the incident tracker and the sinks (stdout, Slack, and incident "
                + "changes to kafka.topic.incidents) as run does, until SIGINT/SIGTERM. Run exactly one. "
                + "See docs/scaling.md.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM or SIGINT after a clean shutdown",
            "1:the configuration is invalid, or the incident stage could not start (the reason is printed)",
            "2:wrong usage (unknown option)"})
public final class IncidentsCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(IncidentsCommand.class.getName());

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (see docs/configuration.md)")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any configuration key; repeatable; wins over the file and the environment")
    List<String> sets = new ArrayList<>();

    @Override
    @SuppressWarnings("try") // the incident stage runs while the try waits for the signal
    public Integer call() throws InterruptedException {
        Settings settings;
        try {
            settings = ConfigLoader.load(config, sets);
        } catch (InvalidConfigException e) {
            for (ConfigError error : e.errors()) {
                System.err.println(error);
            }
            return 1;
        }
        ShutdownSignal shutdown = ShutdownSignal.install(RunCommand.CLOSE_DEADLINE_SECONDS);
        try {
            IncidentStage stage;
            try {
                stage = IncidentStage.start(settings, Clock.SYSTEM, System.out);
            } catch (RuntimeException e) {
                System.err.println("transitwatch incidents: cannot start: " + (e.getMessage() == null ? e : e.getMessage()));
                LOG.log(System.Logger.Level.DEBUG, "start failed", e);
                return 1;
            }
            try (stage) {
                shutdown.await();
                LOG.log(System.Logger.Level.INFO, "stop requested; flushing the sinks");
            }
            LOG.log(System.Logger.Level.INFO, "shutdown complete");
        } finally {
            shutdown.closed();
        }
        return 0;
    }
}
