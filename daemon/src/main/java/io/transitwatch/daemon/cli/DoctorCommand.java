package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigError;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.InvalidConfigException;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.lifecycle.Daemon;
import java.io.OutputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code transitwatch doctor}: connects to Hubble and Kubernetes like {@code run}, watches for a
 * while and reports, like {@code cilium status}, whether this cluster's losses can be seen. The
 * chart's {@code helm test} runs it. Wiring only; the report is {@link DoctorReport}.
 */
@Command(name = "doctor", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Connects to Hubble and Kubernetes as `run` would, watches for --watch, then reports: Hubble "
                + "streams and their rates, Kubernetes discovery, the calibration and where each value came from, "
                + "placement coverage, clock offsets, which verdicts are possible and why not, missing RBAC.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:nothing blocks detection (warnings may be printed)",
            "1:something blocks detection (each problem is printed), or the daemon could not start",
            "2:wrong usage (unknown option) or an invalid configuration"})
public final class DoctorCommand implements Callable<Integer> {
    @Mixin
    ConfigOptions configuration = new ConfigOptions();

    @Option(names = "--format", paramLabel = "FORMAT", defaultValue = "text",
            description = "text or json (transitwatch.doctor/v1, docs/schemas/transitwatch.doctor.v1.schema.json)")
    String format;

    @Option(names = "--watch", paramLabel = "DURATION", defaultValue = "10s", converter = DurationConverter.class,
            description = "How long to watch the streams before reporting (default 10s)")
    Duration watch;

    private final PrintStream out;

    public DoctorCommand() {
        this(System.out);
    }

    DoctorCommand(PrintStream out) {
        this.out = out;
    }

    @Override
    public Integer call() throws InterruptedException {
        if (!format.equals("text") && !format.equals("json")) {
            System.err.println("transitwatch doctor: --format is text or json, not '" + format + "'");
            return 2;
        }
        List<String> all = new ArrayList<>(configuration.sets());
        // Doctor only looks: no HTTP port taken, no alert sent anywhere.
        all.add("http.port=-1");
        all.add("sinks=stdout");
        Settings settings;
        try {
            settings = ConfigLoader.load(configuration.file(), all);
        } catch (InvalidConfigException e) {
            for (ConfigError error : e.errors()) {
                System.err.println(error);
            }
            return 2;
        }
        Daemon daemon;
        try {
            daemon = Daemon.start(settings, Clock.SYSTEM, new PrintStream(OutputStream.nullOutputStream()));
        } catch (RuntimeException e) {
            System.err.println("transitwatch doctor: cannot start: " + (e.getMessage() == null ? e : e.getMessage()));
            return 1;
        }
        DoctorReport report;
        try (daemon) {
            long started = System.nanoTime();
            Thread.sleep(watch.toMillis()); // the watch itself: how long the streams are observed
            report = DoctorReport.of(daemon, (System.nanoTime() - started) / 1e9);
        }
        out.println(format.equals("json") ? report.json() : report.text());
        out.flush();
        return report.ok() ? 0 : 1;
    }
}
