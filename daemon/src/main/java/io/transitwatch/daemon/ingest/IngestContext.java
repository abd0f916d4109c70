package io.transitwatch.daemon.ingest;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.concurrent.ScheduledExecutorService;

/**
 * Immutable holder of thread-safe parts. What every stream of one {@link HubbleIngest} shares;
 * all of it is owned (created and stopped) by that {@code HubbleIngest}.
 *
 * @param scheduler the ingest's one timer thread: reconnects, node polling, discovery changes
 */
record IngestContext(
        IngestConfig config,
        HandoffRing ring,
        StringDictionary dictionary,
        Clock clock,
        ScheduledExecutorService scheduler,
        HubbleChannels channels,
        IngestState state) {}
