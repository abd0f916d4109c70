package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.sim.ClusterTopology;
import io.transitwatch.daemon.sim.EmissionListener;
import io.transitwatch.daemon.sim.Fault;
import io.transitwatch.daemon.sim.MonitorFlags;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimCertificates;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.Simulator;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.daemon.sim.kube.SimKubernetesApi;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Thread-safe lifecycle, like {@link Daemon}. The simulated cluster and the real daemon against it,
 * over real gRPC on loopback: what {@code transitwatch demo} runs and what the scenario tests drive.
 * In NODES mode the daemon discovers the nodes through the simulated {@code hubble-peer} Service and
 * streams from each node with mTLS, with certificates generated into {@code tlsDir}. The daemon
 * serves HTTP as configured: {@code http.port} 8080 unless an override says otherwise (tests pass
 * {@code http.port=0} and read {@link Daemon#httpPort()}).
 */
public final class Demo implements AutoCloseable {
    private final Simulator simulator;
    private final SimKubernetesApi kubernetes;
    private final Daemon daemon;

    private Demo(Simulator simulator, SimKubernetesApi kubernetes, Daemon daemon) {
        this.simulator = simulator;
        this.kubernetes = kubernetes;
        this.daemon = daemon;
    }

    /**
     * @param settingOverrides extra {@code key=value} settings, applied last
     * @param tlsDir where NODES mode writes its certificates (ignored in RELAY mode)
     */
    public static Demo start(SimMode mode, Scenario scenario, List<String> settingOverrides, Path tlsDir,
            PrintStream stdout, Clock clock) {
        return start(mode, scenario, settingOverrides, tlsDir, stdout, clock, EmissionListener.NONE);
    }

    /**
     * As above, and {@code emissions} hears every event the simulated nodes record, from the start
     * (a {@code CaptureWriter} records the run for {@code transitwatch replay}).
     */
    public static Demo start(SimMode mode, Scenario scenario, List<String> settingOverrides, Path tlsDir,
            PrintStream stdout, Clock clock, EmissionListener emissions) {
        return start(SimulatorConfig.builder().mode(mode).scenario(scenario).clock(clock).emissions(emissions),
                settingOverrides, tlsDir, stdout);
    }

    /**
     * As above, with the simulated cluster as {@code cluster} describes it (its size, scenario, clock,
     * buffers); its host, port and certificates are the demo's.
     */
    public static Demo start(SimulatorConfig.Builder cluster, List<String> settingOverrides, Path tlsDir,
            PrintStream stdout) {
        return start(cluster, settingOverrides, tlsDir, stdout, simulator -> { });
    }

    /**
     * As above; {@code beforeDaemon} runs once the simulated cluster is up and before the daemon
     * starts (a test lets the cluster run for a while first, as a real one has when TransitWatch is
     * installed).
     */
    public static Demo start(SimulatorConfig.Builder cluster, List<String> settingOverrides, Path tlsDir,
            PrintStream stdout, java.util.function.Consumer<Simulator> beforeDaemon) {
        SimulatorConfig draft = cluster.build();
        ClusterTopology topology = ClusterTopology.scaled(draft.nodes());
        SimCertificates.Files tls = draft.mode() == SimMode.NODES
                ? SimCertificates.generate(tlsDir, topology.tlsServerNames()) : null;
        Clock clock = draft.clock();
        Simulator simulator = Simulator.start(cluster.host("127.0.0.1").port(0).tls(tls).build());
        SimKubernetesApi kubernetes = null;
        try {
            // The daemon learns placements, node addresses and calibration the way it does in a cluster.
            kubernetes = SimKubernetesApi.of(simulator.topology(), SimKubernetesApi.Ipam.CLUSTER_POOL,
                    SimKubernetesApi.ciliumConfig(draft.tunnel() ? "tunnel" : "native",
                            simulator.config().scenario().monitorFlags().configValue()));
            for (Fault.EventsRateLimit limit : simulator.config().scenario().faults(Fault.EventsRateLimit.class)) {
                kubernetes.putNodeConfig("events-rate-limit-" + limit.node(), Map.of("kubernetes.io/hostname", limit.node()),
                        Map.of("bpf-events-default-rate-limit", String.valueOf(limit.rate()),
                                "bpf-events-default-burst-limit", String.valueOf(limit.burst())));
            }
            Path kubeconfig = Files.createTempFile("transitwatch-sim-kubeconfig", ".yaml");
            kubeconfig.toFile().deleteOnExit();
            Files.writeString(kubeconfig, kubernetes.kubeconfig());
            Settings settings = ConfigLoader.load(null, Map.of(),
                    settings(simulator, kubeconfig, tls, settingOverrides));
            beforeDaemon.accept(simulator);
            return new Demo(simulator, kubernetes, Daemon.start(settings, clock, stdout));
        } catch (IOException e) {
            closeQuietly(kubernetes, simulator);
            throw new UncheckedIOException("cannot write the simulated cluster's kubeconfig", e);
        } catch (RuntimeException e) {
            closeQuietly(kubernetes, simulator);
            throw e;
        }
    }

    /**
     * Loads the settings {@link #start} would, before anything starts, with stand-ins for what only a
     * running simulator knows (a relay address): so that a mistake in the overrides (a bad
     * {@code --set}, {@code sinks=slack} without a webhook) is reported before the cluster comes up.
     *
     * @throws io.transitwatch.daemon.config.InvalidConfigException with every problem found
     */
    public static Settings check(List<String> settingOverrides) {
        List<String> sets = new ArrayList<>();
        sets.add("hubble.mode=relay");
        sets.add("hubble.relay.address=127.0.0.1:4245");
        sets.add("topology.pod-cidrs=" + podCidrs(ClusterTopology.defaults()));
        sets.add("topology.node-addresses=" + nodeAddresses(ClusterTopology.defaults()));
        sets.add(SIMULATED_AGGREGATION_FLAGS);
        sets.addAll(settingOverrides);
        return ConfigLoader.load(null, Map.of(), sets);
    }

    public Simulator simulator() {
        return simulator;
    }

    public Daemon daemon() {
        return daemon;
    }

    /** The simulated cluster's Kubernetes API, for changing the cluster while the daemon watches. */
    public SimKubernetesApi kubernetes() {
        return kubernetes;
    }

    /** The daemon first (it flushes its sinks), then the simulated cluster. */
    @Override
    public void close() {
        try {
            daemon.close();
        } finally {
            closeQuietly(kubernetes, simulator);
        }
    }

    private static void closeQuietly(SimKubernetesApi kubernetes, Simulator simulator) {
        try {
            if (kubernetes != null) {
                kubernetes.close();
            }
        } finally {
            simulator.close();
        }
    }

    private static List<String> settings(Simulator simulator, Path kubeconfig, SimCertificates.Files tls,
            List<String> overrides) {
        List<String> sets = new ArrayList<>();
        if (tls == null) {
            sets.add("hubble.mode=relay");
            sets.add("hubble.relay.address=" + simulator.relayTarget());
        } else {
            sets.add("hubble.mode=direct");
            sets.add("hubble.peer.address=" + simulator.peerTarget());
            sets.add("hubble.tls.enabled=true");
            sets.add("hubble.tls.ca-file=" + tls.caCert());
            sets.add("hubble.tls.cert-file=" + tls.clientCert());
            sets.add("hubble.tls.key-file=" + tls.clientKey());
            sets.add("hubble.tls.server-name=" + ClusterTopology.PEER_SERVER_NAME);
        }
        sets.add("hubble.backoff.initial=200ms");
        sets.add("hubble.backoff.max=2s");
        sets.add("kubernetes.enabled=true");
        sets.add("kubernetes.kubeconfig=" + kubeconfig);
        sets.addAll(overrides);
        return sets;
    }

    /** {@code solcp01=10.101.224.0/24,fd00:101:224::/64;solcp02=...}, the flag form of {@code topology.pod-cidrs}. */
    static String podCidrs(ClusterTopology topology) {
        Map<String, String> v4 = topology.podCidrsV4();
        Map<String, String> v6 = topology.podCidrsV6();
        return v4.keySet().stream().map(node -> node + "=" + v4.get(node) + "," + v6.get(node))
                .collect(Collectors.joining(";"));
    }

    /**
     * The simulated agents report with Cilium's agent default {@code monitor-aggregation-flags}
     * (syn,fin,rst: no first ACK / PSH). A running demo learns it from the simulated cilium-config;
     * {@link #check} states it, since it runs without a cluster.
     */
    static final String SIMULATED_AGGREGATION_FLAGS = aggregationFlags(MonitorFlags.SYN_FIN_RST);

    /** The daemon is told the simulated agents' flags; an override may still change them. */
    static String aggregationFlags(MonitorFlags flags) {
        return "join.monitor-aggregation-flags=" + flags.configValue();
    }

    /** {@code solcp01=10.101.0.11,fd00:101::11;...}, the flag form of {@code topology.node-addresses}. */
    static String nodeAddresses(ClusterTopology topology) {
        return topology.nodes().stream()
                .map(node -> node.name() + "=" + node.ip(io.transitwatch.daemon.sim.IpFamily.IPV4) + ","
                        + node.ip(io.transitwatch.daemon.sim.IpFamily.IPV6))
                .collect(Collectors.joining(";"));
    }
}
