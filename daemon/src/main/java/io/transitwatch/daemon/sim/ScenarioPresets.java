package io.transitwatch.daemon.sim;

import io.transitwatch.daemon.sim.Fault.ClockSkew;
import io.transitwatch.daemon.sim.Fault.EventsRateLimit;
import io.transitwatch.daemon.sim.Fault.HandshakeLoss;
import io.transitwatch.daemon.sim.Fault.HandshakePacket;
import io.transitwatch.daemon.sim.Fault.HostLoss;
import io.transitwatch.daemon.sim.Fault.LostEvents;
import io.transitwatch.daemon.sim.Fault.MtuBlackhole;
import io.transitwatch.daemon.sim.Fault.Path;
import io.transitwatch.daemon.sim.Fault.PathLoss;
import io.transitwatch.daemon.sim.Fault.PolicyDrop;
import io.transitwatch.daemon.sim.Fault.Refusal;
import io.transitwatch.daemon.sim.Fault.RelayReorder;
import io.transitwatch.daemon.sim.Fault.Snat;
import io.transitwatch.daemon.sim.Fault.StreamDown;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Stateless. The named scenarios of {@code transitwatch simulate --scenario NAME}, as data. */
public final class ScenarioPresets {
    private static final Map<String, List<Fault>> PRESETS = new LinkedHashMap<>();
    /** Presets whose agents report first ACK / PSH segments (Helm's {@code all}); the others run the agent default. */
    private static final Set<String> ALL_FLAGS = Set.of("healthy-first-data", "mtu-blackhole");

    static {
        PRESETS.put("healthy", List.of());
        // DESIGN §9: IPv6 from solwk03 to solwk02 vanishes after to-network; IPv4 on the same pair works.
        // ... and solwk01's IPv6 connections to the API server (control-plane host addresses, :6443) are
        // never answered (the CoreDNS / external-secrets incident; DESIGN §3.7).
        PRESETS.put("seed", List.of(new PathLoss(new Path("solwk03", "solwk02", IpFamily.IPV6), 1.0),
                new HostLoss(new Path("solwk01", null, IpFamily.IPV6), 6443, 1.0)));
        PRESETS.put("apiserver-noreply", List.of(new HostLoss(new Path("solwk01", null, IpFamily.IPV6), 6443, 1.0)));
        // The host-network DNS forwarder on solwk03 stops answering: every pod's query to it times out.
        PRESETS.put("dns-host-noreply", List.of(new HostLoss(new Path(null, "solwk03", null), 53, 1.0)));
        // The kubelet on solwk03 is down: metrics-server's connections to :10250 there get a RST.
        PRESETS.put("refused", List.of(new Refusal(new Path(null, "solwk03", null), 10250)));
        // Helm's monitor-aggregation-flags (all): first ACK / PSH segments reported, nothing lost.
        PRESETS.put("healthy-first-data", List.of());
        // Full-size packets from solwk02 to solwk01 vanish: handshakes complete, the server's first data does not arrive.
        PRESETS.put("mtu-blackhole", List.of(new MtuBlackhole(new Path("solwk02", "solwk01", null))));
        PRESETS.put("pair-blackhole", List.of(new PathLoss(new Path("solwk01", "solwk02", null), 1.0)));
        PRESETS.put("family-blackhole", List.of(new PathLoss(new Path(null, null, IpFamily.IPV6), 1.0)));
        PRESETS.put("all-cross-node-blackhole", List.of(new PathLoss(Path.ANY, 1.0)));
        PRESETS.put("random-loss", List.of(new PathLoss(Path.ANY, 0.01)));
        PRESETS.put("random-loss-0.001", List.of(new PathLoss(Path.ANY, 0.001)));
        PRESETS.put("random-loss-0.01", List.of(new PathLoss(Path.ANY, 0.01)));
        PRESETS.put("random-loss-0.1", List.of(new PathLoss(Path.ANY, 0.1)));
        PRESETS.put("stream-down", List.of(new StreamDown("solwk02", Duration.ofSeconds(10), Duration.ofSeconds(15))));
        PRESETS.put("lost-events",
                List.of(new LostEvents("solwk02", Duration.ofSeconds(5), 200, Duration.ofSeconds(30))));
        PRESETS.put("clock-skew", List.of(
                new ClockSkew("solcp02", Duration.ofMillis(-1200)),
                new ClockSkew("solcp03", Duration.ofMillis(400)),
                new ClockSkew("solwk01", Duration.ofMillis(2000)),
                new ClockSkew("solwk02", Duration.ofMillis(-2000)),
                new ClockSkew("solwk03", Duration.ofMillis(900))));
        PRESETS.put("snat", List.of(new Snat(null, IpFamily.IPV4, 0.1)));
        PRESETS.put("retransmit-recovery",
                List.of(new HandshakeLoss(Path.ANY, HandshakePacket.FIRST_SYN, 0.05)));
        PRESETS.put("synack-loss",
                List.of(new HandshakeLoss(new Path("solwk01", "solwk02", null), HandshakePacket.SYN_ACK, 0.5)));
        PRESETS.put("relay-reorder", List.of(new RelayReorder("solwk03", Duration.ofMillis(1500))));
        PRESETS.put("asymmetric-loss", List.of(new PathLoss(new Path("solwk02", "solwk01", null), 0.3)));
        // spegel's libp2p port denied by a NetworkPolicy: arrived, but dropped at the destination.
        PRESETS.put("policy-drop", List.of(new PolicyDrop("spegel", 5001)));
        // solwk02's datapath lets 100 events a second through and drops the rest unreported: its
        // Hubble's count shows when, and departures to it then are UNVERIFIED(lost_events), not LOST.
        PRESETS.put("events-rate-limit", List.of(new EventsRateLimit("solwk02", 100, 100)));
    }

    private ScenarioPresets() {}

    public static Set<String> names() {
        return PRESETS.keySet();
    }

    /** The preset with the default seed and rate. */
    public static Scenario get(String name) {
        List<Fault> faults = PRESETS.get(name);
        if (faults == null) {
            throw new IllegalArgumentException("unknown scenario '" + name + "'; known: " + String.join(", ", names()));
        }
        return Scenario.builder().name(name).faults(faults)
                .monitorFlags(ALL_FLAGS.contains(name) ? MonitorFlags.ALL : MonitorFlags.SYN_FIN_RST).build();
    }
}
