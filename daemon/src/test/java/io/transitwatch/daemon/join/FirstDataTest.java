package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * First data (DESIGN §3.8): with ACK and PSH in the aggregation flags, each direction's first ACK-only
 * and first PSH segment are joined like the SYN; later segments (interval reports) never are.
 */
class FirstDataTest {
    private static final int ACK = NodeEvent.TCP_ACK;
    private static final int PSH_ACK = NodeEvent.TCP_PSH | NodeEvent.TCP_ACK;

    private final JoinHarness join = new JoinHarness(
            JoinConfig.defaults().withCapacities(1024, 1024, 256).withFirstData(true)).allUp();

    /** A handshake a -> b that completes: SYN and SYN-ACK both arrive. */
    private void handshake(JoinHarness on, long at) {
        on.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).at(at);
        on.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 5001).at(at + MS);
        on.departure("b", "10.0.2.7", 5001, "10.0.1.5", 40000).synAck().at(at + 2 * MS);
        on.arrival("a", "10.0.2.7", 5001, "10.0.1.5", 40000).synAck().at(at + 3 * MS);
    }

    @Test
    void shouldReportFirstDataLostWhileTheHandshakeMatches() {
        handshake(join, T0 + S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(ACK).at(T0 + S + 4 * MS);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(ACK).at(T0 + S + 5 * MS);
        // the full-size ClientHello never arrives (MTU blackhole)
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + S + 4 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>5001 attempts=1",
                "MATCHED b>a IPv4 SYN-ACK 5001>40000 attempts=1",
                "MATCHED a>b IPv4 FIRST-ACK 40000>5001 attempts=1",
                "LOST a>b IPv4 FIRST-PSH 40000>5001 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldNotJudgeASegmentAfterTheSourceLostEventsSinceItsHandshake() {
        handshake(join, T0 + S);
        // a's perf ring overflowed: its first PSH segment may be among the events lost, and the one it reports
        // 5 s later an aggregation-interval report, which b does not report
        join.lostEvents("a", T0 + 2 * S, 12, T0 + 2 * S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + 6 * S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>5001 attempts=1",
                "MATCHED b>a IPv4 SYN-ACK 5001>40000 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.IGNORED_NOT_FIRST_DATA));
    }

    /**
     * First data is judged within the memory (W + arrival memory) of the handshake by the segment's own
     * time, whenever the expiry passes run: the single process runs them on its clock, a partition of
     * the scaled mode on heartbeats, and the two must agree (ScaledEquivalenceIT once saw a FIRST-PSH
     * 14.01 s after its SYN-ACK judged LOST by a partition whose pass had not yet run, and ignored by
     * the single process, whose pass had).
     */
    @Test
    void shouldJudgeFirstDataByTheSegmentsTimeWheneverTheExpiryPassesRan() {
        JoinConfig config = JoinConfig.defaults().withCapacities(1024, 1024, 256).withFirstData(true);
        long memory = config.window().toNanos() + config.arrivalMemory().toNanos();
        long handshakeAt = T0 + S;

        JoinHarness passedEarly = new JoinHarness(config).allUp();
        handshake(passedEarly, handshakeAt);
        passedEarly.advance(handshakeAt + memory + 2 * S); // a pass past the memory, before the segment is read
        passedEarly.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK)
                .atWithNow(handshakeAt + memory - 100 * MS, handshakeAt + memory + 2 * S);
        passedEarly.advance(handshakeAt + memory + 60 * S);
        assertEquals(1, firstData(passedEarly).size(), "within the memory, read late: " + firstData(passedEarly));

        JoinHarness noPassYet = new JoinHarness(config).allUp();
        handshake(noPassYet, handshakeAt);
        noPassYet.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(handshakeAt + memory + 100 * MS);
        noPassYet.advance(handshakeAt + memory + 60 * S);
        assertEquals(List.of(), firstData(noPassYet), "past the memory, no pass yet: not first data");
    }

    /**
     * Found by ScaledEquivalenceIT: a server's SYN-ACK is lost twice and reported again with each of
     * the client's SYN retransmissions; the third gets through 14 s after the first, and the server's
     * first PSH right after it is lost (an MTU blackhole). Whether the join still holds the first
     * report's loss (the single process did and counted the re-reports as its attempts; a partition
     * had judged that report at its streams' first moments and took the second for a new departure)
     * must not decide whether the PSH is first data: every report of the handshake refreshes it.
     */
    @Test
    void shouldJudgeFirstDataAfterAHandshakeReportedAgainForLongerThanTheMemory() {
        JoinConfig config = JoinConfig.defaults().withCapacities(1024, 1024, 256).withFirstData(true);
        JoinHarness heldTheLoss = new JoinHarness(config).allUp();
        JoinHarness missedTheFirstReport = new JoinHarness(config).allUp();
        for (JoinHarness on : List.of(heldTheLoss, missedTheFirstReport)) {
            on.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).at(T0 + S);
            on.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 5001).at(T0 + S + MS);
        }
        heldTheLoss.departure("b", "10.0.2.7", 5001, "10.0.1.5", 40000).synAck().at(T0 + S + 2 * MS);
        for (JoinHarness on : List.of(heldTheLoss, missedTheFirstReport)) {
            on.advance(T0 + 7 * S);
            on.departure("b", "10.0.2.7", 5001, "10.0.1.5", 40000).synAck().at(T0 + 7 * S + 2 * MS);
            on.advance(T0 + 15 * S);
            on.departure("b", "10.0.2.7", 5001, "10.0.1.5", 40000).synAck().at(T0 + 15 * S + 2 * MS);
            on.arrival("a", "10.0.2.7", 5001, "10.0.1.5", 40000).synAck().at(T0 + 15 * S + 3 * MS);
            on.departure("b", "10.0.2.7", 5001, "10.0.1.5", 40000).segment(PSH_ACK).at(T0 + 15 * S + 4 * MS);
            on.advance(T0 + 60 * S);
        }

        assertEquals(List.of("LOST b>a IPv4 FIRST-PSH 5001>40000 attempts=1"), firstData(heldTheLoss),
                "the loss held: " + heldTheLoss.verdicts.verdicts);
        assertEquals(firstData(heldTheLoss), firstData(missedTheFirstReport),
                "the first report missed: " + missedTheFirstReport.verdicts.verdicts);
    }

    /**
     * A new connection on a tuple whose last one carried data, within the memory: its SYN reopens the
     * direction (Cilium's conntrack resets the flags it has seen), so its own first data is judged.
     */
    @Test
    void shouldJudgeTheFirstDataOfANewConnectionOnATupleThatCarriedDataBefore() {
        handshake(join, T0 + S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + S + 4 * MS);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + S + 5 * MS);
        handshake(join, T0 + 3 * S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + 3 * S + 4 * MS);
        join.advance(T0 + 60 * S);

        assertEquals(List.of("MATCHED a>b IPv4 FIRST-PSH 40000>5001 attempts=1",
                "LOST a>b IPv4 FIRST-PSH 40000>5001 attempts=1"), firstData(join));
    }

    /**
     * A duplicate report of a handshake read after its direction's first data (two observers of one
     * node, a backfill overlap) reopens nothing: the later interval reports stay unjudged.
     */
    @Test
    void shouldNotReopenADirectionOnADuplicateReportOfItsHandshake() {
        handshake(join, T0 + S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + S + 4 * MS);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + S + 5 * MS);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).at(T0 + S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + 6 * S);
        join.advance(T0 + 60 * S);

        assertEquals(List.of("MATCHED a>b IPv4 FIRST-PSH 40000>5001 attempts=1"), firstData(join));
    }

    private static List<String> firstData(JoinHarness on) {
        return on.verdicts.verdicts.stream().filter(verdict -> verdict.contains(" FIRST-")).toList();
    }

    @Test
    void shouldNeverJoinIntervalReportsOfTheSameFlags() {
        handshake(join, T0 + S);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + S + 4 * MS);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + S + 5 * MS);
        join.departure("b", "10.0.2.7", 5001, "10.0.1.5", 40000).segment(PSH_ACK).at(T0 + S + 6 * MS);
        join.arrival("a", "10.0.2.7", 5001, "10.0.1.5", 40000).segment(PSH_ACK).at(T0 + S + 7 * MS);
        // 5 s later each node reports a segment again on its own interval, unaligned with the other
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + 6 * S + 10 * MS);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(ACK).at(T0 + 6 * S + 20 * MS);
        join.departure("b", "10.0.2.7", 5001, "10.0.1.5", 40000).segment(ACK).at(T0 + 6 * S + 30 * MS);
        join.advance(T0 + 60 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>5001 attempts=1",
                "MATCHED b>a IPv4 SYN-ACK 5001>40000 attempts=1",
                "MATCHED a>b IPv4 FIRST-PSH 40000>5001 attempts=1",
                "MATCHED b>a IPv4 FIRST-PSH 5001>40000 attempts=1"), join.verdicts.verdicts);
        assertEquals(3, join.counters.get(JoinCounters.Global.IGNORED_NOT_FIRST_DATA));
    }

    @Test
    void shouldIgnoreDataOfConnectionsWhoseHandshakeWasNotSeen() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of(), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.IGNORED_NOT_FIRST_DATA));
    }

    /**
     * Found by {@link JoinPropertyTest}: a second handshake on a tuple refreshed its entry in place,
     * out of time order, and kept the handshakes queued behind it from expiring.
     */
    @Test
    void shouldForgetAHandshakeAfterTheMemoryEvenWhenAnOlderTupleHandshakesAgain() {
        long memory = 10 * S; // W + arrival memory
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).at(T0 + S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 5001).at(T0 + S + MS);
        join.departure("a", "10.0.1.5", 40001, "10.0.2.7", 5001).at(T0 + 2 * S);
        join.arrival("b", "10.0.1.5", 40001, "10.0.2.7", 5001).at(T0 + 2 * S + MS);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).at(T0 + 9 * S); // a new connection on the tuple
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 5001).at(T0 + 9 * S + MS);
        join.advance(T0 + 2 * S + memory + S);
        // 40001's handshake is forgotten: its first ACK, so late, is not known to be first data
        join.departure("a", "10.0.1.5", 40001, "10.0.2.7", 5001).segment(ACK).at(T0 + 2 * S + memory + S);
        join.arrival("b", "10.0.1.5", 40001, "10.0.2.7", 5001).segment(ACK).at(T0 + 2 * S + memory + S + MS);
        // 40000's second handshake is remembered
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(ACK).at(T0 + 2 * S + memory + S);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(ACK).at(T0 + 2 * S + memory + S + MS);
        join.advance(T0 + 40 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>5001 attempts=1",
                "MATCHED a>b IPv4 SYN 40001>5001 attempts=1",
                "MATCHED a>b IPv4 SYN 40000>5001 attempts=1",
                "MATCHED a>b IPv4 FIRST-ACK 40000>5001 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.IGNORED_NOT_FIRST_DATA));
    }

    /**
     * Handshakes expire from the head of their one FIFO lane, and a handshake backfilled after its
     * node's reconnect is inserted behind newer ones (another node's), past the head the expiry pass
     * looks at. Past the memory it is forgotten all the same: a segment after that is not known to be
     * first data.
     */
    @Test
    void shouldForgetABackfilledHandshakeAfterTheMemoryWhileNewerOnesHeadTheLane() {
        join.down("a", T0 + 1500 * MS);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 5001).at(T0 + 2 * S + MS);
        join.departure("c", "10.0.3.5", 41000, "10.0.2.7", 5001).at(T0 + 8 * S); // heads the lane
        join.arrival("b", "10.0.3.5", 41000, "10.0.2.7", 5001).at(T0 + 8 * S + MS);
        join.up("a", T0 + 8200 * MS, true);
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).backfilled().atWithNow(T0 + 2 * S, T0 + 8300 * MS);
        join.unjoinableEvent("a", T0 + 8400 * MS); // a is live again: its backfill is read
        join.advance(T0 + 13 * S); // memory 10 s: the handshake of T0 + 2 s is past it, behind the one of T0 + 8 s
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(ACK).at(T0 + 13500 * MS);
        join.arrival("b", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(ACK).at(T0 + 13501 * MS);
        join.advance(T0 + 40 * S);

        assertEquals(List.of("MATCHED c>b IPv4 SYN 41000>5001 attempts=1",
                "MATCHED a>b IPv4 SYN 40000>5001 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.IGNORED_NOT_FIRST_DATA));
    }

    @Test
    void shouldJoinNoFirstDataWhenTheFlagsDoNotReportIt() {
        JoinHarness synFinRst = new JoinHarness().allUp(); // defaults: first data not join-safe
        handshake(synFinRst, T0 + S);
        synFinRst.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(ACK).at(T0 + S + 4 * MS);
        synFinRst.departure("a", "10.0.1.5", 40000, "10.0.2.7", 5001).segment(PSH_ACK).at(T0 + S + 4 * MS);
        synFinRst.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>5001 attempts=1",
                "MATCHED b>a IPv4 SYN-ACK 5001>40000 attempts=1"), synFinRst.verdicts.verdicts);
        assertEquals(0, synFinRst.verdicts.verdicts.stream().filter(v -> v.contains("FIRST-")).count());
    }
}
