package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class JoinEngineTest {
    private final JoinHarness join = new JoinHarness().allUp();

    @Test
    void shouldMatchArrivalWithinWindow() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S + 2 * MS);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(2 * MS, join.verdicts.transits.get(0));
        assertEquals(0, join.engine.pendingCount());
    }

    @Test
    void shouldDeclareLostOnlyAfterDestinationWatermarkPassesWindow() {
        join.departure("a", "fd00:1::5", 47972, "fd00:2::7", 9090).at(T0 + S);

        join.advance(T0 + 5 * S);
        assertEquals(List.of(), join.verdicts.verdicts, "window (5 s) not over yet");

        join.advance(T0 + 7 * S);
        assertEquals(List.of("LOST a>b IPv6 SYN 47972>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.LOST));
    }

    @Test
    void shouldMatchAnArrivalTheDestinationHandedToAnIngressProxy() {
        // An ingress L7 policy (HTTP, Kafka, DNS rules) on the destination pod: bpf_lxc reports the SYN and
        // the first data TO_PROXY instead of TO_ENDPOINT (hubble-api.md §2.2); the packet did arrive.
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.arrivalAtProxy("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S + 2 * MS);
        // the same point on the client's node (an egress L7 policy) is the client's own node: not an arrival
        join.arrivalAtProxy("a", "10.0.1.5", 40002, "10.0.2.7", 9090).at(T0 + 2 * S);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.IGNORED_SAME_NODE));
        assertEquals(0, join.engine.rememberedArrivalCount());
    }

    @Test
    void shouldTakeAPacketThatASourceReportingEveryPacketSendsAgainAfterItsMatchForARetransmission() {
        // A proxy's upstream connection in tunnel mode: bpf_host reports every packet at to-overlay, without
        // trace_reason, so its retransmitted SYN looks like the first; the destination reports the first SYN
        // (NEW) and the retransmission only after Cilium's 5 s interval. The retransmission is no new departure.
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).withoutTraceReason().at(T0 + S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S + 2 * MS);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).withoutTraceReason().at(T0 + 2 * S);
        // the same with the arrival read first
        join.arrival("b", "10.0.1.5", 40001, "10.0.2.7", 9090).at(T0 + S);
        join.departure("a", "10.0.1.5", 40001, "10.0.2.7", 9090).withoutTraceReason().at(T0 + S - MS);
        join.departure("a", "10.0.1.5", 40001, "10.0.2.7", 9090).withoutTraceReason().at(T0 + 2 * S);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1", "MATCHED a>b IPv4 SYN 40001>9090 attempts=1"),
                join.verdicts.verdicts);
        assertEquals(2, join.counters.get(JoinCounters.Global.RETRANSMISSIONS));
        assertEquals(2, join.counters.get(JoinCounters.Global.DEPARTURES));
    }

    @Test
    void shouldJoinACiliumWithoutTraceReasonsAsBefore() {
        // Before Cilium 1.16 no event has a trace_reason: nothing tells a source that reports every packet
        // apart, so a match is forgotten as usual and the arrival table holds no more than before.
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).withoutTraceReason().at(T0 + S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).withoutTraceReason().at(T0 + S + 2 * MS);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.engine.rememberedArrivalCount());
    }

    @Test
    void shouldMatchArrivalProcessedBeforeItsDeparture() {
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S - MS);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldCountRetransmissionsAsAttemptsNotNewEntries() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).retransmission().at(T0 + 4 * S);
        join.advance(T0 + 8 * S);

        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=2"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.DEPARTURES));
    }

    @Test
    void shouldMatchWhenFirstSynIsLostButRetransmissionArrives() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        // the SYN at +0 s never arrived; the retransmit at +1 s (not reported at the source) did: NEW at b
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 2 * S + MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldKeyReverseDirectionSoALostSynAckIsCaught() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S + MS);
        join.departure("b", "10.0.2.7", 9090, "10.0.1.5", 40000).synAck().at(T0 + S + 2 * MS);
        join.advance(T0 + 10 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST b>a IPv4 SYN-ACK 9090>40000 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldKeyDepartureOnTranslatedSourceAfterSnat() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).snatTo("192.168.0.1").at(T0 + S);
        join.arrival("b", "192.168.0.1", 40000, "10.0.2.7", 9090).at(T0 + S + MS);
        join.advance(T0 + 10 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldLeaveDeparturesTheDestinationCannotReportToTheClientsRoundTrip() {
        join.departure("a", "10.0.1.5", 40000, "10.0.1.9", 80).at(T0 + S);            // same node
        join.departure("a", "10.0.1.5", 40001, "1.1.1.1", 443).toIdentity(2).at(T0 + S); // world
        join.departure("a", "10.0.1.5", 40002, "10.9.9.9", 443).at(T0 + S);           // outside every pod CIDR
        join.departure("a", "10.0.1.5", 40003, "10.0.2.7", 9090).fin().at(T0 + S);    // FIN: off by default
        join.departure("a", "10.0.1.5", 40004, "1.1.1.1", 443).fin().toIdentity(2).at(T0 + S);
        join.advance(T0 + 60 * S);

        assertEquals(List.of("NO_REPLY a> IPv4 SYN 40001>443 attempts=1", "NO_REPLY a> IPv4 SYN 40002>443 attempts=1"),
                join.verdicts.verdicts, "never a two-end verdict: judged as round trips on the client's node");
        assertEquals(0, join.counters.get(JoinCounters.Global.DEPARTURES));
        assertEquals(1, join.counters.get(JoinCounters.Global.IGNORED_SAME_NODE));
        assertEquals(2, join.counters.get(JoinCounters.Global.IGNORED_NOT_JOIN_SAFE));
    }

    @Test
    void shouldNotAlertWhenDestinationStreamWasDown() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.down("b", T0 + 2 * S);
        join.advance(T0 + 10 * S);
        assertEquals(List.of(), join.verdicts.verdicts, "waits for b to come back within the grace");

        join.advance(T0 + 17 * S);
        assertEquals(List.of("UNVERIFIED(OBSERVER_DOWN) a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldDecideNormallyWhenBackfillCoveredTheOutage() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.down("b", T0 + S + 500 * MS);
        join.up("b", T0 + 4 * S, true);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).receivedAfter(3 * S).at(T0 + S + MS);
        join.unjoinableEvent("b", T0 + 4 * S + 100 * MS); // b's stream is live again: the backfill is read
        join.departure("a", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + 5 * S);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    /**
     * b's stream comes back after 9 s down and re-reads the outage: those events arrive 8 s after
     * their time. That is the outage's length, not b's delay from now on: learnt as b's lateness, it
     * would hold b's idle watermark 8 s back and a departure lost after the catch-up would be decided
     * that much later (in a partition with a deadline, UNVERIFIED instead of LOST).
     */
    @Test
    void shouldNotLearnLatenessFromWhatABackfillReRead() {
        join.unjoinableEvent("b", T0);
        join.streamDown("b", T0 + S);
        join.up("b", T0 + 10 * S, true);
        join.unjoinableEvent("b", T0 + 2 * S, T0 + 10 * S);
        join.unjoinableEvent("b", T0 + 10 * S + 100 * MS); // live again: the catch-up ends
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 11 * S);
        join.advance(T0 + 18 * S);

        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
        int b = denseNodeOf(join, "b");
        assertTrue(join.counters.node(b, JoinCounters.PerNode.LATENESS_NANOS) < S,
                "b's lateness: " + join.counters.node(b, JoinCounters.PerNode.LATENESS_NANOS));
    }

    /**
     * b's first event reaches us 8 s after its time (its first stream read out of Hubble's ring by a
     * receiver still warming up), its next ones at once: b's offset falls from 8 s to 0.1 s. Measured
     * against the offset of when they came, both were 0 late, each being the smallest delay so far;
     * b then lags 6 s once more, and an idle watermark 0.25 s behind now would have passed the SYN's
     * deadline with its arrival on the way: LOST, then LATE. Against the offset as known now, b's
     * lateness is the 7.9 s it was seen to lag, and the SYN is MATCHED.
     */
    @Test
    void shouldMeasureLatenessAgainstTheOffsetAsKnownNow() {
        JoinHarness fresh = new JoinHarness();
        fresh.unjoinableEvent("b", T0, T0 + 8 * S);
        fresh.unjoinableEvent("b", T0 + 8900 * MS, T0 + 9 * S);
        fresh.unjoinableEvent("a", T0 + 9 * S);
        fresh.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 10 * S);
        fresh.advance(T0 + 15500 * MS);
        fresh.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).receivedAfter(5950 * MS).at(T0 + 10050 * MS);
        fresh.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), fresh.verdicts.verdicts);
    }

    /**
     * c's events reach us 7 s after their time, b has sent nothing since its first event. b's own
     * lateness is 0, but its silence may be c's lag (one receiver starved of CPU): b's idle watermark
     * waits as long as c's events are seen to, and the arrival that comes 6.5 s late matches.
     */
    @Test
    void shouldHoldAnIdleWatermarkBackByTheLatenessOfItsPeers() {
        JoinHarness fresh = synSentToSilentBAndCLagging(T0 + S, 7 * S);
        fresh.advance(T0 + 8 * S);
        fresh.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).receivedAfter(6500 * MS).at(T0 + 2 * S + MS);
        fresh.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), fresh.verdicts.verdicts);
    }

    /**
     * c's events reach us 40 s late, longer than a departure waits past its deadline for a node that
     * lags ({@code max-behind}, 30 s). Held back by all of it, b's idle watermark would never pass the
     * deadline in time, and a SYN lost on its way to silent b would end UNVERIFIED(BEHIND): one sick
     * node would hide a blackhole anywhere. A peer's share is capped at max-behind less W.
     */
    @Test
    void shouldNotLetOnePeerLaggingWithoutEndTurnEverySilentDestinationBehind() {
        JoinHarness fresh = synSentToSilentBAndCLagging(T0 + 500 * MS, 40 * S);
        fresh.advance(T0 + 40500 * MS); // 33.5 s past the SYN's deadline

        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=1"), fresh.verdicts.verdicts);
    }

    /**
     * a, b and c each deliver at T0; a sends a SYN to b at T0 + 2 s, and b stays silent; c then
     * delivers an event of {@code cEventTime} {@code cLag} late.
     */
    private static JoinHarness synSentToSilentBAndCLagging(long cEventTime, long cLag) {
        JoinHarness fresh = new JoinHarness();
        fresh.unjoinableEvent("a", T0);
        fresh.unjoinableEvent("b", T0);
        fresh.unjoinableEvent("c", T0);
        fresh.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 2 * S);
        fresh.unjoinableEvent("c", cEventTime, cEventTime + cLag);
        return fresh;
    }

    /**
     * a's and b's streams start 1.5 s behind (a receiver warming up): both offsets look 1.5 s, and a's
     * first SYN matches 1 ms after it. a's stream goes down with that offset; b's receiver catches up
     * and b's offset falls to 0. a's backfill then re-reads a SYN whose arrival b reported at once, 10.5
     * s late: the arrival has been forgotten. Placed with a's stale offset, the SYN lies 1.5 s after
     * its arrival; the transit measured when both offsets were alike says nothing of that, but the
     * pair's clock difference read with the offsets of now does: BEHIND, not LOST.
     */
    @Test
    void shouldPlaceAPairByItsClockDifferenceWithTheOffsetsOfNow() {
        JoinHarness fresh = new JoinHarness();
        fresh.unjoinableEvent("a", T0, T0 + 1500 * MS);
        fresh.unjoinableEvent("b", T0, T0 + 1500 * MS);
        fresh.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).receivedAfter(1500 * MS).at(T0 + S);
        fresh.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).receivedAfter(1500 * MS).at(T0 + S + MS);
        fresh.streamDown("a", T0 + 3 * S);
        fresh.unjoinableEvent("b", T0 + 3 * S);
        fresh.arrival("b", "10.0.1.5", 40001, "10.0.2.7", 9090).at(T0 + 4 * S + MS);
        fresh.unjoinableEvent("b", T0 + 14500 * MS);
        fresh.advance(T0 + 14500 * MS);
        fresh.up("a", T0 + 14500 * MS, true);
        fresh.departure("a", "10.0.1.5", 40001, "10.0.2.7", 9090).receivedAfter(10500 * MS).at(T0 + 4 * S);
        fresh.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1",
                "UNVERIFIED(BEHIND) a>b IPv4 SYN 40001>9090 attempts=1"), fresh.verdicts.verdicts);
    }

    /**
     * b's outage began at 2 s, but its new stream's backfill re-reads only from 15 s (a restarted
     * collector resumes where its predecessor's writes end, not where b went down). Catching up
     * shows the re-read complete, not the outage: the departure of 5 s is UNVERIFIED, never LOST.
     */
    @Test
    void shouldKeepThePartOfAnOutageBeforeWhereTheBackfillResumedUnverified() {
        join.unjoinableEvent("b", T0);
        join.streamDown("b", T0 + 2 * S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 5 * S);
        join.up("b", T0 + 20 * S, true, T0 + 15 * S);
        join.unjoinableEvent("b", T0 + 15 * S, T0 + 20 * S);
        join.unjoinableEvent("b", T0 + 20 * S + 100 * MS);
        join.departure("a", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + 21 * S);
        join.advance(T0 + 40 * S);

        assertEquals(List.of("UNVERIFIED(GAP) a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    /**
     * While b's backfill re-reads its outage, Hubble reports events its ring overwrote, without saying
     * which (Hubble 1.18 and older): they may be anywhere in the outage, so a departure early in it is
     * UNVERIFIED, however long ago the report's time minus the lost-events span is.
     */
    @Test
    void shouldSpreadLostEventsReportedDuringABackfillOverTheOutage() {
        join.unjoinableEvent("b", T0);
        join.streamDown("b", T0 + S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 3 * S);
        join.up("b", T0 + 30 * S, true, T0 + S / 2);
        join.unjoinableEvent("b", T0 + 2 * S, T0 + 30 * S);
        join.lostEvents("b", T0 + 30 * S, 500, T0 + 30 * S);
        join.unjoinableEvent("b", T0 + 30 * S + 100 * MS);
        join.advance(T0 + 50 * S);

        assertEquals(List.of("UNVERIFIED(LOST_EVENTS) a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldNotAlertForWindowsOverlappingLostEvents() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.lostEvents("b", T0 + 3 * S, 100, T0 + 3 * S);
        join.departure("a", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + 20 * S);
        join.advance(T0 + 40 * S);

        assertEquals(List.of("UNVERIFIED(LOST_EVENTS) a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldNotAlertForWindowsOverlappingAGap() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.gap("b", T0 + 2 * S, T0 + 4 * S, T0 + 5 * S);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("UNVERIFIED(GAP) a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldNotAlertWhenDestinationWasNeverObserved() {
        JoinHarness fresh = new JoinHarness();
        fresh.up("a", T0, false);
        fresh.departure("a", "10.0.1.5", 40000, "10.0.3.7", 9090).at(T0 + S);
        fresh.advance(T0 + 30 * S);

        assertEquals(List.of("UNVERIFIED(NO_OBSERVER) a>c IPv4 SYN 40000>9090 attempts=1"), fresh.verdicts.verdicts);
    }

    @Test
    void shouldNotAlertForDeparturesToANodeWhoseDatapathEmitsNoTraceEvents() {
        // b's and c's cilium-config set bpf-events-trace-enabled=false: their streams are up (drops and
        // lost events still come), but no arrival at them is ever reported
        join.blindNodes("b", "c");
        join.departure("a", "10.0.1.5", 40000, "10.0.3.7", 9090).at(T0 + S);
        join.departure("a", "10.0.1.5", 40001, "10.0.2.7", 9090).at(T0 + S);
        join.advance(T0 + 30 * S);
        join.blindNodes(); // the configuration changed back: c is judged again
        join.departure("a", "10.0.1.5", 40002, "10.0.3.7", 9090).at(T0 + 31 * S);
        join.advance(T0 + 60 * S);

        assertEquals(List.of("LOST a>c IPv4 SYN 40002>9090 attempts=1",
                "UNVERIFIED(NO_OBSERVER) a>b IPv4 SYN 40001>9090 attempts=1",
                "UNVERIFIED(NO_OBSERVER) a>c IPv4 SYN 40000>9090 attempts=1"),
                join.verdicts.verdicts.stream().sorted().toList());
    }

    @Test
    void shouldNotCallLostTheHostsSecondReportOfAPacketBelowMediumAggregation() {
        // monitor-aggregation low on a: its endpoint's program reports the SYN at to-network (reason NEW),
        // then bpf_host's to-netdev reports the same packet again without a reason (hubble-api.md §3.3)
        join.calibrateNodes(List.of(), List.of("a"));
        // b's stream ahead: the arrival is read first
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S + MS);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).withoutTraceReason().at(T0 + S);
        // a's stream ahead: the arrival comes between the two reports
        join.departure("a", "10.0.1.5", 40001, "10.0.2.7", 9090).at(T0 + 2 * S);
        join.arrival("b", "10.0.1.5", 40001, "10.0.2.7", 9090).at(T0 + 2 * S + MS);
        join.departure("a", "10.0.1.5", 40001, "10.0.2.7", 9090).withoutTraceReason().at(T0 + 2 * S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1",
                "MATCHED a>b IPv4 SYN 40001>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(2, join.counters.get(JoinCounters.Global.RETRANSMISSIONS));
    }

    @Test
    void shouldNotAlertForDeparturesBeforeTheDestinationStreamFirstDelivered() {
        JoinHarness fresh = new JoinHarness();
        fresh.up("a", T0, false);
        // b's arrival of this SYN (at T0 + S + 1 ms) happened before b's stream was up: never delivered
        fresh.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        fresh.up("b", T0 + S + 100 * MS, false);
        fresh.unjoinableEvent("b", T0 + S + 200 * MS); // b's stream delivers from here on
        fresh.departure("a", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + 2 * S);
        fresh.advance(T0 + 30 * S);

        assertEquals(List.of("UNVERIFIED(NO_OBSERVER) a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40000>9090 attempts=1"), fresh.verdicts.verdicts);
    }

    @Test
    void shouldCoverADestinationFromTheFirstEventItsFirstStreamBackfilled() {
        JoinHarness fresh = new JoinHarness();
        fresh.up("a", T0, false);
        fresh.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S / 2);
        fresh.departure("a", "10.0.1.5", 40001, "10.0.2.7", 9090).at(T0 + 2 * S);
        // b's first stream comes up at T0 + 3 s, asking for its ring from before (since): the first event
        // it delivers is of T0 + 1 s, received 2 s late, so b's offset first looks like 2 s. b saw (and
        // would have reported) the arrival of the SYN of T0 + 2 s, not that of the SYN of T0 + 0.5 s.
        fresh.up("b", T0 + 3 * S, false);
        fresh.unjoinableEvent("b", T0 + S, T0 + 3 * S);
        fresh.unjoinableEvent("b", T0 + 3 * S);
        fresh.advance(T0 + 30 * S);

        assertEquals(List.of("UNVERIFIED(NO_OBSERVER) a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40001>9090 attempts=1"), fresh.verdicts.verdicts);
    }

    @Test
    void shouldPlaceADepartureWithTheOffsetKnownWhenItIsDecided() {
        JoinHarness fresh = new JoinHarness();
        fresh.up("a", T0, false);
        fresh.up("b", T0 + S + 100 * MS, false);
        fresh.unjoinableEvent("b", T0 + S + 200 * MS);
        // a's first event comes 1 s late (say, Relay's sort buffer): a's offset looks like 1 s, and this
        // SYN of T0 + 1 s, whose arrival b reported before its stream was up, is placed at T0 + 2 s
        fresh.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).receivedAfter(S).at(T0 + S);
        // a's next events come at once: a's offset is 0, the first SYN belongs before b came up
        fresh.departure("a", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + 3 * S);
        fresh.advance(T0 + 30 * S);

        assertEquals(List.of("UNVERIFIED(NO_OBSERVER) a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40000>9090 attempts=1"), fresh.verdicts.verdicts);
    }

    @Test
    void shouldPlaceALaggingSourceByWhereItsArrivalsAreSeen() {
        JoinHarness fresh = new JoinHarness();
        fresh.up("a", T0, false);
        fresh.up("b", T0 + S, false);
        // a's events all reach us 1.5 s after their own time: to the offset filter that is a's clock
        fresh.arrival("b", "10.0.1.5", 40001, "10.0.2.7", 9090).at(T0 + 2 * S + MS);
        // this SYN left at T0 + 0.9 s; b reported its arrival before b's stream was up
        fresh.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).receivedAfter(1500 * MS).at(T0 + 900 * MS);
        // matched departures show a's arrivals 1.5 s before a's departures
        fresh.departure("a", "10.0.1.5", 40001, "10.0.2.7", 9090).receivedAfter(1500 * MS).at(T0 + 2 * S);
        fresh.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40001>9090 attempts=1",
                "UNVERIFIED(NO_OBSERVER) a>b IPv4 SYN 40000>9090 attempts=1"), fresh.verdicts.verdicts);
    }

    @Test
    void shouldNotDeclareLostADepartureWhoseArrivalWouldBeForgottenAlready() {
        join.departure("a", "10.0.1.9", 40000, "10.0.2.7", 9090).at(T0 + 500 * MS);
        join.arrival("b", "10.0.1.9", 40000, "10.0.2.7", 9090).at(T0 + 501 * MS);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S + MS);
        join.advance(T0 + 12 * S); // the arrival is older than window + arrival memory: forgotten
        // a's stream was behind (a reconnect's backfill): its SYN of T0 + 1 s comes 11 s late
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).receivedAfter(11 * S).at(T0 + S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1",
                "UNVERIFIED(BEHIND) a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.LOST));
    }

    /**
     * A source whose events all reach us 1.5 s late (to the offset filter that is its clock) has its
     * frame times 1.5 s after its arrivals' (matched departures show it). A departure of it that comes
     * 10.5 s late lies past the arrival horizon by its own frame time, but its arrival, 1.5 s earlier,
     * was forgotten already: its absence means nothing.
     */
    @Test
    void shouldNotDeclareLostALaggingSourcesDepartureWhoseArrivalWasForgottenBeforeItCame() {
        JoinHarness lagging = laggingSourceA();
        lagging.arrival("b", "10.0.1.9", 40000, "10.0.2.7", 9090).at(T0 + 500 * MS);
        lagging.departure("a", "10.0.1.9", 40000, "10.0.2.7", 9090).receivedAfter(1500 * MS).at(T0 + 499 * MS);
        lagging.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S + MS);
        lagging.advance(T0 + 11500 * MS); // the arrival at T0 + 1 s is past window + arrival memory: forgotten
        // a reconnect's backfill: a's SYN of T0 + 1 s comes 10.5 s late, at frame time T0 + 2.5 s
        lagging.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).receivedAfter(10500 * MS).at(T0 + S);
        lagging.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1",
                "UNVERIFIED(BEHIND) a>b IPv4 SYN 40000>9090 attempts=1"), lagging.verdicts.verdicts);
    }

    /**
     * As above, but nothing shows the source's lag when its late departure comes: the backfill's next
     * departure, matched, shows it. The first is then UNVERIFIED when its window has passed, not LOST.
     */
    @Test
    void shouldNotDeclareLostALateDepartureOnceItsSourceIsSeenToLagBehindItsArrivals() {
        JoinHarness lagging = laggingSourceA();
        lagging.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S + MS);
        lagging.arrival("b", "10.0.1.5", 40001, "10.0.2.7", 9090).at(T0 + 3 * S);
        lagging.advance(T0 + 11500 * MS); // the first arrival is forgotten, the second is not
        lagging.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).receivedAfter(10500 * MS).at(T0 + S);
        // the next one re-read: matched, 1.5 s after its arrival on the time line
        lagging.departure("a", "10.0.1.5", 40001, "10.0.2.7", 9090).receivedAfter(8600 * MS).at(T0 + 3 * S - MS);
        lagging.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40001>9090 attempts=1",
                "UNVERIFIED(BEHIND) a>b IPv4 SYN 40000>9090 attempts=1"), lagging.verdicts.verdicts);
        assertEquals(0, lagging.counters.get(JoinCounters.Global.LOST));
    }

    /** Nodes a and b up at T0; every event of a reaches the join 1.5 s after its own time, b's at once. */
    private static JoinHarness laggingSourceA() {
        JoinHarness harness = new JoinHarness();
        harness.up("a", T0, false);
        harness.up("b", T0, false);
        harness.unjoinableEvent("a", T0, T0 + 1500 * MS);
        harness.unjoinableEvent("b", T0);
        return harness;
    }

    /**
     * A backfill that re-reads an outage for longer than the catch-up's bounded wait and than two spans
     * of the clock filter: its events, late by the outage, must not become the node's clock offset.
     * Else its frame times come out late by tens of seconds: departures placed past the outage they
     * lie in, arrivals seemingly long before their departures (in ScaledEquivalenceIT's runs: LOST).
     */
    @Test
    void shouldNotLearnTheClockOffsetFromASlowBackfillPastTheCatchUpsWait() {
        join.unjoinableEvent("b", T0);
        join.streamDown("b", T0 + S);
        join.up("b", T0 + 30 * S, true);
        // b's ring re-read from T0 + 1 s, slowly: 28 s late at first, later and later after that
        join.unjoinableEvent("b", T0 + 2 * S, T0 + 30 * S);
        join.advance(T0 + 36 * S); // past the catch-up's bounded wait
        join.unjoinableEvent("b", T0 + 3 * S, T0 + 40500 * MS);
        join.advance(T0 + 41 * S);
        join.unjoinableEvent("b", T0 + 4 * S, T0 + 51 * S);
        join.advance(T0 + 52 * S);

        assertEquals(0, join.counters.node(denseNodeOf(join, "b"), JoinCounters.PerNode.CLOCK_OFFSET_NANOS));
    }

    /**
     * A backfilled arrival sits in the remembered arrivals' FIFO lane behind newer ones, where the
     * expiry pass (lane heads only) does not reach it. Past the expiry horizon it is forgotten all the
     * same: a new connection on the tuple (port reuse) whose arrival is read before its departure is
     * remembered, not taken for a duplicate of the old one and dropped (which left its departure LOST).
     */
    @Test
    void shouldRememberANewArrivalOnATupleWhoseBackfilledArrivalOutlivedItsExpiry() {
        join.down("b", T0 + 1500 * MS);
        join.arrival("c", "10.0.1.6", 40001, "10.0.3.7", 9090).at(T0 + 8 * S); // no departure: heads the lane
        join.up("b", T0 + 8200 * MS, true);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).backfilled().atWithNow(T0 + 2 * S, T0 + 8300 * MS);
        join.unjoinableEvent("b", T0 + 8400 * MS); // b is live again: its backfill is read
        join.advance(T0 + 13 * S); // horizon T0 + 3 s: the backfilled arrival is past it, behind the one of T0 + 8 s
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 13500 * MS);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 13499 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.DUPLICATE_ARRIVALS));
    }

    @Test
    void shouldDecideByTheWindowNotByWhenTheArrivalWasProcessed() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.departure("a", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + S);
        // both arrivals are processed before any advance(); one is inside the 5 s window, one 50 ms past it
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 5 * S + 950 * MS);
        join.arrival("b", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + 6 * S + 50 * MS);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40000>9090 attempts=1",
                "LATE a>b IPv4 SYN 40000>9090 attempts=1 token=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldJudgeTheWindowWithTheOffsetKnownWhenTheArrivalComes() {
        // a's first event comes 400 ms late: a's offset looks like 400 ms, the SYN is placed at T0 + 1.4 s
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).receivedAfter(400 * MS).at(T0 + S);
        join.departure("a", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + 2 * S);
        join.arrival("b", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + 2 * S + MS);
        // a's offset is 0 now: this arrival came 5.1 s after its departure, not 4.7 s
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 6 * S + 100 * MS);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40000>9090 attempts=1",
                "LATE a>b IPv4 SYN 40000>9090 attempts=1 token=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldCountSynAckReportedAgainAfterItsLossAsAnAttempt() {
        join.departure("b", "10.0.2.7", 9090, "10.0.1.5", 40000).synAck().at(T0 + S);
        join.advance(T0 + 7 * S);
        // the client's SYN retransmit at +7 s is answered again; past the 5 s interval it is reported again
        join.departure("b", "10.0.2.7", 9090, "10.0.1.5", 40000).synAck().at(T0 + 8 * S);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("LOST b>a IPv4 SYN-ACK 9090>40000 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.DEPARTURES));
        assertEquals(1, join.counters.get(JoinCounters.Global.RETRANSMISSIONS));
    }

    @Test
    void shouldCountSynAckReportedAgainAsAnAttemptEvenWhenItsArrivalResolvedTheLossFirst() {
        join.departure("b", "10.0.2.7", 9090, "10.0.1.5", 40000).synAck().at(T0 + S);
        join.advance(T0 + 7 * S);
        // The SYN-ACK answering the client's SYN retransmit at +7 s gets through. Its arrival's event time
        // is a millisecond before its departure's report (each side's perf-read delay differs), and Relay
        // sorts by time: the arrival resolves the loss (LATE) before the join sees the departure again.
        join.arrival("a", "10.0.2.7", 9090, "10.0.1.5", 40000).synAck().at(T0 + 8 * S);
        join.departure("b", "10.0.2.7", 9090, "10.0.1.5", 40000).synAck().at(T0 + 8 * S + MS);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("LOST b>a IPv4 SYN-ACK 9090>40000 attempts=1",
                "LATE b>a IPv4 SYN-ACK 9090>40000 attempts=1 token=1"), join.verdicts.verdicts,
                "one loss, one alert: the re-reported SYN-ACK is that handshake's retransmission");
        assertEquals(1, join.counters.get(JoinCounters.Global.DEPARTURES));
        assertEquals(1, join.counters.get(JoinCounters.Global.RETRANSMISSIONS));
    }

    @Test
    void shouldToleratePlusMinusTwoSecondsOfClockSkew() {
        JoinHarness join = new JoinHarness();
        join.up("a", T0, false);
        join.up("b", T0, false);
        // a's clock runs 2 s behind the daemon, b's 2 s ahead: raw times disagree by 4 s.
        long aBehind = -2 * S;
        long bAhead = 2 * S;
        for (int i = 0; i < 50; i++) {
            long trueTime = T0 + i * 100 * MS;
            join.departure("a", "10.0.1.5", 30000 + i, "10.0.2.7", 9090).receivedAfter(-aBehind + MS)
                    .at(trueTime + aBehind);
            join.arrival("b", "10.0.1.5", 30000 + i, "10.0.2.7", 9090).receivedAfter(-bAhead + MS)
                    .at(trueTime + bAhead + MS);
        }
        join.advance(T0 + 30 * S);

        assertEquals(50, join.verdicts.count("MATCHED"));
        assertEquals(0, join.verdicts.count("LOST"));
        assertTrue(join.verdicts.transits.stream().allMatch(t -> Math.abs(t) < 10 * MS),
                "offset-corrected transit delays stay near the true 1 ms: " + join.verdicts.transits);
    }

    /**
     * {@code transitwatch replay}: events count as received at their own time, so no receive delay
     * puts a's clock (2 s behind) and b's (2 s ahead) on one time line, and every arrival at b lies 4 s
     * after its departure. A SYN lost once and retransmitted 1 s later then arrives 5.02 s after the
     * reported one: the pair's earliest transit over its matches says how much longer to wait.
     */
    @Test
    void shouldWaitLongerForArrivalsAtANodeWhoseClockRunsAheadOfItsPeer() {
        JoinHarness join = new JoinHarness().allUp();
        long skew = 4 * S;
        connections(join, TransitBounds.SKEW_SAMPLES, skew);
        long sent = T0 + 2 * S;
        join.departure("a", "10.0.1.5", 41000, "10.0.2.7", 9090).at(sent); // its first SYN: lost
        join.departure("a", "10.0.1.5", 41001, "10.0.2.7", 9090).at(sent); // never arrives
        join.arrival("b", "10.0.1.5", 41000, "10.0.2.7", 9090).at(sent + skew + S + 20 * MS); // the retransmission
        join.advance(sent + 5 * S + S);
        assertEquals(List.of("MATCHED a>b IPv4 SYN 41000>9090 attempts=1"), afterConnections(join),
                "b's watermark is past the window alone, not past W + 4 s");

        join.advance(sent + 5 * S + skew + S);
        assertEquals(List.of("MATCHED a>b IPv4 SYN 41000>9090 attempts=1", "LOST a>b IPv4 SYN 41001>9090 attempts=1"),
                afterConnections(join));
        assertEquals(skew, join.counters.node(denseNodeOf(join, "b"), JoinCounters.PerNode.EXTRA_WAIT_NANOS),
                "what /metrics and /api/observers show of b's extra wait");
        assertEquals(0, join.counters.node(denseNodeOf(join, "a"), JoinCounters.PerNode.EXTRA_WAIT_NANOS));
    }

    /** Fewer matches than NTP's clock filter takes are no evidence of skew: the window alone decides. */
    @Test
    void shouldNotTakeAFewSlowMatchesForClockSkew() {
        JoinHarness join = new JoinHarness().allUp();
        connections(join, TransitBounds.SKEW_SAMPLES - 1, 4 * S);
        long sent = T0 + 2 * S;
        join.departure("a", "10.0.1.5", 41000, "10.0.2.7", 9090).at(sent);
        join.arrival("b", "10.0.1.5", 41000, "10.0.2.7", 9090).at(sent + 5 * S + 20 * MS);
        join.advance(sent + 20 * S);

        assertEquals(List.of("LOST a>b IPv4 SYN 41000>9090 attempts=1",
                "LATE a>b IPv4 SYN 41000>9090 attempts=1 token=1"), afterConnections(join));
    }

    /** {@code count} connections from a to b, each arriving {@code transit} after its departure (no receive delay). */
    private static void connections(JoinHarness join, int count, long transit) {
        for (int i = 0; i < count; i++) {
            long sent = T0 + i * 100 * MS;
            join.departure("a", "10.0.1.5", 30000 + i, "10.0.2.7", 9090).at(sent);
            join.arrival("b", "10.0.1.5", 30000 + i, "10.0.2.7", 9090).at(sent + transit);
        }
        assertEquals(count, join.verdicts.count("MATCHED"));
    }

    /** The verdicts of the departures after those of {@link #connections} (source ports 41000 on). */
    private static List<String> afterConnections(JoinHarness join) {
        return join.verdicts.verdicts.stream().filter(v -> v.contains(" SYN 41")).toList();
    }

    @Test
    void shouldReportDropAtDestination() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).dropped(133).at(T0 + S + MS);

        assertEquals(List.of("DROPPED a>b IPv4 SYN 40000>9090 attempts=1 reason=133"), join.verdicts.verdicts);
    }

    @Test
    void shouldResolveLostDepartureWithLateArrival() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.advance(T0 + 8 * S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 9 * S);

        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=1",
                "LATE a>b IPv4 SYN 40000>9090 attempts=1 token=1"), join.verdicts.verdicts);
    }

    /**
     * The lost history expires from the head of its FIFO lane, but losses are recorded in the order they
     * are decided: lane by lane, so a lane decided late (a duty cycle that ran late, a destination whose
     * watermark lags) records an older loss behind newer ones. Past the late horizon it is forgotten
     * all the same: a new connection on the tuple (port reuse) whose arrival is read before its
     * departure is neither LATE for the old alert nor dropped (which left its departure LOST).
     */
    @Test
    void shouldForgetALossPastTheLateHorizonRecordedBehindANewerOne() {
        join.departure("a", "10.0.1.5", 40000, "10.0.3.7", 9090).at(T0 + S);
        join.departure("a", "10.0.1.6", 40000, "10.0.2.7", 9090).at(T0 + 20 * S);
        join.advance(T0 + 26 * S); // decides both, lane b before lane c: the newer loss is recorded first
        join.advance(T0 + 62 * S); // late horizon 60 s: the loss of T0 + 1 s is past it, behind the one of T0 + 20 s
        join.arrival("c", "10.0.1.5", 40000, "10.0.3.7", 9090).at(T0 + 62500 * MS);
        join.departure("a", "10.0.1.5", 40000, "10.0.3.7", 9090).at(T0 + 62499 * MS);
        join.advance(T0 + 80 * S);

        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=1", "LOST a>c IPv4 SYN 40000>9090 attempts=1",
                "MATCHED a>c IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.LATE));
    }

    @Test
    void shouldResolveOnlyOnceWhenAReusedTupleIsLostTwice() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.advance(T0 + 8 * S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 10 * S);
        join.advance(T0 + 17 * S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 18 * S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + 18 * S + MS);

        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=1", "LOST a>b IPv4 SYN 40000>9090 attempts=1",
                "LATE a>b IPv4 SYN 40000>9090 attempts=1 token=2"), join.verdicts.verdicts);
    }

    @Test
    void shouldJoinUdpOnlyOnFirstPacketOfEntry() {
        join.departure("a", "fd00:1::5", 53000, "fd00:2::53", 53).udp().at(T0 + S);
        join.arrival("b", "fd00:1::5", 53000, "fd00:2::53", 53).udp().at(T0 + S + MS);
        join.departure("a", "fd00:1::5", 53001, "fd00:2::53", 53).udp().retransmission().at(T0 + S);
        join.advance(T0 + 20 * S);

        assertEquals(List.of("MATCHED a>b IPv6 UDP-NEW 53000>53 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.IGNORED_NOT_JOIN_SAFE));
    }

    @Test
    void shouldEvictOldestAsUnverifiedWhenFull() {
        JoinHarness small = new JoinHarness(JoinConfig.defaults().withCapacities(4, 4, 4)).allUp();
        for (int i = 0; i < 6; i++) {
            small.departure("a", "10.0.1.5", 40000 + i, "10.0.2.7", 9090).at(T0 + S + i * MS);
        }

        assertEquals(List.of("UNVERIFIED(CAPACITY) a>b IPv4 SYN 40000>9090 attempts=1",
                "UNVERIFIED(CAPACITY) a>b IPv4 SYN 40001>9090 attempts=1"), small.verdicts.verdicts);
        assertEquals(4, small.engine.pendingCount());
        assertEquals(2, small.counters.get(JoinCounters.Global.PENDING_EVICTED));
    }

    @Test
    void shouldNotCallLostADepartureWhoseArrivalWasForgottenForRoom() {
        JoinHarness small = new JoinHarness(JoinConfig.defaults().withCapacities(4, 4, 4)).allUp();
        // b's arrival is read before a's departure (a's stream lags), and before it, more arrivals than the
        // table holds come in that nothing claims (say, clients outside the cluster): the first is forgotten
        small.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        for (int i = 1; i <= 4; i++) {
            small.arrival("b", "10.0.3.9", 50000 + i, "10.0.2.7", 8080).at(T0 + S + i * MS);
        }
        small.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S - MS);
        // a departure to b long after the forgotten arrival is judged as usual
        small.departure("a", "10.0.1.5", 40001, "10.0.2.7", 9090).at(T0 + 20 * S);
        small.advance(T0 + 40 * S);

        assertEquals(1, small.counters.get(JoinCounters.Global.ARRIVALS_EVICTED));
        assertEquals(List.of("UNVERIFIED(CAPACITY) a>b IPv4 SYN 40000>9090 attempts=1",
                "LOST a>b IPv4 SYN 40001>9090 attempts=1"), small.verdicts.verdicts);
    }

    @Test
    void shouldDecideSilentBlackholedPairFromIdleWatermark() {
        // Only departures: the destination b never sends anything, yet verdicts come from b's idle watermark.
        for (int i = 0; i < 10; i++) {
            join.departure("c", "fd00:3::5", 41000 + i, "fd00:2::7", 9090).at(T0 + S + i * 200 * MS);
        }
        join.advance(T0 + 9 * S);

        assertEquals(10, join.verdicts.count("LOST c>b IPv6 SYN"));
    }

    @Test
    void shouldCountPerPairAndFamily() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S + MS);
        join.departure("a", "fd00:1::5", 40000, "fd00:2::7", 9090).at(T0 + S);
        join.advance(T0 + 10 * S);

        JoinCounters counters = join.counters;
        assertEquals(2, counters.pairCount());
        for (int pair = 0; pair < counters.pairCount(); pair++) {
            boolean v6 = counters.pairFamily(pair) == JoinConstants.FAMILY_IPV6;
            assertEquals(v6 ? 0 : 1, counters.pair(pair, JoinCounters.PerPair.MATCHED));
            assertEquals(v6 ? 1 : 0, counters.pair(pair, JoinCounters.PerPair.LOST));
            assertEquals("a", join.dictionary.get(counters.pairSourceNode(pair)));
            assertEquals("b", join.dictionary.get(counters.pairDestinationNode(pair)));
        }
    }

    private static int denseNodeOf(JoinHarness join, String name) {
        int id = join.dictionary.pin(name);
        for (int dense = 0; dense < join.counters.nodeCount(); dense++) {
            if (join.counters.nodeId(dense) == id) {
                return dense;
            }
        }
        throw new AssertionError(name + " has no counters");
    }
}
