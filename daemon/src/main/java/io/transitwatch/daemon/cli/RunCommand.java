package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigError;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.InvalidConfigException;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.lifecycle.Daemon;
import io.transitwatch.daemon.lifecycle.ShutdownSignal;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code transitwatch run}: the daemon against a real cluster. Wiring only; see {@link Daemon}. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Runs the daemon: subscribes to Hubble, joins departures with arrivals, sends alerts "
                + "to the configured sinks, until SIGINT/SIGTERM.",
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:stopped by a signal", "1:the configuration is invalid (every error is printed)",
                "2:wrong usage"})
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE", description = "YAML configuration (see docs/configuration.md)")
    Path config;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any configuration key; repeatable; wins over the file and the environment")
    List<String> sets = new ArrayList<>();

    @Override
    @SuppressWarnings("try") // the daemon runs while the try waits for the signal; the try is there to close it
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
        ShutdownSignal shutdown = ShutdownSignal.install(30);
        try (Daemon daemon = Daemon.start(settings, Clock.SYSTEM, System.out)) {
            shutdown.await();
        } finally {
            shutdown.closed();
        }
        return 0;
    }
}
