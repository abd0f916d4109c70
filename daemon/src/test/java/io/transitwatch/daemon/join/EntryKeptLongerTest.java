package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A UDP flow (or a ping) idle past the non-TCP conntrack lifetime: Cilium deletes expired entries only
 * when each node's garbage collection runs, so the source node may report the next packet NEW (its
 * entry gone) while the destination, whose entry is still there, reports it ESTABLISHED on its 5 s
 * interval (hubble-api.md §3.2, §9.3). That arrival is the departure's packet.
 */
class EntryKeptLongerTest {
    private static final String CLIENT = "10.0.1.5";
    private static final String SERVER = "10.0.2.7";

    private final JoinHarness join = new JoinHarness().allUp();

    @Test
    void shouldMatchAFirstPacketItsDestinationReportedEstablishedInEitherOrder() {
        join.departure("a", CLIENT, 41000, SERVER, 8125).udp().at(T0 + S);
        join.arrival("b", CLIENT, 41000, SERVER, 8125).udp().established().at(T0 + S + MS);
        join.arrival("b", CLIENT, 41001, SERVER, 8125).udp().established().at(T0 + S + MS); // read first
        join.departure("a", CLIENT, 41001, SERVER, 8125).udp().at(T0 + S);
        join.arrival("b", CLIENT, 0, SERVER, 0).echoRequest().established().at(T0 + S + MS);
        join.departure("a", CLIENT, 0, SERVER, 0).echoRequest().at(T0 + S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 UDP-NEW 41000>8125 attempts=1",
                "MATCHED a>b IPv4 UDP-NEW 41001>8125 attempts=1", "MATCHED a>b IPv4 ICMP-ECHO 0>8 attempts=1"),
                join.verdicts.verdicts);
    }

    @Test
    void shouldNotResolveALossAsLateByALaterPacketOfTheFlow() {
        join.departure("a", CLIENT, 41000, SERVER, 8125).udp().at(T0 + S);
        join.advance(T0 + 20 * S);
        join.arrival("b", CLIENT, 41000, SERVER, 8125).udp().established().at(T0 + 20 * S);
        join.advance(T0 + 40 * S);

        assertEquals(List.of("LOST a>b IPv4 UDP-NEW 41000>8125 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.LATE));
    }

    @Test
    void shouldNotLearnClockSkewFromArrivalsThatMayBeAnotherPacket() {
        // eight flows whose destination reports each packet 3 s after its departure: as many matches as the
        // skew estimate takes (TransitBounds), but an ESTABLISHED report may be a later packet of the flow
        assertEquals(0, extraWaitAfterSlowMatches(join, true));
        assertEquals(3 * S, extraWaitAfterSlowMatches(new JoinHarness().allUp(), false), "reported NEW: the same packet");
    }

    /** b's extra wait after {@link TransitBounds#SKEW_SAMPLES} UDP flows matched 3 s after departing. */
    private static long extraWaitAfterSlowMatches(JoinHarness join, boolean established) {
        for (int flow = 0; flow < TransitBounds.SKEW_SAMPLES; flow++) {
            join.departure("a", CLIENT, 41000 + flow, SERVER, 8125).udp().at(T0 + S + flow * MS);
            JoinHarness.Flow arrival = join.arrival("b", CLIENT, 41000 + flow, SERVER, 8125).udp();
            (established ? arrival.established() : arrival).at(T0 + 4 * S + flow * MS);
        }
        join.advance(T0 + 10 * S);
        assertEquals(TransitBounds.SKEW_SAMPLES, join.counters.get(JoinCounters.Global.MATCHED));
        int id = join.dictionary.pin("b");
        for (int dense = 0; dense < join.counters.nodeCount(); dense++) {
            if (join.counters.nodeId(dense) == id) {
                return join.counters.node(dense, JoinCounters.PerNode.EXTRA_WAIT_NANOS);
            }
        }
        throw new AssertionError("b has no counters");
    }

    @Test
    void shouldKeepOneArrivalPerFlowOfANodeThatReportsEveryPacket() {
        // below monitor aggregation medium every packet is reported: a flow's later packets are the one kept again
        join.calibrateNodes(List.of(), List.of("b"));
        for (int packet = 0; packet < 50; packet++) {
            join.arrival("b", CLIENT, 41000, SERVER, 8125).udp().established().at(T0 + S + packet * MS);
        }
        assertEquals(1, join.engine.rememberedArrivalCount());
        join.departure("a", CLIENT, 41000, SERVER, 8125).udp().at(T0 + S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 UDP-NEW 41000>8125 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldKeepANewEchoRequestBesideAnEstablishedOneOfItsKey() {
        // a continuous ping's interval report, then a ping -c1 of its own (another identifier): both kept
        join.arrival("b", CLIENT, 0, SERVER, 0).echoRequest().established().at(T0 + S);
        join.arrival("b", CLIENT, 0, SERVER, 0).echoRequest().at(T0 + 4 * S + MS);
        assertEquals(2, join.engine.rememberedArrivalCount());
        join.departure("a", CLIENT, 0, SERVER, 0).echoRequest().at(T0 + 4 * S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 ICMP-ECHO 0>8 attempts=1"), join.verdicts.verdicts);
    }
}
