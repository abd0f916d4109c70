package io.transitwatch.daemon.ingest;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.topology.NodeAddressBook;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Immutable holder of thread-safe parts. What every stream of one {@link HubbleIngest} shares;
 * all of it is owned (created and stopped) by that {@code HubbleIngest}.
 *
 * @param scheduler the ingest's one timer thread: reconnects, node polling, discovery changes
 * @param addresses the nodes' own addresses, which Peer notifications and GetNodes answers feed
 * @param rateWatch the nodes with a BPF events rate limit, and what their Hubble event counts say
 */
record IngestContext(
        IngestConfig config,
        HandoffRing ring,
        StringDictionary dictionary,
        Clock clock,
        ScheduledExecutorService scheduler,
        HubbleChannels channels,
        IngestState state,
        NodeAddressBook addresses,
        EventRateWatch rateWatch) {

    /** How long address changes are gathered before one snapshot goes to the join (Peer announces every node at once). */
    static final long ADDRESS_FLUSH_DELAY_NANOS = java.util.concurrent.TimeUnit.MILLISECONDS.toNanos(100);

    /** Tells the join about changed node addresses soon, in one snapshot with whatever else changes meanwhile. */
    void addressesChanged() {
        addresses.flushSoon(scheduler, ADDRESS_FLUSH_DELAY_NANOS);
    }
}
