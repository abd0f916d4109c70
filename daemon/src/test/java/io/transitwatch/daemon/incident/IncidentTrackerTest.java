package io.transitwatch.daemon.incident;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertEndpoint;
import io.transitwatch.sinks.EventIds;
import io.transitwatch.sinks.Evidence;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** An incident is one thing from FIRING to RESOLVED: one incident_id, a new event id and sequence per change. */
class IncidentTrackerTest {
    private static final long S = 1_000_000_000L;
    private static final long T0 = Instant.parse("2026-02-11T22:00:00Z").getEpochSecond() * S;
    private static final int PAIR = 3;

    private final List<SinkEvent> emitted = new ArrayList<>();
    private final IncidentTracker tracker = new IncidentTracker(
            new IncidentConfig(Duration.ofSeconds(20), Duration.ofSeconds(30), 5), 16,
            new EventIds(Clock.fixed(Instant.ofEpochSecond(0, T0), ZoneOffset.UTC), new Random(7)), emitted::add);

    @Test
    void anIncidentKeepsItsIdFromFiringThroughUpdatesToResolvedWhileEachChangeHasItsOwnId() {
        tracker.onLost(PAIR, lost(), T0);
        for (int i = 1; i <= 70; i++) {
            tracker.onLost(PAIR, lost(), T0 + i * S);
            tracker.onAdvance(T0 + i * S);
        }
        for (int i = 71; i <= 100; i++) {
            tracker.onMatched(PAIR);
            tracker.onAdvance(T0 + i * S);
        }
        // A second incident on the same pair is another incident.
        tracker.onLost(PAIR, lost(), T0 + 101 * S);

        List<IncidentChange> changes = emitted.stream().map(IncidentChange.class::cast).toList();
        List<IncidentChange> first = changes.subList(0, changes.size() - 1);
        assertEquals(IncidentState.FIRING, first.get(0).state());
        assertEquals(IncidentState.RESOLVED, first.get(first.size() - 1).state());
        assertEquals(4, first.size(), "FIRING, updates at 30 s and 60 s, RESOLVED 20 s after the last loss: " + first);
        String incidentId = first.get(0).incidentId();
        assertEquals(first.get(0).id(), incidentId, "the incident is named by its opening change");
        for (int i = 0; i < first.size(); i++) {
            assertEquals(incidentId, first.get(i).incidentId(), first.get(i).toString());
            assertEquals(i + 1, first.get(i).sequence(), first.get(i).toString());
        }
        assertEquals(first.size(), new HashSet<>(first.stream().map(IncidentChange::id).toList()).size(),
                "every change has its own event id");
        IncidentChange next = changes.get(changes.size() - 1);
        assertEquals(IncidentState.FIRING, next.state());
        assertEquals(1, next.sequence());
        assertEquals(next.id(), next.incidentId());
        assertEquals(false, incidentId.equals(next.incidentId()), "a new incident gets a new id");
        assertEquals(1, tracker.openIncidents().size());
        assertEquals(next.incidentId(), tracker.openIncidents().iterator().next().incidentId());
    }

    private static Alert lost() {
        return Alert.builder().id("01JKPZ5N3G0000000000000000").verdict(Verdict.LOST_IN_TRANSIT)
                .time(Instant.ofEpochSecond(0, T0)).family("IPv6").protocol("TCP").kind("SYN")
                .communityId("1:x").source(new AlertEndpoint("solwk03", "fd00::1", 40000, "ns", "a-0", "a", 1))
                .destination(new AlertEndpoint("solwk02", "fd00::2", 9090, "ns", "b-0", "b", 2))
                .firstSeen(Instant.ofEpochSecond(0, T0)).lastSeen(Instant.ofEpochSecond(0, T0)).windowMs(5000)
                .evidence(new Evidence("TO_NETWORK", null, null)).build();
    }
}
