package io.transitwatch.daemon.sim;

import io.transitwatch.proto.observer.GetFlowsResponse;

/**
 * Called on the thread that plays the simulated traffic (the {@code transitwatch-sim-traffic}
 * thread, or the caller of {@link Simulator#advanceTraffic()}), one event at a time.
 *
 * <p>Sees every event a node's Hubble records — flows and lost-event notices — the moment it enters
 * that node's ring, in ring order, as {@code hubble observe} would receive it; what the node's
 * Hubble did not record (it was down, or its perf ring overflowed) never reaches it. This is how
 * {@code transitwatch simulate --record} captures a run: unbounded in time, bounded in memory,
 * unlike {@link Simulator#emittedEvents(String)}. It must not block: the traffic waits for it.
 */
@FunctionalInterface
public interface EmissionListener {
    void onEmitted(GetFlowsResponse event);

    /** Listens to nothing. */
    EmissionListener NONE = event -> {};
}
