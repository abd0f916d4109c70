package io.transitwatch.daemon.config;

/** Where alerts and incidents go ({@code sinks}). */
public enum SinkKind {
    STDOUT,
    KAFKA,
    SLACK
}
