package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEventHandler;

/**
 * Called only by the join thread: where the join pulls its events from (the hand-off ring in the
 * daemon, a file reader in replay).
 */
@FunctionalInterface
public interface EventSource {
    /** Hands up to {@code limit} available events to {@code handler}; returns how many. Never blocks. */
    int poll(NodeEventHandler handler, int limit);
}
