package io.transitwatch.daemon.ingest;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Thread-safe: written by the ingest threads of one source, read by metrics from any thread.
 *
 * <p>What the ingest knows about one source of events, for metrics and health pages: a node
 * (direct mode, or a node behind Relay) or the relay stream itself (named {@code relay}). Counters
 * only grow. Which counters move depends on the source: a node behind Relay has no reconnects of
 * its own; the relay stream counts malformed messages, since a malformed message names no node.
 */
public final class NodeIngestState {
    private final String name;
    private volatile boolean connected;
    private volatile String lastError = "";
    private final AtomicReference<RequestProfile> profile = new AtomicReference<>();
    final AtomicLong reconnects = new AtomicLong();
    final AtomicLong flows = new AtomicLong();
    final AtomicLong duplicates = new AtomicLong();
    final AtomicLong gaps = new AtomicLong();
    final AtomicLong lostEvents = new AtomicLong();
    final AtomicLong malformed = new AtomicLong();

    NodeIngestState(String name, RequestProfile initialProfile) {
        this.name = name;
        this.profile.set(initialProfile);
    }

    public String name() {
        return name;
    }

    /** True while flows are known to arrive from this source (NODE_UP published, no NODE_DOWN since). */
    public boolean connected() {
        return connected;
    }

    /** The last failure, naming the source and the cause; empty before any. */
    public String lastError() {
        return lastError;
    }

    /** The request this source's server accepted; anything but FULL means a fallback happened. */
    public RequestProfile requestProfile() {
        return profile.get();
    }

    /** True unless the server rejected the field mask. */
    public boolean fieldMaskSupported() {
        return profile.get() == RequestProfile.FULL;
    }

    public long reconnects() {
        return reconnects.get();
    }

    public long flows() {
        return flows.get();
    }

    /** Backfilled events dropped because their uuid had been seen. */
    public long duplicates() {
        return duplicates.get();
    }

    public long gaps() {
        return gaps.get();
    }

    /** Sum of {@code num_events_lost} the server reported. */
    public long lostEvents() {
        return lostEvents.get();
    }

    public long malformed() {
        return malformed.get();
    }

    void connected(boolean value) {
        connected = value;
    }

    void lastError(String value) {
        lastError = value;
    }

    /** Moves to {@code next} if the profile is still {@code expected}; true if this call moved it. */
    boolean downgrade(RequestProfile expected, RequestProfile next) {
        return profile.compareAndSet(expected, next);
    }

    @Override
    public String toString() {
        return name + (connected ? " up" : " down") + " profile=" + profile.get() + " flows=" + flows
                + " duplicates=" + duplicates + " gaps=" + gaps + " lost=" + lostEvents + " malformed=" + malformed
                + " reconnects=" + reconnects + (lastError.isEmpty() ? "" : " lastError=" + lastError);
    }
}
