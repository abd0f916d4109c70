package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;
import io.transitwatch.daemon.lifecycle.ShutdownSignal;
import io.transitwatch.daemon.replay.CaptureWriter;
import io.transitwatch.daemon.sim.EmissionListener;
import io.transitwatch.daemon.sim.ClusterTopology;
import io.transitwatch.daemon.sim.Fault;
import io.transitwatch.daemon.sim.ScenarioPresets;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimCertificates;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.Simulator;
import io.transitwatch.daemon.sim.SimulatorConfig;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code transitwatch simulate}: wiring only; the simulated cluster lives in {@code io.transitwatch.daemon.sim}. */
@Command(name = "simulate", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Runs a simulated 6-node Cilium cluster that serves the Hubble gRPC API (Relay, or one "
                + "server per node plus the hubble-peer Service) until interrupted.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by Ctrl-C or SIGTERM",
            "2:wrong usage, said in one line: an unknown option, --mode or --scenario"})
public final class SimulateCommand implements Callable<Integer> {

    @Option(names = "--listen", defaultValue = "127.0.0.1:4245", paramLabel = "HOST:PORT",
            description = "Relay mode: the Relay address. Nodes mode: the peer Service address; node servers "
                    + "listen on PORT+1..PORT+6. Default: ${DEFAULT-VALUE}")
    String listen;

    @Option(names = "--mode", defaultValue = "relay", converter = ModeConverter.class,
            description = "relay (one Hubble Relay) or direct (one server per node plus the hubble-peer Service; "
                    + "nodes is accepted too), as hubble.mode. Default: ${DEFAULT-VALUE}")
    SimMode mode;

    @Option(names = "--scenario", defaultValue = "healthy", paramLabel = "NAME",
            description = "One of: ${COMPLETION-CANDIDATES}. Default: ${DEFAULT-VALUE}",
            completionCandidates = PresetNames.class)
    String scenario;

    @Option(names = "--tls-dir", paramLabel = "DIR",
            description = "Generate certificates into DIR and serve TLS (nodes: mTLS; relay: server TLS)")
    Path tlsDir;

    @Option(names = "--rate", paramLabel = "N", description = "New connections per second, cluster-wide")
    Double rate;

    @Mixin
    ClusterSize size = new ClusterSize();

    @Option(names = "--seed", paramLabel = "N", description = "Seed of the traffic (same seed, same traffic)")
    Long seed;

    @Option(names = "--skew", paramLabel = "NODE=MILLIS", description = "Offset a node's clock, e.g. solwk02=-1500")
    Map<String, Long> skews = Map.of();

    @Option(names = "--record", paramLabel = "FILE",
            description = "Write every event the nodes emit (flows, lost events) to FILE as `hubble observe -o jsonpb` "
                    + "lines, gzip-compressed when FILE ends in .gz, for `transitwatch replay`")
    Path record;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException, IOException {
        if (!ScenarioPresets.names().contains(scenario)) {
            spec.commandLine().getErr().println("transitwatch simulate: unknown --scenario '" + scenario
                    + "'; choose one of: " + String.join(", ", ScenarioPresets.names()));
            return 2;
        }
        String sizeProblem = size.problem();
        if (sizeProblem != null) {
            spec.commandLine().getErr().println("transitwatch simulate: " + sizeProblem);
            return 2;
        }
        Scenario chosen = withOverrides(size.apply(Scenario.preset(scenario)));
        int colon = listen.lastIndexOf(':');
        String host = listen.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(listen.substring(colon + 1));
        ClusterTopology topology = ClusterTopology.scaled(size.nodes);
        SimCertificates.Files tls = tlsDir == null ? null : SimCertificates.generate(tlsDir, topology.tlsServerNames());

        CaptureWriter recorder = record == null ? null : CaptureWriter.open(record);
        ShutdownSignal shutdown = ShutdownSignal.install(15);
        try (Simulator sim = Simulator.start(SimulatorConfig.builder().mode(mode).scaledTo(size.nodes)
                .host(host).port(port).scenario(chosen).tls(tls).emissions(recorder == null ? EmissionListener.NONE : recorder).build())) {
            printBanner(System.err, sim, chosen, tls);
            shutdown.await();
            System.err.println("transitwatch simulate: shutting down");
        } finally {
            try {
                if (recorder != null) {
                    recorder.close(); // the simulator has stopped: nothing writes to it any more
                    System.err.printf("transitwatch simulate: recorded %d events to %s%n", recorder.written(), record);
                }
            } finally {
                shutdown.closed();
            }
        }
        return 0;
    }

    private Scenario withOverrides(Scenario preset) {
        Scenario.Builder builder = preset.toBuilder();
        if (rate != null) {
            builder.connectionsPerSecond(rate);
        }
        if (seed != null) {
            builder.seed(seed);
        }
        skews.forEach((node, millis) -> builder.fault(new Fault.ClockSkew(node, Duration.ofMillis(millis))));
        return builder.build();
    }

    private static void printBanner(PrintStream out, Simulator sim, Scenario scenario, SimCertificates.Files tls) {
        out.printf("transitwatch simulate: scenario %s (seed %d, %.0f new connections/s), faults %s, "
                + "monitor-aggregation-flags %s%n", scenario.name(), scenario.seed(), scenario.connectionsPerSecond(),
                scenario.faults(), scenario.monitorFlags().configValue());
        if (sim.config().mode() == SimMode.RELAY) {
            out.printf("  Hubble Relay        %s%s%n", sim.relayTarget(), tls == null ? "" : " (TLS)");
        } else {
            out.printf("  hubble-peer Service %s%s%n", sim.peerTarget(), tls == null ? "" : " (mTLS)");
            sim.nodeTargets().forEach((node, target) -> out.printf("  %-19s %s%n", node, target));
        }
        List<String> names = sim.topology().nodeNames();
        out.printf("  nodes %s; pod CIDRs %s, %s%n", names.size() <= 12 ? names
                : names.get(0) + " .. " + names.get(names.size() - 1) + " (" + names.size() + ")",
                sim.topology().podCidrV4(), sim.topology().podCidrV6());
        if (tls != null) {
            out.printf("  a client needs: CA %s, certificate %s, key %s%s%n", tls.caCert(), tls.clientCert(),
                    tls.clientKey(), sim.config().mode() == SimMode.NODES
                            ? "; server names <node>.default.hubble-grpc.cilium.io, peer "
                                    + ClusterTopology.PEER_SERVER_NAME
                            : " (the certificate is optional for Relay)");
        }
        if (sim.config().emissions() instanceof CaptureWriter recorder) {
            out.printf("  recording every node's events to %s%n", recorder.path());
        }
        out.println("  Ctrl-C to stop");
    }

    /** Picocli completion candidates: the preset names. */
    static final class PresetNames implements Iterable<String> {
        @Override
        public java.util.Iterator<String> iterator() {
            return List.copyOf(ScenarioPresets.names()).iterator();
        }
    }

    /**
     * Thread-safe (stateless). {@code --mode} (demo and simulate) as {@code hubble.mode} spells it:
     * {@code relay} or {@code direct}; {@code nodes}, the demo's older spelling, is accepted for {@code direct}.
     */
    static final class ModeConverter implements ITypeConverter<SimMode> {
        /** How the help and messages spell a mode: the configuration's words. */
        static String spelling(SimMode mode) {
            return mode == SimMode.RELAY ? "relay" : "direct";
        }

        @Override
        public SimMode convert(String value) {
            return switch (value.toLowerCase(Locale.ROOT)) {
                case "relay" -> SimMode.RELAY;
                case "direct", "nodes" -> SimMode.NODES;
                default -> throw new TypeConversionException("'" + value + "' is not a mode: relay or direct");
            };
        }
    }
}
