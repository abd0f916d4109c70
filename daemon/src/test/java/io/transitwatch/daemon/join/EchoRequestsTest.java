package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Echo requests between the same two pods, one {@code ping -c1} after another: each has an echo
 * identifier of its own, so each opens a conntrack entry and is reported NEW on both nodes
 * (hubble-api.md §3.3), but Hubble shows no identifier (§1.3), so all of them have one key. The
 * streams of the two nodes are not ordered against each other: here b's arrivals are read before a's
 * departures, as when a's stream lags.
 */
class EchoRequestsTest {
    private static final String CLIENT = "10.0.1.5";
    private static final String SERVER = "10.0.2.7";

    private final JoinHarness join = new JoinHarness().allUp();

    @Test
    void shouldMatchEachRequestWhenAllArrivalsAreReadBeforeTheDepartures() {
        for (int request = 0; request < 3; request++) {
            join.arrival("b", CLIENT, 0, SERVER, 0).echoRequest().at(T0 + S + request * 500 * MS + MS);
        }
        assertEquals(3, join.engine.rememberedArrivalCount(), "one arrival per request");
        for (int request = 0; request < 3; request++) {
            join.departure("a", CLIENT, 0, SERVER, 0).echoRequest().at(T0 + S + request * 500 * MS);
        }
        assertEquals(0, join.engine.rememberedArrivalCount(), "each arrival was taken by one departure");
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 ICMP-ECHO 0>8 attempts=1", "MATCHED a>b IPv4 ICMP-ECHO 0>8 attempts=1",
                "MATCHED a>b IPv4 ICMP-ECHO 0>8 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.DUPLICATE_ARRIVALS));
    }

    @Test
    void shouldMatchEveryRequestOfALongRunWhileTheSourcesStreamLagsOneRequestBehind() {
        // ping -c1 every 2 s for 40 s; a's stream delivers each departure only after b's next arrival. Each
        // arrival is remembered on its own, so each expires on its own time, never with an older one.
        long interval = 2 * S;
        int requests = 20;
        for (int request = 0; request <= requests; request++) {
            long sent = T0 + S + request * interval;
            if (request < requests) {
                join.arrival("b", CLIENT, 0, SERVER, 0).echoRequest().at(sent + MS);
            }
            if (request > 0) {
                join.departure("a", CLIENT, 0, SERVER, 0).echoRequest().at(sent - interval);
            }
            join.advance(sent + 2 * MS);
        }
        join.advance(T0 + requests * interval + 30 * S);

        assertEquals(requests, join.counters.get(JoinCounters.Global.MATCHED), join.verdicts.verdicts::toString);
        assertEquals(0, join.counters.get(JoinCounters.Global.LOST));
    }

    @Test
    void shouldStillCallLostTheRequestWhoseArrivalNeverCame() {
        join.arrival("b", CLIENT, 0, SERVER, 0).echoRequest().at(T0 + S + MS);
        join.departure("a", CLIENT, 0, SERVER, 0).echoRequest().at(T0 + S);
        join.departure("a", CLIENT, 0, SERVER, 0).echoRequest().at(T0 + S + 500 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 ICMP-ECHO 0>8 attempts=1", "LOST a>b IPv4 ICMP-ECHO 0>8 attempts=1"),
                join.verdicts.verdicts);
    }

    @Test
    void shouldKeepOneArrivalForATcpSynReportedTwice() {
        // a TCP key names its ports: a SYN arriving twice under one key is one packet reported twice (or a
        // retransmission), which leaves nothing for a second departure
        join.arrival("b", CLIENT, 40000, SERVER, 9090).at(T0 + S + MS);
        join.arrival("b", CLIENT, 40000, SERVER, 9090).at(T0 + S + 2 * MS);
        join.departure("a", CLIENT, 40000, SERVER, 9090).at(T0 + S);

        assertEquals(0, join.engine.rememberedArrivalCount(), "the duplicate left no arrival behind");
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.DUPLICATE_ARRIVALS));
    }
}
