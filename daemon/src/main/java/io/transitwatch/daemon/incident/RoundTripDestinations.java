package io.transitwatch.daemon.incident;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.join.DepartureView;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.sinks.Alert;

/**
 * Stateless, so safe from any thread (called on the join thread; allocates nothing).
 *
 * <p>How a round trip's destination is named (DESIGN §3.7), as a code that fits a counter key and as
 * the name alerts, incidents, metrics and the page show: the API server as one destination whichever
 * control-plane node answers for it (numeric identity 7, or — Cilium 1.19.1, hubble-api.md §10 — a
 * node-local CIDR identity labelled {@code reserved:kube-apiserver}); else the node the address
 * belongs to (pod CIDRs, or the nodes' own addresses: configuration, Kubernetes, Peer, GetNodes, a
 * node named by its address); else its class, {@code host} (identities host and remote-node, or
 * their labels) or {@code world}. Never a raw address: the set of names is bounded by the nodes.
 */
final class RoundTripDestinations {
    /** Destination codes of the classes; a node is coded by its dictionary id (positive, below this bit). */
    static final int CLASS_BIT = 1 << 30;
    static final int KUBE_APISERVER = CLASS_BIT | 1;
    static final int HOST = CLASS_BIT | 2;
    static final int WORLD = CLASS_BIT | 3;

    static final String HOST_NAME = "host";
    static final String WORLD_NAME = "world";

    private RoundTripDestinations() {}

    /** {@link #KUBE_APISERVER}, the destination node's dictionary id, {@link #HOST} or {@link #WORLD}. */
    static int code(DepartureView attempt) {
        int identity = attempt.destinationIdentity();
        byte labels = attempt.destinationReservedLabels();
        if (identity == JoinConstants.IDENTITY_KUBE_APISERVER || (labels & NodeEvent.LABEL_KUBE_APISERVER) != 0) {
            return KUBE_APISERVER;
        }
        if (attempt.destinationNode() != 0) {
            return attempt.destinationNode();
        }
        boolean host = identity == JoinConstants.IDENTITY_HOST || identity == JoinConstants.IDENTITY_REMOTE_NODE
                || (labels & (NodeEvent.LABEL_HOST | NodeEvent.LABEL_REMOTE_NODE)) != 0;
        return host ? HOST : WORLD;
    }

    static boolean isClass(int code) {
        return (code & CLASS_BIT) != 0;
    }

    /** The name of a class code, or null for a node's code. */
    static String className(int code) {
        switch (code) {
            case KUBE_APISERVER: return Alert.KUBE_APISERVER;
            case HOST: return HOST_NAME;
            case WORLD: return WORLD_NAME;
            default: return null;
        }
    }
}
