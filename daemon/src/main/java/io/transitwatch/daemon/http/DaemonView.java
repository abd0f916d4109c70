package io.transitwatch.daemon.http;

import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.incident.AlertFactory;
import io.transitwatch.daemon.incident.IncidentTracker;
import io.transitwatch.daemon.ingest.IngestState;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinEngine;
import io.transitwatch.daemon.join.JoinLoop;
import io.transitwatch.daemon.kubernetes.DiscoveryStatus;
import io.transitwatch.sinks.dispatch.SinkDispatcher;
import java.util.function.Supplier;

/**
 * Immutable holder; everything it reaches is read from HTTP threads through the thread-safe
 * readers of each part (volatile counters, concurrent maps, copies made under the owner's lock).
 *
 * <p>The parts of a running daemon that the HTTP side reads. It only reads: nothing here is
 * called on the ingest or join path, so a scrape never slows the join down. {@link JoinEngine}'s
 * table sizes are plain fields of the join thread; read from here they are a recent value, which
 * is all a gauge needs. {@code discovery} answers an immutable status (disabled when
 * {@code kubernetes.enabled} is off).
 */
public record DaemonView(
        JoinCounters counters,
        StringDictionary dictionary,
        IngestState ingest,
        HandoffRing ring,
        JoinEngine engine,
        JoinLoop joinLoop,
        IncidentTracker incidents,
        AlertFactory alerts,
        SinkDispatcher dispatcher,
        Supplier<DiscoveryStatus> discovery) {

    /** The node name of a dictionary id, or {@code "#<id>"} if the dictionary does not know it. */
    String nodeName(int dictionaryId) {
        String name = dictionary.get(dictionaryId);
        return name == null || name.isEmpty() ? "#" + dictionaryId : name;
    }
}
