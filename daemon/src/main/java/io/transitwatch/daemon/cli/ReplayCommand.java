package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;

import io.transitwatch.daemon.config.ConfigError;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.InvalidConfigException;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.replay.CaptureInput;
import io.transitwatch.daemon.replay.Replay;
import io.transitwatch.daemon.replay.ReplaySummary;
import io.transitwatch.daemon.replay.SummaryJson;
import io.transitwatch.daemon.replay.SummaryText;
import io.transitwatch.daemon.config.StdoutAlerts;
import io.transitwatch.daemon.lifecycle.SinkAssembly;
import io.transitwatch.sinks.stdout.StdoutSink;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Runs on the command's thread only. {@code transitwatch replay}: wiring only; see {@link Replay}.
 */
@Command(name = "replay", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = {"Replays Hubble captures of one or several nodes through the daemon's join, on event time, "
                + "and prints the incident changes with the first alerts of each and counts of the rest "
                + "(--alerts every: every alert), then a summary per node pair and per node.",
            "Reads `hubble observe -o jsonpb` output, Hubble exporter files and legacy bare-Flow lines, "
                + "gzip-compressed or not. Nodes without a capture are never observed: departures to them are "
                + "UNVERIFIED(NO_OBSERVER), never lost. Alerts go to stdout only."},
        exitCodeListHeading = "Exit codes:%n",
        exitCodeList = {"0:every capture was replayed (malformed lines are reported on stderr, counted and skipped)",
            "1:a capture could not be opened; nothing was replayed",
            "2:wrong usage, or an invalid configuration (every error is printed)"})
public final class ReplayCommand implements Callable<Integer> {
    static final int EXIT_UNREADABLE = 1;
    static final int EXIT_USAGE = 2;

    @Parameters(arity = "1..*", paramLabel = "FILE",
            description = "Captures, one JSON event per line, optionally gzip-compressed; - reads standard input")
    List<String> files = new ArrayList<>();

    @Option(names = "--format", defaultValue = "text",
            description = "json (alert lines, then a transitwatch.replay-summary/v1 object) or text. "
                    + "Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--alerts", paramLabel = "WHICH",
            description = "summary (incident changes, the first alerts of each, then counts per interval) or every "
                    + "(one line per lost tuple). Sets stdout.alerts (default summary)")
    StdoutAlerts alerts;

    @Mixin
    ConfigOptions configuration = new ConfigOptions();

    @Option(names = "--reorder-buffer", paramLabel = "EVENTS", defaultValue = "" + Replay.DEFAULT_REORDER_EVENTS,
            description = "Events held per capture to put it back in time order; an event later than that is "
                    + "replayed late and counted. Default: ${DEFAULT-VALUE}")
    int reorderEvents;

    private final InputStream stdin;
    private final PrintStream stdout;
    private final PrintStream stderr;

    public ReplayCommand() {
        this(System.in, System.out, System.err);
    }

    ReplayCommand(InputStream stdin, PrintStream stdout, PrintStream stderr) {
        this.stdin = stdin;
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public Integer call() {
        boolean json = "json".equalsIgnoreCase(format);
        if (!json && !"text".equalsIgnoreCase(format)) {
            stderr.println("transitwatch replay: --format must be json or text, not '" + format + "'");
            return EXIT_USAGE;
        }
        if (reorderEvents < 1) {
            stderr.println("transitwatch replay: --reorder-buffer must be at least 1, not " + reorderEvents);
            return EXIT_USAGE;
        }
        if (files.stream().filter(CaptureInput.STDIN::equals).count() > 1) {
            stderr.println("transitwatch replay: - (standard input) may be given only once");
            return EXIT_USAGE;
        }
        Settings settings;
        try {
            List<String> all = new ArrayList<>(RunCommand.withAlerts(configuration.sets(), alerts));
            all.add("stdout.format=" + (json ? "json" : "text")); // --format decides, as it always has
            settings = ConfigLoader.load(configuration.file(), all);
        } catch (InvalidConfigException e) {
            e.errors().forEach(error -> stderr.println(error));
            return EXIT_USAGE;
        }
        List<CaptureInput> inputs = files.stream().map(file -> CaptureInput.of(file, stdin)).toList();
        StdoutSink lines = SinkAssembly.stdout(settings, stdout);
        ReplaySummary summary;
        try {
            summary = Replay.run(settings, inputs, reorderEvents, event -> lines.publish(List.of(event)), stderr);
        } catch (IOException e) {
            stderr.println("transitwatch replay: cannot read " + e.getMessage());
            return EXIT_UNREADABLE;
        }
        lines.flush(); // the counts still running, before the summary
        if (json) {
            stdout.println(SummaryJson.encode(summary));
        } else {
            SummaryText.print(summary, stdout);
        }
        stdout.flush();
        return 0;
    }
}
