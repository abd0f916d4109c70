package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigError;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.InvalidConfigException;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.lifecycle.Collector;
import io.transitwatch.daemon.lifecycle.ShutdownSignal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code transitwatch collect}: one collector of the scaled mode (DESIGN §8). Wiring only; see {@link Collector}. */
@Command(name = "collect", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Scaled mode, collector role: streams from the Hubble servers of this shard's nodes "
                + "(scale.shards, scale.shard-index), decodes and classifies the flows as run does, and writes "
                + "join events and watermark heartbeats to scale.topic.events and observer status to "
                + "scale.topic.observers, until SIGINT/SIGTERM. See docs/event-topic.md.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM or SIGINT after a clean shutdown",
            "1:the configuration is invalid, the collector could not start, or Kafka did not take a record (the reason is printed)",
            "2:wrong usage (unknown option)"})
public final class CollectCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(CollectCommand.class.getName());

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (see docs/configuration.md)")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any configuration key; repeatable; wins over the file and the environment")
    List<String> sets = new ArrayList<>();

    @Override
    @SuppressWarnings("try") // the collector runs while the try waits for the signal
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
            Collector collector;
            try {
                collector = Collector.start(settings, Clock.SYSTEM);
            } catch (RuntimeException e) {
                System.err.println("transitwatch collect: cannot start: " + (e.getMessage() == null ? e : e.getMessage()));
                LOG.log(System.Logger.Level.DEBUG, "start failed", e);
                return 1;
            }
            try (collector) {
                while (!shutdown.awaitFor(1, TimeUnit.SECONDS)) {
                    if (collector.failed()) {
                        System.err.println("transitwatch collect: stopped: a record could not be written to Kafka: "
                                + collector.failure());
                        return 1;
                    }
                }
                LOG.log(System.Logger.Level.INFO, "stop requested; closing the streams and flushing the producer");
            }
            LOG.log(System.Logger.Level.INFO, "shutdown complete");
        } finally {
            shutdown.closed();
        }
        return 0;
    }
}
