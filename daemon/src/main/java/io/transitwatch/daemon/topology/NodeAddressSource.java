package io.transitwatch.daemon.topology;

/**
 * Immutable (an enum). Where a node's own addresses were learned, in the order of precedence that
 * {@link NodeAddressBook} applies when two sources give one address to different nodes: what the
 * operator configured first, then what the cluster's API says, then what Hubble says, then what a
 * node's name implies.
 */
public enum NodeAddressSource {
    /** {@code topology.node-addresses}. */
    CONFIG,
    /** Kubernetes (CiliumNode {@code spec.addresses}, Node {@code status.addresses}); fed by a discovery component. */
    KUBERNETES,
    /** The Peer service's {@code ChangeNotification.address} (per-node mode): the address the node's Hubble listens on. */
    PEER,
    /** Hubble Relay's {@code GetNodes} {@code Node.address} (relay mode). */
    RELAY,
    /** A node whose name is an address literal ({@code "node_name":"10.10.21.241"}, hubble-api.md §10) has that address. */
    NODE_NAME
}
