package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigError;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.InvalidConfigException;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.config.SinkKind;
import io.transitwatch.daemon.config.StdoutAlerts;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.lifecycle.ShutdownSignal;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.daemon.sim.ScenarioPresets;
import io.transitwatch.daemon.sim.SimMode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code transitwatch demo}: wiring only; see {@link Demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Starts a simulated 6-node Cilium cluster (IPv6 solwk03 -> solwk02 blackholed after "
                + "to-network, all else healthy) and the real daemon against it, prints incident changes "
                + "with the first alerts of each and counts of the rest (--alerts every: every alert), and "
                + "serves the web page and /metrics on --http-address:--http-port.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by Ctrl-C or SIGTERM, or --duration passed, after a clean shutdown",
            "2:wrong usage, said in one line: an unknown option or --scenario, --sink slack without a "
                    + "webhook, --sink kafka without --kafka-bootstrap, an invalid --set, or the HTTP port "
                    + "is in use",
            "130/143:a second Ctrl-C or SIGTERM during the shutdown"})
public final class DemoCommand implements Callable<Integer> {
    static final int USAGE = 2;
    private static final int CLOSE_DEADLINE_SECONDS = 20;
    private static final String PREFIX = "transitwatch demo: ";

    private final PrintStream stdout;
    private final PrintStream stderr;

    @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "D",
            description = "Stop after D (e.g. 30s, 5m); default: run until interrupted")
    Duration duration;

    @Option(names = "--format", defaultValue = "text", description = "json or text. Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--alerts", defaultValue = "summary", paramLabel = "WHICH",
            description = "summary (incidents, the first alerts of each, then counts every 10 s) or every "
                    + "(one line per lost tuple); sets stdout.alerts. Default: ${DEFAULT-VALUE}")
    StdoutAlerts alerts;

    @Option(names = "--mode", defaultValue = "relay", converter = SimulateCommand.ModeConverter.class,
            description = "relay (one Relay stream) or direct (Peer discovery, one mTLS stream per node; "
                    + "nodes is accepted too), as hubble.mode. Default: ${DEFAULT-VALUE}")
    SimMode mode;

    @Option(names = "--scenario", defaultValue = "seed", paramLabel = "NAME",
            description = "Simulator scenario: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}",
            completionCandidates = SimulateCommand.PresetNames.class)
    String scenario;

    @Option(names = "--sink", paramLabel = "NAME",
            description = "stdout (default), kafka (needs --kafka-bootstrap) or slack (needs "
                    + "--set slack.webhook-url-file=FILE); repeatable")
    List<String> sinks = new ArrayList<>();

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka brokers for --sink kafka (sets kafka.bootstrap-servers)")
    String kafkaBootstrap;

    @Option(names = "--http-address", defaultValue = "127.0.0.1", paramLabel = "ADDRESS",
            description = "Address of the web page, /metrics and the probes; 0.0.0.0 serves every interface. "
                    + "Default: ${DEFAULT-VALUE}")
    String httpAddress;

    @Option(names = "--http-port", defaultValue = "8080", paramLabel = "PORT",
            description = "Port of the web page, /metrics and the probes; 0 picks a free one, -1 turns HTTP off. "
                    + "Default: ${DEFAULT-VALUE}")
    int httpPort;

    @Mixin
    ClusterSize size = new ClusterSize();

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any configuration key; repeatable")
    List<String> sets = new ArrayList<>();

    public DemoCommand() {
        this(System.out, System.err);
    }

    /** @param stdout where the stdout sink prints; {@code stderr} gets the demo's own lines */
    DemoCommand(PrintStream stdout, PrintStream stderr) {
        this.stdout = stdout;
        this.stderr = stderr;
    }

    @Override
    public Integer call() throws Exception {
        if (!ScenarioPresets.names().contains(scenario)) {
            return usage("unknown --scenario '" + scenario + "'; choose one of: "
                    + String.join(", ", ScenarioPresets.names()));
        }
        String sizeProblem = size.problem();
        if (sizeProblem != null) {
            return usage(sizeProblem);
        }
        List<String> overrides = overrides();
        Settings settings;
        try {
            settings = Demo.check(overrides);
        } catch (InvalidConfigException e) {
            for (ConfigError error : e.errors()) {
                stderr.println(PREFIX + explain(error));
            }
            return USAGE;
        }
        String address = settings.string(ConfigKeys.HTTP_ADDRESS);
        int port = settings.integer(ConfigKeys.HTTP_PORT);
        IOException unavailable = bindProblem(address, port);
        if (unavailable != null) {
            return usage(portProblem(address, port, unavailable));
        }
        Path tlsDir = Files.createTempDirectory("transitwatch-demo-tls");
        ShutdownSignal shutdown = ShutdownSignal.install(CLOSE_DEADLINE_SECONDS);
        try {
            Demo demo;
            try {
                demo = Demo.start(SimulatorConfig.builder().mode(mode).scenario(size.apply(Scenario.preset(scenario)))
                        .clock(Clock.SYSTEM).scaledTo(size.nodes), overrides, tlsDir, stdout);
            } catch (UncheckedIOException e) {
                if (e.getCause() instanceof BindException) {  // taken between the check and the start
                    return usage(portProblem(address, port, e.getCause()));
                }
                throw e;
            }
            try (demo) {
                stderr.printf("%sscenario %s, %s mode; %s%s%n", PREFIX, scenario, SimulateCommand.ModeConverter.spelling(mode),
                        destinations(demo.daemon().settings()),
                        duration == null ? ", Ctrl-C to stop" : ", for " + duration);
                if (demo.daemon().url() != null) {
                    stderr.printf("%sweb page %s (listening on %s; also /metrics, /healthz, /readyz, /api/...)%n",
                            PREFIX, demo.daemon().url(), demo.daemon().httpListenAddress());
                }
                if (duration == null) {
                    shutdown.await();
                } else {
                    shutdown.awaitFor(duration.toMillis(), TimeUnit.MILLISECONDS);
                }
                demo.daemon().close();
                printSummary(demo);
            }
        } finally {
            shutdown.closed();
        }
        return 0;
    }

    List<String> overrides() {
        List<String> overrides = new ArrayList<>();
        overrides.add("stdout.format=" + format);
        overrides.add("stdout.alerts=" + alerts.name().toLowerCase(java.util.Locale.ROOT));
        overrides.add("sinks=" + (sinks.isEmpty() ? "stdout" : String.join(",", sinks)));
        overrides.add("http.address=" + httpAddress);
        overrides.add("http.port=" + httpPort);
        if (kafkaBootstrap != null) {
            overrides.add("kafka.bootstrap-servers=" + kafkaBootstrap);
        }
        overrides.addAll(sets);
        return overrides;
    }

    private int usage(String problem) {
        stderr.println(PREFIX + problem);
        return USAGE;
    }

    /** A configuration error in the demo's own terms where it has an option for the key. */
    static String explain(ConfigError error) {
        boolean notSet = error.message().startsWith("is not set");
        if (notSet && error.key().equals(ConfigKeys.SLACK_WEBHOOK_URL_FILE.name())) {
            return "--sink slack needs the Slack webhook URL: add --set slack.webhook-url-file=FILE, "
                    + "FILE holding the incoming-webhook URL";
        }
        if (notSet && error.key().equals(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS.name())) {
            return "--sink kafka needs the brokers: add --kafka-bootstrap HOST:PORT "
                    + "(tools/kafka-broker start runs one on 127.0.0.1:19092)";
        }
        return error.toString();
    }

    /** Where alerts go, e.g. {@code alerts on stdout}, {@code alerts to Kafka at 127.0.0.1:19092}. */
    static String destinations(Settings settings) {
        List<String> parts = new ArrayList<>();
        for (SinkKind kind : settings.get(ConfigKeys.SINKS)) {
            parts.add(switch (kind) {
                case STDOUT -> "alerts on stdout";
                case KAFKA -> "alerts to Kafka at " + String.join(",", settings.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS));
                case SLACK -> "incidents to Slack";
            });
        }
        return String.join(", ", parts);
    }

    /** Null when {@code address:port} can be listened on now (or HTTP is off or on any port), else why not. */
    static IOException bindProblem(String address, int port) {
        if (port <= 0) {
            return null;
        }
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(address, port));
            return null;
        } catch (IOException e) {
            return e;
        }
    }

    static String portProblem(String address, int port, Throwable cause) {
        String reason = cause.getMessage() == null ? cause.toString() : cause.getMessage();
        if (cause instanceof BindException && reason.contains("in use")) {
            return "port " + port + " on " + address + " is already in use; choose another with --http-port PORT "
                    + "(0 picks a free one, -1 turns HTTP off)";
        }
        return "cannot listen on " + address + ":" + port + " (" + reason + "); choose another --http-address, "
                + "or another port with --http-port PORT (0 picks a free one, -1 turns HTTP off)";
    }

    private void printSummary(Demo demo) {
        JoinCounters counters = demo.daemon().counters();
        stderr.printf("%s%d flows, %d departures joined: %d matched, %d lost in transit, %d unverified%n", PREFIX,
                counters.get(JoinCounters.Global.FLOWS), counters.get(JoinCounters.Global.DEPARTURES),
                counters.get(JoinCounters.Global.MATCHED), counters.get(JoinCounters.Global.LOST),
                counters.get(JoinCounters.Global.UNVERIFIED));
        for (int pair = 0; pair < counters.pairCount(); pair++) {
            long lost = counters.pair(pair, JoinCounters.PerPair.LOST);
            if (lost > 0 && counters.pairInUse(pair)) {
                stderr.printf("  %s -> %s %s: %d lost, %d matched%n",
                        demo.daemon().dictionary().get(counters.pairSourceNode(pair)),
                        demo.daemon().dictionary().get(counters.pairDestinationNode(pair)),
                        counters.pairFamily(pair) == 6 ? "IPv6" : "IPv4", lost,
                        counters.pair(pair, JoinCounters.PerPair.MATCHED));
            }
        }
        long roundTrips = counters.get(JoinCounters.Global.ROUND_TRIPS);
        if (roundTrips > 0) {
            stderr.printf("%s%d round trips judged on the client's node (API server, host, world): %d answered, "
                    + "%d no reply, %d refused%n", PREFIX, roundTrips, counters.get(JoinCounters.Global.ANSWERED),
                    counters.get(JoinCounters.Global.NO_REPLY), counters.get(JoinCounters.Global.REFUSED));
        }
        for (int node = 0; node < counters.nodeCount(); node++) {
            long noReply = counters.node(node, JoinCounters.PerNode.NO_REPLY);
            long refused = counters.node(node, JoinCounters.PerNode.REFUSED);
            if (noReply + refused > 0) {
                stderr.printf("  %s: %d no reply, %d refused, %d answered%n",
                        demo.daemon().dictionary().get(counters.nodeId(node)), noReply, refused,
                        counters.node(node, JoinCounters.PerNode.ANSWERED));
            }
        }
    }
}
