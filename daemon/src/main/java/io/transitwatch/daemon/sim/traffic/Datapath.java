package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.sim.SimNode;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Single-threaded: owned by the traffic thread. The shared machinery every conversation uses: the
 * event queue, each node's conntrack reporter, the flow builder, the faults, the emitter, the random
 * source and the ground truth.
 */
final class Datapath {
    final EventScheduler scheduler;
    final EventEmitter emitter;
    final FlowFactory flows;
    final FaultModel faults;
    final SplittableRandom random;
    final TruthRecorder truth;
    /** The agents report each direction's first ACK and PSH segment: first data is join-safe ground truth. */
    final boolean firstDataReported;
    private final Map<String, ConntrackReporter> conntrack;

    Datapath(EventScheduler scheduler, EventEmitter emitter, FlowFactory flows, FaultModel faults,
            SplittableRandom random, TruthRecorder truth, Map<String, ConntrackReporter> conntrack,
            boolean firstDataReported) {
        this.scheduler = scheduler;
        this.emitter = emitter;
        this.flows = flows;
        this.faults = faults;
        this.random = random;
        this.truth = truth;
        this.conntrack = conntrack;
        this.firstDataReported = firstDataReported;
    }

    ConntrackReporter conntrack(SimNode node) {
        return conntrack.get(node.name());
    }

    /** One-way delay between two peers: veth-to-veth on one node, 0.1-2 ms between nodes, 5-40 ms to the internet. */
    long oneWayDelayNanos(Peer from, Peer to) {
        if (from.node() == null || to.node() == null) {
            return random.nextLong(2_500_000, 20_000_000);
        }
        if (!Peer.crossesWire(from, to)) {
            return random.nextLong(5_000, 50_000);
        }
        long delay = 100_000 + (long) (-Math.log(1.0 - random.nextDouble()) * 250_000);
        return Math.min(delay, 2_000_000);
    }

    /** How long an application takes to answer a packet it just received. */
    long thinkTimeNanos(Peer responder) {
        return responder.isPod() ? random.nextLong(20_000, 300_000) : 0;
    }
}
