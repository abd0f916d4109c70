package io.transitwatch.daemon.ingest;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.proto.flow.LostEventSource;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe: ingest threads record what their servers report, metrics and the status page read
 * from any thread.
 *
 * <p>Whether the daemon is shedding load now. Past saturation the join cannot take events as fast as
 * Hubble produces them: the hand-off ring fills, streams run out of permits and stop asking their
 * servers for more (flow control), and each server's reader falls behind its ring until Hubble
 * overwrites what it has not sent and says so with a {@code HUBBLE_RING_BUFFER} LostEvent. The join
 * turns the windows those reports cover into UNVERIFIED(LOST_EVENTS), so nothing is falsely alerted;
 * this signal says to an operator that this is happening because of the daemon, not because of the
 * agents' own perf ring ({@code PERF_EVENT_RING_BUFFER}, which is not overload of ours).
 *
 * <p>Overloaded means: the ring holds at least half its flow permits' worth of events not yet joined,
 * or a server reported its reader fell behind less than {@link #HOLD_NANOS} ago.
 */
public final class OverloadSignal {
    /** How long a reader-overrun report keeps the signal up: a few reports apart, short enough to clear. */
    static final long HOLD_NANOS = 5_000_000_000L;

    private final HandoffRing ring;
    private final Clock clock;
    private final AtomicLong readerLostEvents = new AtomicLong();
    private final AtomicLong readerLossReports = new AtomicLong();
    private volatile long lastReaderLossNanos = Long.MIN_VALUE;

    /** @param ring the hand-off whose fill says whether the join keeps up; null for none (never full) */
    public OverloadSignal(HandoffRing ring, Clock clock) {
        this.ring = ring;
        this.clock = clock;
    }

    /** Records a LostEvent a server sent; only its reader's overruns count as overload. */
    void lostEvents(int source, long count) {
        if (source == LostEventSource.HUBBLE_RING_BUFFER_VALUE) {
            readerLostEvents.addAndGet(count);
            readerLossReports.incrementAndGet();
            lastReaderLossNanos = clock.epochNanos();
        }
    }

    /** True while the daemon sheds load (see the class comment). */
    public boolean overloaded() {
        if (ring != null && ring.fillLevel() * 2 >= ring.flowPermitCapacity()) {
            return true;
        }
        long last = lastReaderLossNanos;
        return last != Long.MIN_VALUE && clock.epochNanos() - last < HOLD_NANOS;
    }

    /** Events the servers' readers skipped because this daemon did not read fast enough, since start. */
    public long readerLostEvents() {
        return readerLostEvents.get();
    }

    /** LostEvent reports of {@link #readerLostEvents()}, since start. */
    public long readerLossReports() {
        return readerLossReports.get();
    }
}
