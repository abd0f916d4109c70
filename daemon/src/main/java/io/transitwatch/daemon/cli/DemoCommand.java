package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.lifecycle.ShutdownSignal;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code transitwatch demo}: wiring only; see {@link Demo}. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Starts a simulated 6-node Cilium cluster (IPv6 solwk03 -> solwk02 blackholed after "
                + "to-network, all else healthy) and the real daemon against it, and prints alerts and "
                + "incident changes.")
public final class DemoCommand implements Callable<Integer> {

    @Option(names = "--duration", converter = DurationConverter.class, paramLabel = "D",
            description = "Stop after D (e.g. 30s, 5m); default: run until interrupted")
    Duration duration;

    @Option(names = "--format", defaultValue = "text", description = "json or text. Default: ${DEFAULT-VALUE}")
    String format;

    @Option(names = "--mode", defaultValue = "relay",
            description = "relay (one Relay stream) or nodes (Peer discovery, one mTLS stream per node). "
                    + "Default: ${DEFAULT-VALUE}")
    SimMode mode;

    @Option(names = "--scenario", defaultValue = "seed", paramLabel = "NAME",
            description = "Simulator scenario. Default: ${DEFAULT-VALUE}",
            completionCandidates = SimulateCommand.PresetNames.class)
    String scenario;

    @Option(names = "--sink", paramLabel = "NAME", description = "stdout (default), kafka or slack; repeatable")
    List<String> sinks = new ArrayList<>();

    @Option(names = "--kafka-bootstrap", paramLabel = "HOST:PORT",
            description = "Kafka brokers for --sink kafka (sets kafka.bootstrap-servers)")
    String kafkaBootstrap;

    @Option(names = "--set", paramLabel = "KEY=VALUE", description = "Any configuration key; repeatable")
    List<String> sets = new ArrayList<>();

    @Override
    public Integer call() throws Exception {
        List<String> overrides = new ArrayList<>();
        overrides.add("stdout.format=" + format);
        overrides.add("sinks=" + (sinks.isEmpty() ? "stdout" : String.join(",", sinks)));
        if (kafkaBootstrap != null) {
            overrides.add("kafka.bootstrap-servers=" + kafkaBootstrap);
        }
        overrides.addAll(sets);
        Path tlsDir = Files.createTempDirectory("transitwatch-demo-tls");
        ShutdownSignal shutdown = ShutdownSignal.install(20);
        PrintStream err = System.err;
        try (Demo demo = Demo.start(mode, Scenario.preset(scenario), overrides, tlsDir, System.out, Clock.SYSTEM)) {
            err.printf("transitwatch demo: scenario %s, %s mode; alerts on stdout%s%n", scenario,
                    mode.name().toLowerCase(), duration == null ? ", Ctrl-C to stop" : ", for " + duration);
            if (duration == null) {
                shutdown.await();
            } else {
                shutdown.awaitFor(duration.toMillis(), TimeUnit.MILLISECONDS);
            }
            demo.daemon().close();
            printSummary(err, demo);
        } finally {
            shutdown.closed();
        }
        return 0;
    }

    private static void printSummary(PrintStream err, Demo demo) {
        JoinCounters counters = demo.daemon().counters();
        err.printf("transitwatch demo: %d flows, %d departures joined: %d matched, %d lost in transit, %d unverified%n",
                counters.get(JoinCounters.Global.FLOWS), counters.get(JoinCounters.Global.DEPARTURES),
                counters.get(JoinCounters.Global.MATCHED), counters.get(JoinCounters.Global.LOST),
                counters.get(JoinCounters.Global.UNVERIFIED));
        for (int pair = 0; pair < counters.pairCount(); pair++) {
            long lost = counters.pair(pair, JoinCounters.PerPair.LOST);
            if (lost > 0) {
                err.printf("  %s -> %s %s: %d lost, %d matched%n",
                        demo.daemon().dictionary().get(counters.pairSourceNode(pair)),
                        demo.daemon().dictionary().get(counters.pairDestinationNode(pair)),
                        counters.pairFamily(pair) == 6 ? "IPv6" : "IPv4", lost,
                        counters.pair(pair, JoinCounters.PerPair.MATCHED));
            }
        }
    }
}
