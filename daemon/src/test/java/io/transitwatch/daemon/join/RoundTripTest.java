package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Round trips judged on the client's node (DESIGN §3.7): attempts to destinations that never report
 * an arrival (API server, host, world, outside every pod CIDR) and the reply delivered to the client.
 * The harness's pod CIDRs are 10.0.{1,2,3}.0/24 and fd00:{1,2,3}::/64; 192.168.50.12 and
 * fd00:101::12 stand for a control-plane node's address.
 */
class RoundTripTest {
    private static final String API_V6 = "fd00:101::12";
    private static final String API_V4 = "192.168.50.12";

    private final JoinHarness join = new JoinHarness().allUp();

    @Test
    void shouldAnswerAttemptWhoseSynAckReachesTheClient() {
        join.departure("a", "fd00:1::5", 40000, API_V6, 6443).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .at(T0 + S);
        // reverse NAT: the reply comes from the service address, not the backend
        join.arrival("a", "fd00:101:96::1", 443, "fd00:1::5", 40000).synAck().at(T0 + S + 3 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("ANSWERED a> IPv6 SYN 40000>6443 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.ANSWERED));
        assertEquals(0, join.counters.get(JoinCounters.Global.DEPARTURES), "not a two-end departure");
        assertEquals(0, join.engine.roundTripCount());
    }

    @Test
    void shouldReportUnansweredAttemptOnceWithItsRetransmissions() {
        join.departure("a", "fd00:1::5", 40000, API_V6, 6443).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .at(T0 + S);
        join.departure("a", "fd00:1::5", 40000, API_V6, 6443).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .retransmission().at(T0 + 4 * S);

        join.advance(T0 + 5 * S);
        assertEquals(List.of(), join.verdicts.verdicts, "window (5 s) not over yet");

        join.advance(T0 + 7 * S);
        assertEquals(List.of("NO_REPLY a> IPv6 SYN 40000>6443 attempts=2"), join.verdicts.verdicts);

        join.departure("a", "fd00:1::5", 40000, API_V6, 6443).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .retransmission().at(T0 + 8 * S);
        join.advance(T0 + 30 * S);
        assertEquals(1, join.verdicts.count("NO_REPLY"), "a later retransmission starts no new attempt");
        assertEquals(1, join.counters.node(0, JoinCounters.PerNode.NO_REPLY));
    }

    @Test
    void shouldJudgeAddressesOutsideEveryPodCidrWhateverTheirIdentity() {
        join.departure("b", "10.0.2.7", 51000, "203.0.113.9", 443).at(T0 + S); // a pod to the world
        join.advance(T0 + 30 * S);

        assertEquals(List.of("NO_REPLY b> IPv4 SYN 51000>443 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldNotJudgeAttemptsWhoseClientIsNoEndpointOfTheNode() {
        // hubble-api.md §10, a real Cilium 1.19.1 flow: the node's own host stack (kubelet, a hostNetwork pod)
        // sends a SYN to the world, reported at TO_NETWORK with trace_reason NEW; its reply goes up the host
        // stack, which reports no TO_ENDPOINT, so judging it would make every such connection NO_REPLY.
        join.departure("b", API_V4, 51000, "203.0.113.9", 443).fromIdentity(JoinConstants.IDENTITY_HOST)
                .toIdentity(JoinConstants.IDENTITY_WORLD).fromOutsideAnyEndpoint().at(T0 + S);
        join.departure("b", API_V4, 51001, "203.0.113.9", 443).fromIdentity(JoinConstants.IDENTITY_HOST)
                .at(T0 + S); // the host endpoint (host firewall) has an ID; its replies still go to the stack
        // an L7 proxy's upstream connection keeps its client pod's identity but has no endpoint: the reply goes to the proxy
        join.departure("a", "10.0.1.5", 40000, API_V4, 6443).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .fromOutsideAnyEndpoint().at(T0 + S);
        join.departure("a", "10.0.1.6", 40001, API_V4, 6443).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .fromIdentity(JoinConstants.IDENTITY_INGRESS).at(T0 + S); // Cilium Ingress's Envoy
        join.advance(T0 + 30 * S);

        assertEquals(List.of(), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.ROUND_TRIPS));
        assertEquals(3, join.counters.get(JoinCounters.Global.IGNORED_EXCLUDED_IDENTITY));
        assertEquals(1, join.counters.get(JoinCounters.Global.IGNORED_UNRESOLVED_DESTINATION));
    }

    @Test
    void shouldJudgeNoArrivalFromIdentitiesWithoutOneInsidePodCidrs() {
        // Cilium Ingress's Envoy (identity 8) connects to backends from node a's ingress address, inside a's pod
        // CIDR; the backend's SYN-ACK is delivered up a's host stack to Envoy, which reports no to-endpoint
        join.departure("b", "10.0.2.7", 8080, "10.0.1.250", 40000).synAck()
                .toIdentity(JoinConstants.IDENTITY_INGRESS).at(T0 + S);
        // a pod Cilium does not manage (identity 3) has no endpoint program to report its arrivals: a round trip
        join.departure("a", "10.0.1.5", 40001, "10.0.2.99", 80).toIdentity(JoinConstants.IDENTITY_UNMANAGED)
                .at(T0 + S);
        join.arrival("a", "10.0.2.99", 80, "10.0.1.5", 40001).synAck().fromIdentity(JoinConstants.IDENTITY_UNMANAGED)
                .at(T0 + S + 2 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("ANSWERED a>b IPv4 SYN 40001>80 attempts=1"), join.verdicts.verdicts,
                "named by b's pod CIDR");
        assertEquals(0, join.counters.get(JoinCounters.Global.DEPARTURES), "neither joined end to end");
        assertEquals(1, join.counters.get(JoinCounters.Global.IGNORED_EXCLUDED_IDENTITY), "the reply to Envoy");
    }

    @Test
    void shouldNotCallNoReplyAnAttemptWhoseReplyWasForgottenForRoom() {
        JoinHarness small = new JoinHarness(JoinConfig.defaults().withCapacities(4, 4, 4)).allUp();
        small.arrival("b", API_V4, 10250, "10.0.2.24", 52016).synAck().fromIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .at(T0 + S);
        for (int i = 1; i <= 4; i++) { // replies whose attempts are read later still, more than the table holds
            small.arrival("b", API_V4, 10250, "10.0.2.25", 53000 + i).synAck()
                    .fromIdentity(JoinConstants.IDENTITY_KUBE_APISERVER).at(T0 + S + i * MS);
        }
        small.departure("b", "10.0.2.24", 52016, API_V4, 10250).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .at(T0 + S + 13 * MS);
        small.advance(T0 + 30 * S);

        assertEquals(List.of("UNVERIFIED(CAPACITY) b> IPv4 SYN 52016>10250 attempts=1"), small.verdicts.verdicts);
    }

    @Test
    void shouldAnswerAttemptWhoseReplyWasReadFirst() {
        // Hubble reads per-CPU rings: the SYN-ACK can be stamped and sent before the SYN
        join.arrival("b", API_V4, 10250, "10.0.2.24", 52016).synAck().fromIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .at(T0 + S);
        join.departure("b", "10.0.2.24", 52016, API_V4, 10250).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .at(T0 + S + 13 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("ANSWERED b> IPv4 SYN 52016>10250 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldAnswerAttemptOutsideEveryPodCidrWhoseReplyWasReadFirstWhateverItsIdentity() {
        // a pod of another ClusterMesh cluster: an ordinary identity at an address no pod CIDR here covers
        join.arrival("a", "10.8.0.5", 8080, "10.0.1.5", 40000).synAck().at(T0 + S + 2 * MS);
        join.departure("a", "10.0.1.5", 40000, "10.8.0.5", 8080).at(T0 + S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("ANSWERED a> IPv4 SYN 40000>8080 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.ROUND_TRIPS));
    }

    /**
     * Remembered replies expire from the head of their one FIFO lane, and a reply backfilled after its
     * client node's reconnect is inserted behind newer ones (another node's), past the head the expiry
     * pass looks at. Until the pass reaches it, the client's port may be reused: {@code refusedBefore}
     * is delivered on node a at T0 + 2 s (a RST when set, else a SYN-ACK) and outlives the horizon
     * (T0 + 3 s at T0 + 13 s) behind a reply of T0 + 8 s on node b.
     */
    private void backfillAReplyBehindANewerOne(boolean refusedBefore) {
        join.down("a", T0 + 1500 * MS);
        join.arrival("b", API_V4, 10250, "10.0.2.24", 52016).synAck()
                .fromIdentity(JoinConstants.IDENTITY_KUBE_APISERVER).at(T0 + 8 * S); // its attempt unseen: heads the lane
        join.up("a", T0 + 8200 * MS, true);
        JoinHarness.Flow reply = join.arrival("a", API_V4, 6443, "10.0.1.5", 40000);
        (refusedBefore ? reply.rst() : reply.synAck()).fromIdentity(JoinConstants.IDENTITY_KUBE_APISERVER).backfilled()
                .atWithNow(T0 + 2 * S, T0 + 8300 * MS);
        join.unjoinableEvent("a", T0 + 8400 * MS); // a is live again: its backfill is read
        join.advance(T0 + 13 * S);
    }

    @Test
    void shouldNotAnswerANewAttemptWithAReplyPastItsExpiry() {
        backfillAReplyBehindANewerOne(false);
        join.departure("a", "10.0.1.5", 40000, API_V4, 6443).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .at(T0 + 13500 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("NO_REPLY a> IPv4 SYN 40000>6443 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldRememberAReplyReadBeforeItsAttemptInPlaceOfOnePastItsExpiry() {
        backfillAReplyBehindANewerOne(true);
        join.arrival("a", API_V4, 6443, "10.0.1.5", 40000).synAck().fromIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .at(T0 + 13501 * MS);
        join.departure("a", "10.0.1.5", 40000, API_V4, 6443).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .at(T0 + 13500 * MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("ANSWERED a> IPv4 SYN 40000>6443 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldCallRstReplyRefusedNeverNoReply() {
        join.departure("a", "10.0.1.5", 40000, API_V4, 6443).toIdentity(JoinConstants.IDENTITY_REMOTE_NODE)
                .at(T0 + S);
        join.arrival("a", API_V4, 6443, "10.0.1.5", 40000).rst().at(T0 + S + MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("REFUSED a> IPv4 SYN 40000>6443 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.NO_REPLY));
    }

    @Test
    void shouldNotCountReplyAfterTheWindowAsAnswer() {
        join.departure("a", "10.0.1.5", 40000, API_V4, 6443).toIdentity(JoinConstants.IDENTITY_HOST).at(T0 + S);
        join.arrival("a", API_V4, 6443, "10.0.1.5", 40000).synAck().at(T0 + 7 * S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("NO_REPLY a> IPv4 SYN 40000>6443 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldKeyOnTheClientBeforeMasquerade() {
        // tunnel mode masquerades pod -> node IP at to-netdev; the reply is delivered to the pod after reverse SNAT
        join.departure("a", "10.0.1.5", 40000, API_V4, 6443).snatTo("192.168.50.11")
                .toIdentity(JoinConstants.IDENTITY_REMOTE_NODE).at(T0 + S);
        join.arrival("a", API_V4, 6443, "10.0.1.5", 40000).synAck().at(T0 + S + MS);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("ANSWERED a> IPv4 SYN 40000>6443 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldTakeTheMasqueradePathsReportOfAnAttemptOnceWhateverPortSnatGaveIt() {
        // BPF masquerade: node a reports each attempt from the pod's program (its own port) and again from the
        // SNAT path (source_xlated, the port after SNAT); the reply is delivered to the pod's own port
        String world = "203.0.113.9";
        join.departure("a", "10.0.1.5", 40000, world, 443).toIdentity(JoinConstants.IDENTITY_WORLD).at(T0 + S);
        join.departure("a", "10.0.1.5", 40000, world, 443).toIdentity(JoinConstants.IDENTITY_WORLD)
                .snatTo("192.168.50.11").at(T0 + S + 1);
        join.arrival("a", world, 443, "10.0.1.5", 40000).synAck().fromIdentity(JoinConstants.IDENTITY_WORLD)
                .at(T0 + S + 20 * MS);
        // port 40001 was taken on the node's address: SNAT gave the connection 51234
        join.departure("a", "10.0.1.5", 40001, world, 443).toIdentity(JoinConstants.IDENTITY_WORLD).at(T0 + 2 * S);
        join.departure("a", "10.0.1.5", 51234, world, 443).toIdentity(JoinConstants.IDENTITY_WORLD)
                .snatTo("192.168.50.11").at(T0 + 2 * S + 1);
        join.arrival("a", world, 443, "10.0.1.5", 40001).synAck().fromIdentity(JoinConstants.IDENTITY_WORLD)
                .at(T0 + 2 * S + 20 * MS);
        // node b shows only the SNAT path's reports: they are its attempts
        join.departure("b", "10.0.2.5", 52000, world, 443).toIdentity(JoinConstants.IDENTITY_WORLD)
                .snatTo("192.168.50.12").at(T0 + 2 * S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("ANSWERED a> IPv4 SYN 40000>443 attempts=1", "ANSWERED a> IPv4 SYN 40001>443 attempts=1",
                "NO_REPLY b> IPv4 SYN 52000>443 attempts=1"), join.verdicts.verdicts);
        assertEquals(2, join.counters.get(JoinCounters.Global.DUPLICATE_DEPARTURES));
    }

    @Test
    void shouldJudgeDnsRequestsToTheHostButNotOtherUdp() {
        join.departure("c", "10.0.3.5", 33000, API_V4, 53).udp().toIdentity(JoinConstants.IDENTITY_HOST)
                .at(T0 + S);
        join.departure("c", "10.0.3.5", 33001, API_V4, 53).udp().toIdentity(JoinConstants.IDENTITY_HOST)
                .at(T0 + S);
        join.arrival("c", API_V4, 53, "10.0.3.5", 33001).udp().reply().at(T0 + S + MS);
        join.departure("c", "10.0.3.5", 33002, API_V4, 5353).udp().toIdentity(JoinConstants.IDENTITY_HOST)
                .at(T0 + S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("ANSWERED c> IPv4 UDP-NEW 33001>53 attempts=1",
                "NO_REPLY c> IPv4 UDP-NEW 33000>53 attempts=1"), join.verdicts.verdicts);
        assertEquals(1, join.counters.get(JoinCounters.Global.IGNORED_EXCLUDED_IDENTITY), "UDP 5353 is no attempt");
    }

    @Test
    void shouldBeUnverifiedWhenTheClientsStreamWasDownDuringTheWindow() {
        join.departure("a", "fd00:1::5", 40000, API_V6, 6443).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .at(T0 + S);
        join.streamDown("a", T0 + 2 * S);
        join.advance(T0 + 60 * S);

        assertEquals(List.of("UNVERIFIED(OBSERVER_DOWN) a> IPv6 SYN 40000>6443 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.NO_REPLY));
    }

    @Test
    void shouldBeUnverifiedWhenTheClientLostEventsDuringTheWindow() {
        join.departure("a", "fd00:1::5", 40000, API_V6, 6443).toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER)
                .at(T0 + S);
        join.lostEvents("a", T0 + 3 * S, 20, T0 + 3 * S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("UNVERIFIED(LOST_EVENTS) a> IPv6 SYN 40000>6443 attempts=1"), join.verdicts.verdicts);
    }

    @Test
    void shouldKeepPodToPodAttemptsOnTheTwoEndJoin() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.advance(T0 + 30 * S);

        assertEquals(List.of("LOST a>b IPv4 SYN 40000>9090 attempts=1"), join.verdicts.verdicts);
        assertEquals(0, join.counters.get(JoinCounters.Global.ROUND_TRIPS));
    }
}
