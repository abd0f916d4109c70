package io.transitwatch.sinks.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertEndpoint;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.Verdict;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class EventTextTest {

    @Test
    void shouldSummariseALostAlertOnOneLine() {
        assertEquals("LOST_IN_TRANSIT IPv6 TCP SYN solwk03 → solwk02 "
                        + "flux-system/kustomize-controller-57bbd7c-fdtpk [fd00:101:224:2::3ac8]:47972 → "
                        + "flux-system/source-controller-6ccfd78764-rzfnk [fd00:101:224:1::2f9e]:9090 attempts=2 window=5000ms",
                EventText.format(TestEvents.lostAlert()));
    }

    @Test
    void shouldShowIpv4WithoutBracketsAndLeaveOutUnknownPods() {
        Alert alert = TestEvents.lostAlert().toBuilder()
                .family("IPv4").protocol("UDP").kind("UDP-NEW")
                .source(new AlertEndpoint("solwk01", "10.101.224.7", 53124, "kube-system", "coredns-1", "coredns", 102))
                .destination(new AlertEndpoint("solwk02", "10.101.225.9", 53, null, null, null, 2))
                .verdict(Verdict.DROPPED_AT_DESTINATION).dropReason("POLICY_DENIED")
                .attempts(1).build();
        assertEquals("DROPPED_AT_DESTINATION IPv4 UDP UDP-NEW solwk01 → solwk02 kube-system/coredns-1 10.101.224.7:53124 → "
                + "10.101.225.9:53 attempts=1 window=5000ms drop_reason=POLICY_DENIED", EventText.format(alert));
    }

    @Test
    void shouldNameARoundTripsDestinationAndTheNodeThatAnsweredForIt() {
        Alert noReply = TestEvents.lostAlert().toBuilder().verdict(Verdict.NO_REPLY)
                .destination(new AlertEndpoint("solcp02", "fd00:101::12", 6443, null, null, null, 7))
                .destinationName("kube-apiserver").build();
        assertEquals(true, EventText.format(noReply).startsWith("NO_REPLY IPv6 TCP SYN solwk03 → kube-apiserver (solcp02) "
                + "flux-system/kustomize-controller-57bbd7c-fdtpk [fd00:101:224:2::3ac8]:47972 → [fd00:101::12]:6443 "),
                EventText.format(noReply));
        Alert world = noReply.toBuilder().destination(new AlertEndpoint("world", "203.0.113.9", 443, null, null, null, 2))
                .destinationName("world").build();
        assertEquals(true, EventText.format(world).contains(" solwk03 → world flux-system/"), EventText.format(world));
        assertEquals("solwk03|kube-apiserver", noReply.key(), "an alert has its incident's key");
        assertEquals("solwk03|solwk02", TestEvents.lostAlert().key());
    }

    @Test
    void shouldSayWhichAlertALateArrivalResolves() {
        Alert late = TestEvents.lostAlert().toBuilder().verdict(Verdict.LATE)
                .resolvesAlertId("01JKPZ5N3G0000000000000000").arrivalDelay(Duration.ofMillis(7250)).build();
        String line = EventText.format(late);
        assertEquals(true, line.endsWith("window=5000ms resolves=01JKPZ5N3G0000000000000000 delay=7250ms"), line);
    }

    @Test
    void shouldSummariseAnIncident() {
        assertEquals("FIRING solwk03 → solwk02 IPv6 lost=214 matched=0 loss=100.0% incident=01JKPZ5N3H0000000000000000",
                EventText.format(TestEvents.firing()));
        IncidentChange resolved = IncidentChange.builder().id("y").incidentId("x").sequence(4).time(TestEvents.TIME).state(IncidentState.RESOLVED)
                .sourceNode("solwk03").destinationNode("solwk02").family("IPv4").lost(3).matched(997).unverified(12)
                .firstSeen(TestEvents.TIME).lastSeen(TestEvents.TIME).build();
        assertEquals("RESOLVED solwk03 → solwk02 IPv4 lost=3 matched=997 unverified=12 loss=0.3% incident=x",
                EventText.format(resolved));
    }
}
