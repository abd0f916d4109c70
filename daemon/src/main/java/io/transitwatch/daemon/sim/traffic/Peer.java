package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.sim.ExternalPeer;
import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.Pod;
import io.transitwatch.daemon.sim.SimNode;

/**
 * Immutable. One end of a conversation: a Cilium-managed pod (exactly one of the two fields is set),
 * or an address Cilium has no endpoint for (the internet, a node's host address).
 */
record Peer(Pod pod, ExternalPeer external) {

    static Peer of(Pod pod) {
        return new Peer(pod, null);
    }

    static Peer of(ExternalPeer external) {
        return new Peer(null, external);
    }

    boolean isPod() {
        return pod != null;
    }

    /** The node the address lives on, or {@code null} for the internet. */
    SimNode node() {
        return pod != null ? pod.node() : external.node();
    }

    String ip(IpFamily family) {
        return pod != null ? pod.ip(family) : external.ip();
    }

    String name() {
        return pod != null ? pod.qualifiedName() : external.description();
    }

    /** Packets between the two peers leave the node (and cross the wire) at all. */
    static boolean crossesWire(Peer a, Peer b) {
        return a.node() == null || b.node() == null || !a.node().name().equals(b.node().name());
    }
}
