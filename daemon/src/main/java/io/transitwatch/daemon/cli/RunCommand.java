package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigError;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.InvalidConfigException;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.config.StdoutAlerts;
import io.transitwatch.daemon.lifecycle.Daemon;
import io.transitwatch.daemon.lifecycle.ShutdownSignal;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code transitwatch run}: the daemon against a real cluster. Wiring only; see {@link Daemon}. */
@Command(name = "run", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Runs the daemon: subscribes to Hubble, joins departures with arrivals, sends alerts "
                + "to the configured sinks, until SIGINT/SIGTERM; then closes in order (the sinks get "
                + "sinks.shutdown-deadline to deliver what they hold) and prints \"shutdown complete\".",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM or SIGINT (Ctrl-C) after a clean shutdown",
            "1:the configuration is invalid (every error is printed, one per line), or the daemon could "
                    + "not start (e.g. http.port in use; the reason is printed)",
            "2:wrong usage (unknown option)",
            "130/143:a second SIGINT/SIGTERM during the shutdown, or the shutdown took more than "
                    + RunCommand.CLOSE_DEADLINE_SECONDS + " s"})
public final class RunCommand implements Callable<Integer> {
    static final int CLOSE_DEADLINE_SECONDS = 30;
    private static final System.Logger LOG = System.getLogger(RunCommand.class.getName());

    @Mixin
    ConfigOptions configuration = new ConfigOptions();

    @Option(names = "--alerts", paramLabel = "WHICH",
            description = "What stdout prints: summary (incidents, the first alerts of each, then counts per "
                    + "interval) or every (one line per lost tuple). Sets stdout.alerts (default summary); "
                    + "Kafka always gets every alert")
    StdoutAlerts alerts;

    @Override
    @SuppressWarnings("try") // the daemon runs while the try waits for the signal; the try is there to close it
    public Integer call() throws InterruptedException {
        Settings settings;
        try {
            settings = ConfigLoader.load(configuration.file(), withAlerts(configuration.sets(), alerts));
        } catch (InvalidConfigException e) {
            for (ConfigError error : e.errors()) {
                System.err.println(error);
            }
            return 1;
        }
        ShutdownSignal shutdown = ShutdownSignal.install(CLOSE_DEADLINE_SECONDS);
        try {
            Daemon daemon;
            try {
                daemon = Daemon.start(settings, Clock.SYSTEM, System.out);
            } catch (RuntimeException e) {
                System.err.println("transitwatch run: cannot start: " + (e.getMessage() == null ? e : e.getMessage()));
                LOG.log(System.Logger.Level.DEBUG, "start failed", e);
                return 1;
            }
            try (daemon) {
                shutdown.await();
                LOG.log(System.Logger.Level.INFO, "stop requested; closing the streams, the join and the sinks");
            }
            LOG.log(System.Logger.Level.INFO, "shutdown complete");
        } finally {
            shutdown.closed();
        }
        return 0;
    }

    /** {@code sets} with {@code stdout.alerts} first when {@code --alerts} was given, so that a {@code --set} still wins. */
    static List<String> withAlerts(List<String> sets, StdoutAlerts alerts) {
        if (alerts == null) {
            return sets;
        }
        List<String> all = new ArrayList<>();
        all.add("stdout.alerts=" + alerts.name().toLowerCase(java.util.Locale.ROOT));
        all.addAll(sets);
        return all;
    }
}
