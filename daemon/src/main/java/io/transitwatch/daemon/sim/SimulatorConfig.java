package io.transitwatch.daemon.sim;

import io.transitwatch.daemon.clock.Clock;
import java.util.Objects;

/**
 * Immutable. How to start a {@link Simulator}; build with {@link #builder()}.
 *
 * @param port             RELAY: the Relay port. NODES: the peer Service port; node servers take
 *                         {@code port + 1 ..}. 0 = ephemeral ports everywhere
 * @param tls              certificates for TLS (NODES: mTLS with client certificates required; RELAY:
 *                         server TLS only), or {@code null} for plaintext
 * @param ringCapacity     events each node's Hubble keeps (Hubble's default 4095)
 * @param eventLogCapacity events per node kept for {@link Simulator#emittedEvents} (0 = none)
 * @param nodes            nodes of the cluster ({@link ClusterTopology#scaled}); 6 = the cluster of DESIGN §9
 * @param trafficThread    false: no traffic thread; tests call {@link Simulator#advanceTraffic()}
 * @param emissions        told of every event a node's Hubble records (see {@link EmissionListener})
 * @param tunnel           tunnel routing (VXLAN): departures are reported at {@code to-overlay} instead of
 *                         {@code to-network}, and the simulated cilium-config says {@code routing-mode: tunnel}
 */
public record SimulatorConfig(
        SimMode mode,
        String host,
        int port,
        Scenario scenario,
        int nodes,
        SimCertificates.Files tls,
        int ringCapacity,
        Clock clock,
        FieldMaskSupport fieldMaskSupport,
        int eventLogCapacity,
        int groundTruthCapacity,
        boolean trafficThread,
        EmissionListener emissions,
        boolean tunnel) {

    public SimulatorConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(scenario, "scenario");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(fieldMaskSupport, "fieldMaskSupport");
        Objects.requireNonNull(emissions, "emissions");
        if (nodes < ClusterTopology.DEFAULT_NODES || nodes > ClusterTopology.MAX_NODES) {
            throw new IllegalArgumentException("nodes must be within [" + ClusterTopology.DEFAULT_NODES + ", "
                    + ClusterTopology.MAX_NODES + "]: " + nodes);
        }
        int lastPort = 65535 - (mode == SimMode.NODES ? nodes : 0);
        if (port < 0 || port > lastPort) {
            throw new IllegalArgumentException("port must be within [0, " + lastPort + "]: " + port);
        }
        if (ringCapacity < 1 || eventLogCapacity < 0 || groundTruthCapacity < 1) {
            throw new IllegalArgumentException("capacities must be positive (event log: >= 0)");
        }
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Not thread-safe. */
    public static final class Builder {
        private SimMode mode = SimMode.RELAY;
        private String host = "127.0.0.1";
        private int port;
        private Scenario scenario = Scenario.preset("healthy");
        private int nodes = ClusterTopology.DEFAULT_NODES;
        private SimCertificates.Files tls;
        private int ringCapacity = 4095;
        private Clock clock = Clock.SYSTEM;
        private FieldMaskSupport fieldMaskSupport = FieldMaskSupport.FULL;
        private int eventLogCapacity = 20_000;
        private int groundTruthCapacity = 200_000;
        private boolean trafficThread = true;
        private EmissionListener emissions = EmissionListener.NONE;
        private boolean tunnel;

        private Builder() {}

        public Builder mode(SimMode mode) {
            this.mode = mode;
            return this;
        }

        public Builder host(String host) {
            this.host = host;
            return this;
        }

        public Builder port(int port) {
            this.port = port;
            return this;
        }

        public Builder scenario(Scenario scenario) {
            this.scenario = scenario;
            return this;
        }

        public Builder nodes(int nodes) {
            this.nodes = nodes;
            return this;
        }

        /**
         * {@code nodes} nodes, with per-node buffers shrunk so that a big cluster fits one process:
         * each node's Hubble ring keeps at most as many events in all as 64 default rings would
         * (at least 256 a node), and no per-node event log is kept beyond 64 nodes.
         */
        public Builder scaledTo(int nodes) {
            this.nodes = nodes;
            if (nodes > 64) {
                this.ringCapacity = Math.max(256, Math.min(4095, 64 * 4095 / nodes));
                this.eventLogCapacity = 0;
            }
            return this;
        }

        public Builder tls(SimCertificates.Files tls) {
            this.tls = tls;
            return this;
        }

        public Builder ringCapacity(int ringCapacity) {
            this.ringCapacity = ringCapacity;
            return this;
        }

        public Builder clock(Clock clock) {
            this.clock = clock;
            return this;
        }

        public Builder fieldMaskSupport(FieldMaskSupport fieldMaskSupport) {
            this.fieldMaskSupport = fieldMaskSupport;
            return this;
        }

        public Builder eventLogCapacity(int eventLogCapacity) {
            this.eventLogCapacity = eventLogCapacity;
            return this;
        }

        public Builder groundTruthCapacity(int groundTruthCapacity) {
            this.groundTruthCapacity = groundTruthCapacity;
            return this;
        }

        public Builder trafficThread(boolean trafficThread) {
            this.trafficThread = trafficThread;
            return this;
        }

        public Builder emissions(EmissionListener emissions) {
            this.emissions = emissions;
            return this;
        }

        /** Tunnel routing: departures at {@code to-overlay} (see the record's {@code tunnel}). */
        public Builder tunnel(boolean tunnel) {
            this.tunnel = tunnel;
            return this;
        }

        public SimulatorConfig build() {
            return new SimulatorConfig(mode, host, port, scenario, nodes, tls, ringCapacity, clock, fieldMaskSupport,
                    eventLogCapacity, groundTruthCapacity, trafficThread, emissions, tunnel);
        }
    }
}
