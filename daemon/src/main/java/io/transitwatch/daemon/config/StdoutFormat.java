package io.transitwatch.daemon.config;

/** What the stdout sink prints ({@code stdout.format}). */
public enum StdoutFormat {
    /** One versioned JSON line per alert or incident change, the same encoding as Kafka's. */
    JSON,
    /** One human-readable line per alert or incident change. */
    TEXT
}
