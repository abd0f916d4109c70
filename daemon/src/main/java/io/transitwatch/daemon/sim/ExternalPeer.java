package io.transitwatch.daemon.sim;

import java.util.List;

/**
 * Immutable. A destination outside Cilium's endpoints: the internet ({@code world}, identities
 * 2/9/10) or a node's host address ({@code remote-node} 6, {@code kube-apiserver} 7). Hubble sees
 * traffic to these leave the source node but never reports its arrival.
 *
 * @param node the node that owns the address, or {@code null} for the internet
 */
public record ExternalPeer(String description, String ip, IpFamily family, int identity, List<String> labels,
        SimNode node) {

    public static final int IDENTITY_WORLD = 2;
    public static final int IDENTITY_REMOTE_NODE = 6;
    public static final int IDENTITY_KUBE_APISERVER = 7;
    public static final int IDENTITY_WORLD_IPV4 = 9;
    public static final int IDENTITY_WORLD_IPV6 = 10;

    public ExternalPeer {
        labels = List.copyOf(labels);
    }

    /** A node's host address as seen from another node: remote-node, or kube-apiserver on control-plane nodes. */
    public static ExternalPeer hostOf(SimNode node, IpFamily family, boolean apiServer) {
        return apiServer
                ? new ExternalPeer("kube-apiserver on " + node.name(), node.ip(family), family,
                        IDENTITY_KUBE_APISERVER, List.of("reserved:kube-apiserver", "reserved:remote-node"), node)
                : new ExternalPeer("host " + node.name(), node.ip(family), family,
                        IDENTITY_REMOTE_NODE, List.of("reserved:remote-node"), node);
    }
}
