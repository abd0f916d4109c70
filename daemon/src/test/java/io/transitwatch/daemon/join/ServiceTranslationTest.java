package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

/**
 * Connections to a service that kube-proxy translates, outside Cilium's view (no kube-proxy
 * replacement, hubble-api.md §4.2; Cilium's own per-packet translation is in the nested class): the
 * client's node reports the SYN to the service address and the reply from it; the server's node
 * reports the SYN arriving at the backend and the reply leaving it. Client 10.0.1.5 on node a,
 * service 10.96.0.10:80 (outside every pod CIDR), backend 10.0.2.7:8080 on b.
 */
class ServiceTranslationTest {
    private static final String SERVICE = "10.96.0.10";
    private static final String CLIENT = "10.0.1.5";
    private static final String BACKEND = "10.0.2.7";

    private final JoinHarness join = new JoinHarness(
            JoinConfig.defaults().withCapacities(1024, 1024, 256).withFirstData(true)).allUp();

    @Test
    void shouldNotCallLostAReplyTheClientsNodeReportsFromTheServiceAddress() {
        join.departure("a", CLIENT, 40000, SERVICE, 80).at(T0 + S);
        join.arrival("b", CLIENT, 40000, BACKEND, 8080).at(T0 + S + MS);
        join.departure("b", BACKEND, 8080, CLIENT, 40000).synAck().at(T0 + S + 2 * MS);
        join.arrival("a", SERVICE, 80, CLIENT, 40000).synAck().at(T0 + S + 3 * MS);
        join.departure("b", BACKEND, 8080, CLIENT, 40000).segment(NodeEvent.TCP_PSH | NodeEvent.TCP_ACK).reply()
                .at(T0 + S + 5 * MS);
        join.arrival("a", SERVICE, 80, CLIENT, 40000).segment(NodeEvent.TCP_PSH | NodeEvent.TCP_ACK).reply()
                .at(T0 + S + 6 * MS);
        join.advance(T0 + 30 * S);

        // The client's node saw the whole round trip; the backend's replies can be judged by nothing else.
        assertEquals(List.of("ANSWERED a> IPv4 SYN 40000>80 attempts=1",
                "UNVERIFIED(REQUEST_UNSEEN) b>a IPv4 SYN-ACK 8080>40000 attempts=1",
                "UNVERIFIED(REQUEST_UNSEEN) b>a IPv4 FIRST-PSH 8080>40000 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.LOST));
    }

    @Test
    void shouldNotCallLostAReplyWhoseClientsSynLeftAtToStackInTunnelMode() {
        // Tunnel mode: the calibration makes TO_OVERLAY the only departure point. kube-proxy's ClusterIP
        // needs the host stack, so the client's SYN leaves at to-stack and is not joined; the backend's
        // SYN-ACK leaves b at to-overlay and arrives at the client from the service address.
        JoinHarness tunnel = new JoinHarness(JoinConfig.defaults().withCapacities(1024, 1024, 256)
                .withDeparturePoints(Set.of(JoinConstants.POINT_TO_OVERLAY))).allUp();
        tunnel.departureAt(JoinConstants.POINT_TO_STACK, "a", CLIENT, 40000, SERVICE, 80)
                .toIdentity(JoinConstants.IDENTITY_WORLD).at(T0 + S);
        tunnel.arrival("b", CLIENT, 40000, BACKEND, 8080).at(T0 + S + MS);
        tunnel.departureAt(JoinConstants.POINT_TO_OVERLAY, "b", BACKEND, 8080, CLIENT, 40000).synAck().reply()
                .at(T0 + S + 2 * MS);
        tunnel.arrival("a", SERVICE, 80, CLIENT, 40000).synAck().reply().at(T0 + S + 3 * MS);
        // a pod's SYN to a pod on b that leaves at to-stack all the same is not a request elsewhere
        tunnel.departureAt(JoinConstants.POINT_TO_STACK, "a", CLIENT, 40001, BACKEND, 8080).at(T0 + S);
        tunnel.arrival("b", CLIENT, 40001, BACKEND, 8080).at(T0 + S + MS);
        tunnel.departureAt(JoinConstants.POINT_TO_OVERLAY, "b", BACKEND, 8080, CLIENT, 40001).synAck().reply()
                .at(T0 + S + 2 * MS);
        tunnel.advance(T0 + 30 * S);

        assertEquals(List.of("UNVERIFIED(REQUEST_UNSEEN) b>a IPv4 SYN-ACK 8080>40000 attempts=1",
                "LOST b>a IPv4 SYN-ACK 8080>40001 attempts=1"), tunnel.verdicts.verdicts);
    }

    @Test
    void shouldStillCatchALostReplyToAClientThatDialledTheBackendItself() {
        // b's stream is ahead of a's: the SYN's arrival and the reply are read before the SYN's departure.
        join.arrival("b", CLIENT, 40000, BACKEND, 8080).at(T0 + S + MS);
        join.departure("b", BACKEND, 8080, CLIENT, 40000).synAck().at(T0 + S + 2 * MS);
        join.departure("a", CLIENT, 40000, BACKEND, 8080).at(T0 + S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED a>b IPv4 SYN 40000>8080 attempts=1",
                "LOST b>a IPv4 SYN-ACK 8080>40000 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldMatchAReplyWhoseRequestTheClientsNodeDidNotReport() {
        // The request's departure is missing (whatever the reason); the reply's arrival still proves delivery.
        join.arrival("b", CLIENT, 40000, BACKEND, 8080).at(T0 + S + MS);
        join.departure("b", BACKEND, 8080, CLIENT, 40000).synAck().at(T0 + S + 2 * MS);
        join.arrival("a", BACKEND, 8080, CLIENT, 40000).synAck().at(T0 + S + 3 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED b>a IPv4 SYN-ACK 8080>40000 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldNotCallLostTheReplyOfAPodBehindAHostPortThatIptablesTranslated() {
        // The client dials b's own address (remote-node, no arrival events: a round trip); the portmap
        // rules on b send it to the pod's port, and give the reply b's address back on its way out.
        join.departure("a", CLIENT, 40000, "192.168.50.2", 8443).toIdentity(JoinConstants.IDENTITY_REMOTE_NODE)
                .at(T0 + S);
        join.arrival("b", CLIENT, 40000, BACKEND, 443).at(T0 + S + MS);
        join.departure("b", BACKEND, 443, CLIENT, 40000).synAck().at(T0 + S + 2 * MS);
        join.arrival("a", "192.168.50.2", 8443, CLIENT, 40000).synAck().at(T0 + S + 3 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("ANSWERED a> IPv4 SYN 40000>8443 attempts=1",
                "UNVERIFIED(REQUEST_UNSEEN) b>a IPv4 SYN-ACK 443>40000 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldKeepCallingLostAReplyToAClientWhoseSynWentToThatVeryServer() {
        // The client's SYN went to the backend itself, not yet placed: nothing was translated on the way.
        String unplaced = "10.0.9.7";
        join.departure("a", CLIENT, 40000, unplaced, 8080).at(T0 + S);
        join.arrival("b", CLIENT, 40000, unplaced, 8080).at(T0 + S + MS);
        join.departure("b", unplaced, 8080, CLIENT, 40000).synAck().at(T0 + S + 2 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("LOST b>a IPv4 SYN-ACK 8080>40000 attempts=1",
                "NO_REPLY a> IPv4 SYN 40000>8080 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldNotCallLostTheSynAckTheBackendReportsAgainWhileTheHandshakeDoesNotComplete() {
        join.departure("a", CLIENT, 40000, SERVICE, 80).at(T0 + S);
        join.arrival("b", CLIENT, 40000, BACKEND, 8080).at(T0 + S + MS);
        // the client's ACK never completes the backend's handshake: it sends the SYN-ACK again, and
        // Cilium reports it again once its 5 s interval has passed (hubble-api.md section 3.3)
        for (long sent : new long[] {2 * MS, 7 * S, 15 * S, 31 * S}) {
            join.departure("b", BACKEND, 8080, CLIENT, 40000).synAck().at(T0 + S + sent);
            join.arrival("a", SERVICE, 80, CLIENT, 40000).synAck().at(T0 + S + sent + MS);
            join.advance(T0 + S + sent + 6 * S);
        }
        join.advance(T0 + 60 * S);

        assertEquals(0, join.verdicts.count("LOST"), join.verdicts.verdicts::toString);
        assertEquals(4, join.verdicts.count("UNVERIFIED(REQUEST_UNSEEN)"), join.verdicts.verdicts::toString);
    }

    @Test
    void shouldNotCallLostAReplyWhoseClientsRequestWasForgottenForRoom() {
        JoinHarness small = new JoinHarness(JoinConfig.defaults().withCapacities(4, 1024, 256)).allUp();
        for (int port = 40001; port <= 40005; port++) { // the fifth forgets the first, 4 ms old
            small.departure("a", CLIENT, port, SERVICE, 80).at(T0 + S + (port - 40000) * MS);
        }
        assertEquals(List.of("UNVERIFIED(CAPACITY) b>a IPv4 SYN-ACK 8080>40001 attempts=1"), lostSynAckFor40001(small));
    }

    @Test
    void shouldSpendNoRoomOnConnectionsThatTheApiServerAnswers() {
        JoinHarness small = new JoinHarness(JoinConfig.defaults().withCapacities(4, 1024, 256)).allUp();
        small.departure("a", CLIENT, 40001, SERVICE, 80).at(T0 + S);
        for (int port = 40002; port <= 40006; port++) { // the API server's replies never leave a pod
            small.departure("a", CLIENT, port, "192.168.50.12", 6443).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                    .at(T0 + S + (port - 40000) * MS);
        }
        assertEquals(List.of("UNVERIFIED(REQUEST_UNSEEN) b>a IPv4 SYN-ACK 8080>40001 attempts=1"),
                lostSynAckFor40001(small));
    }

    /**
     * The backend's half of client port 40001's connection, its SYN-ACK lost: the SYN arrives at b, the
     * SYN-ACK leaves b and never arrives. Returns the SYN-ACK's verdicts once its window has passed.
     */
    private static List<String> lostSynAckFor40001(JoinHarness small) {
        small.arrival("b", CLIENT, 40001, BACKEND, 8080).at(T0 + S + 10 * MS);
        small.departure("b", BACKEND, 8080, CLIENT, 40001).synAck().at(T0 + S + 11 * MS);
        small.advance(T0 + 30 * S);
        return small.verdicts.verdicts.stream().filter(verdict -> verdict.contains("SYN-ACK")).toList();
    }

    @Test
    void shouldJudgeTheClientsOwnSegmentsAsBefore() {
        // a segment the client sends (ESTABLISHED) is no reply, whatever its client did before
        join.arrival("b", CLIENT, 40000, BACKEND, 8080).at(T0 + S + MS);
        join.departure("b", BACKEND, 8080, CLIENT, 40000).synAck().at(T0 + S + 2 * MS);
        join.arrival("a", BACKEND, 8080, CLIENT, 40000).synAck().at(T0 + S + 3 * MS);
        join.departure("a", CLIENT, 40000, BACKEND, 8080).at(T0 + S);
        join.departure("a", CLIENT, 40000, BACKEND, 8080).segment(NodeEvent.TCP_ACK).at(T0 + S + 4 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("MATCHED b>a IPv4 SYN-ACK 8080>40000 attempts=1",
                "MATCHED a>b IPv4 SYN 40000>8080 attempts=1",
                "LOST a>b IPv4 FIRST-ACK 40000>8080 attempts=1"), join.verdicts.verdicts);
    }

    /**
     * The same service translated by Cilium per packet instead (kube-proxy replacement without socket
     * LB for pods, e.g. {@code socketLB.hostNamespaceOnly}; hubble-api.md §4.1, §4.2): the client's SYN
     * leaves already sent to the backend, and the backend's replies reach the client translated back,
     * reported with the backend's address as {@code source}, the service's as {@code source_xlated},
     * and the service's port.
     */
    @Nested
    class CiliumPerPacketLoadBalancing {
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

        @Test
        void shouldRememberATranslatedReplyOnceUnderItsPortlessKey() {
            join.arrival("a", BACKEND, 80, CLIENT, 40000).synAck().reply().snatTo(SERVICE).at(T0 + S + 3 * MS);
            join.arrival("a", BACKEND, 80, CLIENT, 40000).synAck().reply().snatTo(SERVICE).at(T0 + S + 4 * MS);
            assertEquals(1, join.engine.rememberedArrivalCount(), "not under its own key too, nor twice");

            join.departure("b", BACKEND, 8080, CLIENT, 40000).synAck().reply().at(T0 + S + 2 * MS);
            join.advance(T0 + 30 * S);
            assertEquals(List.of("MATCHED b>a IPv4 SYN-ACK 8080>40000 attempts=1"), join.verdicts.verdicts);
            assertEquals(0, join.engine.rememberedArrivalCount(), "the match took it");
        }
    }
}
