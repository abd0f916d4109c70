package io.transitwatch.daemon.config;

/** One entry of {@link ConfigKeys}: a key, or a prefix whose keys pass through to a library. */
public sealed interface Declaration permits Key, PassThrough {
    /** The dotted name ({@code join.window}), or the prefix ({@code kafka.producer.}). */
    String name();

    String doc();

    /** The environment variable that sets it, or for a prefix the variables' common start. */
    String envName();
}
