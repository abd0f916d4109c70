package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.sim.Fault;
import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.Pod;
import io.transitwatch.daemon.sim.Scenario;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Immutable after construction; its decisions draw from the caller's random source, so only the
 * traffic thread asks. The scenario's faults, indexed for the questions the datapath asks per packet
 * and per connection. Faults compose: a packet survives only if no fault takes it.
 */
final class FaultModel {
    private final List<Fault.PathLoss> pathLosses;
    private final List<Fault.HostLoss> hostLosses;
    private final List<Fault.HandshakeLoss> handshakeLosses;
    private final List<Fault.Refusal> refusals;
    private final List<Fault.MtuBlackhole> mtuBlackholes;
    private final List<Fault.Snat> snats;
    private final List<Fault.PolicyDrop> policyDrops;
    private final Map<String, Long> skewNanos = new HashMap<>();
    private final Map<String, Long> reorderNanos = new HashMap<>();
    private final Map<String, Fault.EventsRateLimit> eventsRateLimits = new HashMap<>();

    FaultModel(Scenario scenario) {
        pathLosses = scenario.faults(Fault.PathLoss.class);
        hostLosses = scenario.faults(Fault.HostLoss.class);
        handshakeLosses = scenario.faults(Fault.HandshakeLoss.class);
        refusals = scenario.faults(Fault.Refusal.class);
        mtuBlackholes = scenario.faults(Fault.MtuBlackhole.class);
        snats = scenario.faults(Fault.Snat.class);
        policyDrops = scenario.faults(Fault.PolicyDrop.class);
        scenario.faults(Fault.ClockSkew.class).forEach(s -> skewNanos.put(s.node(), scenario.clockSkewNanos(s.node())));
        scenario.faults(Fault.RelayReorder.class).forEach(r -> reorderNanos.merge(r.node(), r.delay().toNanos(), Math::max));
        scenario.faults(Fault.EventsRateLimit.class).forEach(limit -> eventsRateLimits.put(limit.node(), limit));
    }

    /** The node's events rate limit ({@link Fault.EventsRateLimit}), or null. */
    Fault.EventsRateLimit eventsRateLimit(String node) {
        return eventsRateLimits.get(node);
    }

    long skewNanos(String node) {
        return skewNanos.getOrDefault(node, 0L);
    }

    long reorderDelayNanos(String node) {
        return reorderNanos.getOrDefault(node, 0L);
    }

    /** Whether a packet that left {@code from} for {@code to} is lost on the way. */
    boolean lostOnWire(String from, String to, IpFamily family, SplittableRandom random) {
        for (Fault.PathLoss loss : pathLosses) {
            if (loss.path().matches(from, to, family) && drawn(loss.probability(), random)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a pod's request to a node's host address on {@code port} is lost ({@link Fault.HostLoss}). */
    boolean lostToHost(String from, String to, IpFamily family, int port, SplittableRandom random) {
        for (Fault.HostLoss loss : hostLosses) {
            if (loss.path().matches(from, to, family) && (loss.port() == 0 || loss.port() == port)
                    && drawn(loss.probability(), random)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a pod's TCP connection to a node's host address on {@code port} is refused ({@link Fault.Refusal}). */
    boolean refused(String from, String to, IpFamily family, int port) {
        for (Fault.Refusal refusal : refusals) {
            if (refusal.path().matches(from, to, family) && (refusal.port() == 0 || refusal.port() == port)) {
                return true;
            }
        }
        return false;
    }

    /** Whether full-size packets from {@code from} to {@code to} are lost ({@link Fault.MtuBlackhole}). */
    boolean losesFullSize(String from, String to, IpFamily family) {
        for (Fault.MtuBlackhole blackhole : mtuBlackholes) {
            if (blackhole.path().matches(from, to, family)) {
                return true;
            }
        }
        return false;
    }

    /** Whether a new TCP connection between these nodes loses the given handshake packet. */
    boolean losesHandshakePacket(Fault.HandshakePacket packet, String clientNode, String serverNode, IpFamily family,
            SplittableRandom random) {
        for (Fault.HandshakeLoss loss : handshakeLosses) {
            if (loss.packet() == packet && loss.path().matches(clientNode, serverNode, family)
                    && drawn(loss.connectionFraction(), random)) {
                return true;
            }
        }
        return false;
    }

    /** The fault that masquerades a new pod-to-pod connection from {@code clientNode} to the node IP, or null. */
    Fault.Snat masquerading(String clientNode, IpFamily family, SplittableRandom random) {
        for (Fault.Snat snat : snats) {
            if ((snat.node() == null || snat.node().equals(clientNode))
                    && (snat.family() == null || snat.family() == family)
                    && drawn(snat.connectionFraction(), random)) {
                return snat;
            }
        }
        return null;
    }

    boolean deniedByPolicy(Pod server, int port) {
        for (Fault.PolicyDrop drop : policyDrops) {
            if (drop.workload().equals(server.workload()) && drop.port() == port) {
                return true;
            }
        }
        return false;
    }

    private static boolean drawn(double probability, SplittableRandom random) {
        return probability >= 1.0 || (probability > 0.0 && random.nextDouble() < probability);
    }
}
