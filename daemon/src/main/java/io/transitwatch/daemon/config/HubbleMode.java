package io.transitwatch.daemon.config;

/** Where flows come from ({@code hubble.mode}). */
public enum HubbleMode {
    /** One stream from Hubble Relay, which merges every node's flows. */
    RELAY,
    /** One stream per node's Hubble server: from {@code hubble.nodes}, or discovered through the Peer service. */
    DIRECT
}
