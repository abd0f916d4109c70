package io.transitwatch.daemon.sim;

/** How the simulated cluster exposes Hubble. */
public enum SimMode {
    /** One Hubble Relay endpoint merging all nodes (like {@code hubble-relay:80}). */
    RELAY,
    /** One Hubble server per node (like each agent's {@code :4244}) plus a {@code hubble-peer} Service stand-in. */
    NODES
}
