package io.transitwatch.sinks.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class NotificationGroupsTest {
    private static final Instant T0 = TestEvents.TIME;
    private final NotificationGroups groups = new NotificationGroups(SlackSinkConfig.defaults());

    private static IncidentChange resolved() {
        return IncidentChange.builder().id("r").time(T0).state(IncidentState.RESOLVED).sourceNode("solwk03")
                .destinationNode("solwk02").family("IPv6").lost(1).matched(9).firstSeen(T0).lastSeen(T0).build();
    }

    @Test
    void shouldForgetAnIncidentThatResolvedBeforeItsFirstNotification() {
        groups.add(TestEvents.firing(), T0);
        groups.add(resolved(), T0.plusSeconds(10));
        assertEquals(List.of(), groups.takeDue(T0.plusSeconds(30), false));
        assertEquals(0, groups.size());
    }

    @Test
    void shouldKeepFamiliesApart() {
        groups.add(TestEvents.firing(), T0);
        groups.add(TestEvents.lostAlert().toBuilder().family("IPv4").build(), T0);
        assertEquals(2, groups.takeDue(T0.plusSeconds(30), false).size());
    }

    @Test
    void shouldNotNotifyForALateAlertAlone() {
        groups.add(TestEvents.lostAlert().toBuilder().verdict(Verdict.LATE).resolvesAlertId("x")
                .arrivalDelay(Duration.ofSeconds(6)).build(), T0);
        assertEquals(List.of(), groups.takeDue(T0.plusSeconds(30), false));
        assertEquals(0, groups.size());
    }

    @Test
    void shouldForgetAnAlertOnlyGroupAfterRepeatIntervalWithoutNews() {
        groups.add(TestEvents.lostAlert(), T0);
        assertEquals(1, groups.takeDue(T0.plusSeconds(30), false).size());
        assertEquals(T0.plusSeconds(30).plus(Duration.ofHours(4)), groups.nextDueAt());
        assertEquals(List.of(), groups.takeDue(T0.plusSeconds(30).plus(Duration.ofHours(4)), false));
        assertEquals(0, groups.size());
        assertNull(groups.nextDueAt());
    }

    @Test
    void shouldSendAFailedMessagesGroupsAgainAfterGroupInterval() {
        groups.add(TestEvents.firing(), T0);
        List<GroupSnapshot> first = groups.takeDue(T0.plusSeconds(30), false);
        groups.markUndelivered(first.stream().map(GroupSnapshot::key).toList());
        assertEquals(T0.plusSeconds(30).plus(Duration.ofMinutes(5)), groups.nextDueAt());
        assertTrue(groups.hasNews());
    }

    @Test
    void shouldCountEventsBeyondTheGroupLimit() {
        NotificationGroups small = new NotificationGroups(new SlackSinkConfig(Duration.ofSeconds(30), Duration.ofMinutes(5),
                Duration.ofHours(4), 1, 3, Duration.ofSeconds(10), 6, Duration.ofSeconds(1), Duration.ofSeconds(60),
                Duration.ofSeconds(1), 1, "TransitWatch"));
        small.add(TestEvents.firing(), T0);
        small.add(TestEvents.firing("x", "a", "b", 1), T0);
        assertEquals(1, small.size());
        assertEquals(1, small.ignoredForCapacity());
    }

    @Test
    void shouldNameTheIncidentAndCountItsAlertsInTheSlackMessage() {
        groups.add(TestEvents.lostAlert(), T0);
        groups.add(TestEvents.firing(), T0);
        for (int i = 1; i <= 40; i++) {
            groups.add(TestEvents.lostAlert(String.format("01JKPZ5N3G%016d", i)), T0);
        }
        List<GroupSnapshot> due = groups.takeDue(T0.plusSeconds(30), false);
        assertEquals(1, due.size());
        String text = SlackMessage.describe(due.get(0));
        assertTrue(text.contains(", incident `" + TestEvents.firing().incidentId() + "`"), text);
        assertTrue(text.contains("41 alerts since the last message"), text);
        assertEquals(1, text.lines().filter(line -> line.startsWith("e.g. ")).count(), "one example tuple: " + text);
    }
}
