package io.transitwatch.daemon.handoff;

/**
 * Called only on the single consumer thread of a {@link HandoffRing} (the join thread, or the
 * printer of {@code transitwatch tail}).
 *
 * <p>The one interface through which the rest of the daemon consumes what the Hubble ingest
 * produces, per node: flows, lost events, node up, node down and gaps. The slot is reused as soon
 * as the call returns, so an implementation copies what it keeps. It must not block and should not
 * throw; if it does, the ring counts the event as skipped and {@link HandoffRing#poll} rethrows the
 * exception to its caller, and the next poll continues after that event.
 */
@FunctionalInterface
public interface NodeEventHandler {
    /**
     * @param event the slot, valid only during this call
     * @param endOfBatch true for the last event of the batch available now; work that can be
     *     batched (handing alerts to sinks) is best done when this is true
     */
    void onEvent(NodeEvent event, boolean endOfBatch);
}
