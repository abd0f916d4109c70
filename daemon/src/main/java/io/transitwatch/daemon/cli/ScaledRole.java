package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.config.ConfigError;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.InvalidConfigException;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.http.RoleEndpoint;
import io.transitwatch.daemon.http.RoleView;
import io.transitwatch.daemon.lifecycle.ShutdownSignal;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Called only on the command's main thread, which it blocks until SIGTERM/SIGINT or the role's failure.
 *
 * <p>What {@code collect}, {@code correlate} and {@code incidents} share: the configuration errors
 * printed with exit code 1, the role started (its start failure printed with exit code 1), its HTTP
 * port ({@code /healthz}, {@code /readyz}, {@code /metrics}: {@link RoleEndpoint}; {@code http.port=-1}
 * turns it off), then the wait for the signal, checking once a second whether the role stopped on
 * its own (exit code 1 with the reason), and the close that flushes what the role holds.
 */
final class ScaledRole {
    /** A started role: closes (flushing) on the signal; reports a failure it cannot recover from. */
    interface Running extends AutoCloseable {
        @Override
        void close();

        /** Why the role stopped working on its own, or null while it works. */
        Throwable failure();

        /** What its HTTP port shows. */
        RoleView view();

        static Running of(Runnable close, Supplier<Throwable> failure, RoleView view) {
            return new Running() {
                @Override
                public void close() {
                    close.run();
                }

                @Override
                public Throwable failure() {
                    return failure.get();
                }

                @Override
                public RoleView view() {
                    return view;
                }
            };
        }
    }

    private ScaledRole() {
    }

    /**
     * @param command the command's name, as the messages print it ({@code transitwatch collect})
     * @param stopping what closing does, logged when the signal comes ("flushing the producer")
     */
    static int run(String command, Path config, List<String> sets, Function<Settings, Running> start,
            String stopping, System.Logger log) throws InterruptedException {
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
            Running role;
            try {
                role = start.apply(settings);
            } catch (RuntimeException e) {
                System.err.println(command + ": cannot start: " + reason(e));
                log.log(System.Logger.Level.DEBUG, "start failed", e);
                return 1;
            }
            RoleEndpoint http;
            try {
                http = startHttp(settings, role, command, log);
            } catch (UncheckedIOException e) {
                role.close();
                System.err.println(command + ": cannot start: " + e.getMessage());
                return 1;
            }
            try (role; http) {
                while (!shutdown.awaitFor(1, TimeUnit.SECONDS)) {
                    Throwable failure = role.failure();
                    if (failure != null) {
                        System.err.println(command + ": stopped: " + reason(failure));
                        return 1;
                    }
                }
                log.log(System.Logger.Level.INFO, "stop requested; " + stopping);
            }
            log.log(System.Logger.Level.INFO, "shutdown complete");
        } finally {
            shutdown.closed();
        }
        return 0;
    }

    /** The role's HTTP port, or null with {@code http.port=-1}. */
    private static RoleEndpoint startHttp(Settings settings, Running role, String command, System.Logger log) {
        int port = settings.integer(ConfigKeys.HTTP_PORT);
        if (port < 0) {
            return null;
        }
        InetSocketAddress address = new InetSocketAddress(settings.string(ConfigKeys.HTTP_ADDRESS), port);
        RoleEndpoint http = RoleEndpoint.start(address, role.view(), NamedThreadFactory.daemon("http"));
        log.log(System.Logger.Level.INFO, () -> command + ": /healthz, /readyz and /metrics listening on "
                + address.getHostString() + ":" + http.port());
        return http;
    }

    private static Object reason(Throwable e) {
        return e.getMessage() == null ? e : e.getMessage();
    }
}
