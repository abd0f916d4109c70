package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Connections to a service that Cilium translates per packet (kube-proxy replacement without socket LB
 * for pods, e.g. {@code socketLB.hostNamespaceOnly}; hubble-api.md §4.1, §4.2): the client's SYN leaves
 * already sent to the backend, and the backend's replies reach the client translated back, reported
 * with the backend's address as {@code source}, the service's as {@code source_xlated}, and the
 * service's port. Client 10.0.1.5 on node a, service 10.96.0.10:80, backend 10.0.2.7:8080 on b.
 */
class ReverseTranslatedReplyTest {
    private static final String SERVICE = "10.96.0.10";
    private static final String CLIENT = "10.0.1.5";
    private static final String BACKEND = "10.0.2.7";

    private final JoinHarness join = new JoinHarness(
            JoinConfig.defaults().withCapacities(1024, 1024, 256).withFirstData(true)).allUp();

    @Test
    void shouldMatchRepliesThatReachTheClientFromTheServicesPort() {
        join.departure("a", CLIENT, 40000, BACKEND, 8080).at(T0 + S);
        join.arrival("b", CLIENT, 40000, BACKEND, 8080).at(T0 + S + MS);
        join.departure("b", BACKEND, 8080, CLIENT, 40000).synAck().reply().at(T0 + S + 2 * MS);
        join.arrival("a", BACKEND, 80, CLIENT, 40000).synAck().reply().snatTo(SERVICE).at(T0 + S + 3 * MS);
        // the backend's first data: its arrival read first (a's stream ahead of b's)
        join.arrival("a", BACKEND, 80, CLIENT, 40000).segment(NodeEvent.TCP_PSH | NodeEvent.TCP_ACK).reply()
                .snatTo(SERVICE).at(T0 + S + 6 * MS);
        join.departure("b", BACKEND, 8080, CLIENT, 40000).segment(NodeEvent.TCP_PSH | NodeEvent.TCP_ACK).reply()
                .at(T0 + S + 5 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>8080 attempts=1",
                "MATCHED b>a IPv4 SYN-ACK 8080>40000 attempts=1",
                "MATCHED b>a IPv4 FIRST-PSH 8080>40000 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.LOST));
    }

    @Test
    void shouldStillCatchALostReplyWhenOtherRepliesWereTranslated() {
        // port 40000's reply arrives translated; port 40001's never arrives, and port 40002's arrives
        // translated from another backend, which is not this reply
        for (int port = 40000; port <= 40002; port++) {
            join.departure("a", CLIENT, port, BACKEND, 8080).at(T0 + S);
            join.arrival("b", CLIENT, port, BACKEND, 8080).at(T0 + S + MS);
            join.departure("b", BACKEND, 8080, CLIENT, port).synAck().reply().at(T0 + S + 2 * MS);
        }
        join.arrival("a", BACKEND, 80, CLIENT, 40000).synAck().reply().snatTo(SERVICE).at(T0 + S + 3 * MS);
        join.arrival("a", "10.0.2.8", 80, CLIENT, 40002).synAck().reply().snatTo(SERVICE).at(T0 + S + 3 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED b>a IPv4 SYN-ACK 8080>40000 attempts=1",
                "LOST b>a IPv4 SYN-ACK 8080>40001 attempts=1",
                "LOST b>a IPv4 SYN-ACK 8080>40002 attempts=1"), join.verdicts.verdicts.stream()
                        .filter(verdict -> verdict.contains("SYN-ACK")).toList());
    }

    @Test
    void shouldNotMatchATranslatedReplyThatArrivedAfterTheWindow() {
        join.departure("a", CLIENT, 40000, BACKEND, 8080).at(T0 + S);
        join.arrival("b", CLIENT, 40000, BACKEND, 8080).at(T0 + S + MS);
        join.departure("b", BACKEND, 8080, CLIENT, 40000).synAck().reply().at(T0 + S + 2 * MS);
        long window = join.engine.config().window().toNanos();
        join.arrival("a", BACKEND, 80, CLIENT, 40000).synAck().reply().snatTo(SERVICE)
                .at(T0 + S + 3 * MS + window);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>8080 attempts=1",
                "LOST b>a IPv4 SYN-ACK 8080>40000 attempts=1"), join.verdicts.verdicts);
    }
}
