package io.transitwatch.daemon.incident;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinHarness;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.EventIds;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import io.transitwatch.sinks.json.EventJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class AlertFactoryTest {
    private final List<SinkEvent> published = new ArrayList<>();
    private AlertFactory factory;
    private IncidentTracker tracker;
    private final JoinHarness join = new JoinHarness(JoinConfig.defaults().withCapacities(1024, 1024, 256),
            (dictionary, topology) -> {
                EventIds ids = new EventIds(Clock.fixed(Instant.ofEpochSecond(0, T0), ZoneOffset.UTC), new Random(1));
                IncidentTracker incidents = new IncidentTracker(
                        new IncidentConfig(Duration.ofSeconds(20), Duration.ofSeconds(30), 5), 8192, ids, published::add);
                tracker = incidents;
                factory = new AlertFactory(dictionary, topology, incidents, ids, published::add, 256);
                return factory;
            }).allUp();

    @Test
    void shouldBuildLostAlertWithBothEndpointsNamed() {
        join.arrival("b", "fd00:1::3ac8", 1, "fd00:2::2f9e", 9090)
                .to("flux-system", "source-controller-6ccfd78764-rzfnk", "source-controller").at(T0);
        join.departure("a", "fd00:1::3ac8", 47972, "fd00:2::2f9e", 9090)
                .from("flux-system", "kustomize-controller-57bbd7c-fdtpk", "kustomize-controller")
                .to("flux-system", "source-controller-6ccfd78764-rzfnk", "source-controller").at(T0 + S);
        join.departure("a", "fd00:1::3ac8", 47972, "fd00:2::2f9e", 9090).retransmission().at(T0 + 3 * S);
        join.advance(T0 + 8 * S);

        Alert alert = (Alert) published.stream().filter(e -> e instanceof Alert).findFirst().orElseThrow();
        String json = EventJson.encode(alert);
        assertEquals(Verdict.LOST_IN_TRANSIT, alert.verdict());
        assertEquals("IPv6", alert.family());
        assertEquals("TCP", alert.protocol());
        assertEquals("SYN", alert.kind());
        assertEquals(2, alert.attempts());
        assertEquals("a", alert.source().node());
        assertEquals("fd00:1::3ac8", alert.source().ip());
        assertEquals(47972, alert.source().port());
        assertEquals("kustomize-controller", alert.source().workload());
        assertEquals("b", alert.destination().node());
        assertEquals("source-controller-6ccfd78764-rzfnk", alert.destination().pod());
        assertEquals("TO_NETWORK", alert.evidence().observationPoint());
        assertEquals("ens18", alert.evidence().interfaceName());
        assertEquals("NEW", alert.evidence().traceReason());
        assertEquals(Instant.ofEpochSecond(0, T0 + S), alert.firstSeen());
        assertEquals(Instant.ofEpochSecond(0, T0 + 3 * S), alert.lastSeen());
        assertTrue(alert.communityId().startsWith("1:"), alert.communityId());
        assertTrue(json.startsWith("{\"schema\":\"transitwatch.alert/v1\""), json);
        assertEquals(alert, EventJson.decode(json));
    }

    @Test
    void shouldFireIncidentOnFirstLossAndResolveWhenMatchesResume() {
        join.departure("a", "fd00:1::5", 40000, "fd00:2::7", 9090).at(T0 + S);
        join.advance(T0 + 7 * S);

        IncidentChange firing = incidents().get(0);
        assertEquals(IncidentState.FIRING, firing.state());
        assertEquals("a", firing.sourceNode());
        assertEquals("b", firing.destinationNode());
        assertEquals("IPv6", firing.family());
        assertEquals(1, firing.lost());

        join.departure("a", "fd00:1::5", 40001, "fd00:2::7", 9090).at(T0 + 10 * S);
        join.arrival("b", "fd00:1::5", 40001, "fd00:2::7", 9090).at(T0 + 10 * S + MS);
        join.advance(T0 + 20 * S);
        assertEquals(1, incidents().size(), "no loss for 13 s: not resolved before the 20 s delay");

        join.advance(T0 + 28 * S);
        IncidentChange resolved = incidents().get(incidents().size() - 1);
        assertEquals(IncidentState.RESOLVED, resolved.state());
        assertEquals(1, resolved.lost());
        assertEquals(1, resolved.matched());
        assertEquals(0.5, resolved.lossRatio());
    }

    @Test
    void openIncidentsKeepUpWithTheCountsBetweenAnnouncements() {
        join.departure("a", "fd00:1::5", 40000, "fd00:2::7", 9090).at(T0 + S);
        join.advance(T0 + 7 * S);
        assertEquals(1, single(tracker.openIncidents()).lost());

        for (int port = 40001; port <= 40004; port++) {
            join.departure("a", "fd00:1::5", port, "fd00:2::7", 9090).at(T0 + 8 * S);
        }
        join.departure("a", "fd00:1::5", 40010, "fd00:2::7", 9090).at(T0 + 8 * S);
        join.arrival("b", "fd00:1::5", 40010, "fd00:2::7", 9090).at(T0 + 8 * S + MS);
        join.advance(T0 + 15 * S);

        assertEquals(1, incidents().size(), "within the 30 s update interval the sinks hear nothing new");
        IncidentChange announced = incidents().get(0);
        IncidentChange open = single(tracker.openIncidents());
        assertEquals(5, open.lost(), "the page's view counts every loss so far, not the announced 1");
        assertEquals(1, open.matched());
        assertEquals(IncidentState.FIRING, open.state());
        assertEquals(announced.id(), open.id(), "the id of the latest change the sinks received");
        assertTrue(open.time().isAfter(announced.time()), "time says when the counts were read");
    }

    @Test
    void shouldNotResolveWhileNothingArrives() {
        join.departure("a", "fd00:1::5", 40000, "fd00:2::7", 9090).at(T0 + S);
        join.advance(T0 + 7 * S);
        join.advance(T0 + 100 * S);

        assertEquals(List.of(IncidentState.FIRING), incidents().stream().map(IncidentChange::state).toList());
    }

    @Test
    void shouldLinkLateAlertToTheLostAlert() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.advance(T0 + 8 * S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 9 * S);

        List<Alert> alerts = published.stream().filter(e -> e instanceof Alert).map(e -> (Alert) e).toList();
        assertEquals(List.of(Verdict.LOST_IN_TRANSIT, Verdict.LATE), alerts.stream().map(Alert::verdict).toList());
        assertEquals(alerts.get(0).id(), alerts.get(1).resolvesAlertId());
        assertEquals(Duration.ofSeconds(8), alerts.get(1).arrivalDelay());
        assertNull(alerts.get(0).resolvesAlertId());
    }

    @Test
    void shouldNameDropReasonFromHubbleEnum() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).dropped(133).at(T0 + S + MS);

        Alert alert = (Alert) published.get(0);
        assertEquals(Verdict.DROPPED_AT_DESTINATION, alert.verdict());
        assertEquals("POLICY_DENIED", alert.dropReason());
    }

    private static IncidentChange single(java.util.Collection<IncidentChange> open) {
        assertEquals(1, open.size(), open::toString);
        return open.iterator().next();
    }

    private List<IncidentChange> incidents() {
        return published.stream().filter(e -> e instanceof IncidentChange).map(e -> (IncidentChange) e).toList();
    }
}
