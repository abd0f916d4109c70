package io.transitwatch.daemon.sim;

import java.time.Duration;
import java.util.Objects;

/**
 * Immutable. One thing that goes wrong in the simulated cluster. A {@link Scenario} holds a list of
 * faults; they compose (a packet survives only if no fault loses it). Times are offsets from the
 * start of the simulation.
 */
public sealed interface Fault {

    /**
     * Which cross-node packets a fault applies to: from node, to node, family; {@code null} means
     * any. Only traffic between two different nodes ever crosses the wire, so same-node traffic never
     * matches.
     */
    record Path(String from, String to, IpFamily family) {
        public static final Path ANY = new Path(null, null, null);

        public boolean matches(String fromNode, String toNode, IpFamily packetFamily) {
            return !fromNode.equals(toNode)
                    && (from == null || from.equals(fromNode))
                    && (to == null || to.equals(toNode))
                    && (family == null || family == packetFamily);
        }

        @Override
        public String toString() {
            return (from == null ? "*" : from) + "->" + (to == null ? "*" : to) + "/" + (family == null ? "*" : family);
        }
    }

    /**
     * Every packet on {@code path} is lost after the source node reported it {@code to-network},
     * independently, with {@code probability}; 1.0 is a blackhole (the DESIGN §1 incident). Only
     * pod-to-pod traffic takes this path: a pod's traffic to a node's host address does not use the
     * overlay (hubble-api.md §2.3 e), see {@link HostLoss}.
     */
    record PathLoss(Path path, double probability) implements Fault {
        public PathLoss {
            Objects.requireNonNull(path, "path");
            requireProbability(probability);
        }
    }

    /**
     * Requests from pods on {@code path.from} to the host address of a node on {@code path.to} (the
     * API server on control-plane nodes, kubelet, host-network pods) with server port {@code port}
     * (0: any) are lost with {@code probability}: the client's attempts are never answered
     * (DESIGN §3.7; the CoreDNS / external-secrets incident).
     */
    record HostLoss(Path path, int port, double probability) implements Fault {
        public HostLoss {
            Objects.requireNonNull(path, "path");
            requireProbability(probability);
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
        }
    }

    /**
     * Connections from pods on {@code path.from} to the host address of a node on {@code path.to}
     * with server port {@code port} (0: any) are refused: nothing listens there, so the node answers
     * every SYN with a RST (DESIGN §3.7: REFUSED, never NO_REPLY).
     */
    record Refusal(Path path, int port) implements Fault {
        public Refusal {
            Objects.requireNonNull(path, "path");
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, was " + port);
            }
        }
    }

    /**
     * The path from {@code path.from} to {@code path.to} drops full-size packets (a smaller MTU than
     * the senders assume, ICMP "packet too big" lost; the seed's libp2p TLS handshakes on a 1450-byte
     * VXLAN): SYN, SYN-ACK, ACKs and small requests pass, a full-size data segment never does. In the
     * simulated conversations the server's responses are full-size, the client's requests small, so
     * the pod-to-pod connections whose server is on {@code path.from} and client on {@code path.to}
     * complete their handshake and lose the server's first data segment (DESIGN §3.8: FIRST_DATA).
     */
    record MtuBlackhole(Path path) implements Fault {
        public MtuBlackhole {
            Objects.requireNonNull(path, "path");
        }
    }

    /** Packets of a TCP handshake that {@link HandshakeLoss} can take away. */
    enum HandshakePacket {
        /** Only the first transmission of the SYN; the retransmit one second later gets through. */
        FIRST_SYN,
        /** Every SYN-ACK: the SYN arrives, the client never completes the handshake. */
        SYN_ACK
    }

    /**
     * In a {@code connectionFraction} of the TCP connections whose client is on {@code path.from} and
     * whose server is on {@code path.to}, lose the given handshake packet.
     */
    record HandshakeLoss(Path path, HandshakePacket packet, double connectionFraction) implements Fault {
        public HandshakeLoss {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(packet, "packet");
            requireProbability(connectionFraction);
        }
    }

    /**
     * The node's Hubble is down from {@code at} for {@code duration}: its server refuses
     * connections (Relay reports the node NODE_ERROR), and the events of that time are never
     * recorded. It comes back with an empty ring, as after an agent restart (the ring lives in the
     * agent; a ring that kept its old events but silently lacked the outage's would be no Hubble's),
     * so a client that resumes with {@code since} sees the gap.
     */
    record StreamDown(String node, Duration at, Duration duration) implements Fault {
        public StreamDown {
            Objects.requireNonNull(node, "node");
            requireNotNegative(at, "at");
            requireNotNegative(duration, "duration");
        }
    }

    /**
     * The node's Hubble server becomes unreachable again and again while its agent keeps running:
     * the first break starts within {@code every} of {@code from}, at a random phase, lasts a random
     * time between {@code shortest} and {@code longest}, and the next starts {@code every} later on
     * average (half to one and a half times, never before the last is over). The agent keeps
     * recording into its ring throughout, so a client that resumes with {@code since} re-reads the
     * break (nodes mode); Relay reports NODE_ERROR and resumes the node with the original request
     * (relay mode: without a {@code since}, from "now").
     */
    record StreamBreaks(String node, Duration from, Duration every, Duration shortest, Duration longest)
            implements Fault {
        public StreamBreaks {
            Objects.requireNonNull(node, "node");
            requireNotNegative(from, "from");
            requireNotNegative(shortest, "shortest");
            if (every.isZero() || every.isNegative() || longest.compareTo(shortest) < 0) {
                throw new IllegalArgumentException("every must be positive and longest >= shortest");
            }
        }
    }

    /**
     * At {@code at} (and then every {@code every}, if not null) the node's perf ring overflows: the
     * next {@code count} events of that node are lost and reported as one PERF_EVENT_RING_BUFFER
     * LostEvent with {@code num_events_lost = count} and the v1.19 {@code first}/{@code last} times;
     * fewer if fewer come within a second (the agent's reader catches up and reports what it lost).
     */
    record LostEvents(String node, Duration at, int count, Duration every) implements Fault {
        public LostEvents {
            Objects.requireNonNull(node, "node");
            requireNotNegative(at, "at");
            if (count < 1) {
                throw new IllegalArgumentException("count must be >= 1: " + count);
            }
            if (every != null && every.isZero()) {
                throw new IllegalArgumentException("every must be positive or null");
            }
        }
    }

    /**
     * The node's datapath lets at most {@code rate} events a second reach its Hubble, as Cilium's
     * {@code bpf-events-default-rate-limit} / {@code -burst-limit} do (one token bucket per node, topped up
     * with {@code rate} every second, holding at most {@code burst}; bpf/lib/ratelimit.h): an event that
     * finds it empty is dropped silently, with no LostEvent. The simulated Kubernetes API says so in a
     * CiliumNodeConfig for the node.
     */
    record EventsRateLimit(String node, long rate, long burst) implements Fault {
        public EventsRateLimit {
            Objects.requireNonNull(node, "node");
            if (rate < 1 || burst < 1) {
                throw new IllegalArgumentException("rate and burst must be >= 1: " + rate + ", " + burst);
            }
        }
    }

    /** The node's clock is off by {@code offset} (positive = ahead); {@code Flow.time} carries it. */
    record ClockSkew(String node, Duration offset) implements Fault {
        public ClockSkew {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(offset, "offset");
        }
    }

    /**
     * A {@code connectionFraction} of the pod-to-pod connections leaving {@code node} (any node if
     * null) in {@code family} (both if null) are masqueraded to the node IP, as with a wrong
     * native-routing CIDR: the destination sees the node IP as source. {@code reports} says how the
     * client's node reports such a packet leaving.
     */
    record Snat(String node, IpFamily family, double connectionFraction, Reports reports) implements Fault {
        /** How a masqueraded packet's departure is reported (hubble-api.md §2.3 e, §4.1). */
        public enum Reports {
            /** Once, after SNAT: the pod's address with {@code source_xlated} (the node's) and the post-SNAT port. */
            AFTER_SNAT,
            /**
             * Once, before SNAT: the pod's address, no {@code source_xlated}, and a port SNAT keeps, as the
             * endpoint's program reports it when the SNAT path's own report is left out (iptables masquerade).
             */
            BEFORE_SNAT,
            /**
             * Twice, as BPF masquerade does: from the endpoint's program before SNAT, then from bpf_host's
             * SNAT path after it ({@code source_xlated}, the port SNAT kept).
             */
            BEFORE_AND_AFTER_SNAT;

            /** Whether the pre-SNAT report exists: the port must then be one SNAT keeps, or nothing could match it. */
            public boolean beforeSnat() {
                return this != AFTER_SNAT;
            }
        }

        public Snat {
            requireProbability(connectionFraction);
            Objects.requireNonNull(reports, "reports");
        }

        /** The departure reported after SNAT, with {@code source_xlated}. */
        public Snat(String node, IpFamily family, double connectionFraction) {
            this(node, family, connectionFraction, Reports.AFTER_SNAT);
        }
    }

    /** Every event of {@code node} reaches its ring {@code delay} late (event times unchanged), as a lagging stream does. */
    record RelayReorder(String node, Duration delay) implements Fault {
        public RelayReorder {
            Objects.requireNonNull(node, "node");
            requireNotNegative(delay, "delay");
        }
    }

    /** A network policy denies ingress to {@code workload} on {@code port}: each packet is reported DROPPED (POLICY_DENIED) at the destination. */
    record PolicyDrop(String workload, int port) implements Fault {
        public PolicyDrop {
            Objects.requireNonNull(workload, "workload");
        }
    }

    private static void requireProbability(double p) {
        if (!(p >= 0.0 && p <= 1.0)) {
            throw new IllegalArgumentException("probability must be within [0, 1]: " + p);
        }
    }

    private static void requireNotNegative(Duration d, String what) {
        Objects.requireNonNull(d, what);
        if (d.isNegative()) {
            throw new IllegalArgumentException(what + " must not be negative: " + d);
        }
    }
}
