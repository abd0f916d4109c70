package io.transitwatch.daemon.incident;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.join.JoinHarness;
import io.transitwatch.daemon.testsupport.JsonSchemas;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.NodeAddressBook;
import io.transitwatch.daemon.topology.NodeAddressSource;
import io.transitwatch.daemon.topology.NodeAddresses;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.EventIds;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import io.transitwatch.sinks.json.EventJson;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * How round trips name their destination (DESIGN §3.7) in alerts, incidents and the per-destination
 * tally: the API server by identity 7 or by its reserved:kube-apiserver label on a CIDR identity
 * (hubble-api.md §10), a node by the address snapshots the join receives, a node named by its own
 * address, else host / world. The harness's pod CIDRs are 10.0.{1,2,3}.0/24 and fd00:{1,2,3}::/64.
 */
class RoundTripNamingTest {
    private static final int CIDR_IDENTITY = 16_777_217;

    private final List<SinkEvent> published = new ArrayList<>();
    private AlertFactory factory;
    private final JoinHarness join = new JoinHarness(JoinConfig.defaults().withCapacities(1024, 1024, 256),
            (dictionary, topology) -> {
                EventIds ids = new EventIds(Clock.fixed(Instant.ofEpochSecond(0, T0), ZoneOffset.UTC), new Random(1));
                IncidentTracker incidents = new IncidentTracker(
                        new IncidentConfig(Duration.ofSeconds(20), Duration.ofSeconds(30), 5), 8192, ids, published::add);
                factory = new AlertFactory(dictionary, topology, incidents, ids, published::add, 256);
                return factory;
            }).allUp();

    @Test
    void aCidrIdentityLabelledKubeApiserverIsTheApiServerNotTheWorld() {
        join.departure("a", "fd00:1::5", 40000, "fd00:101::12", 6443).toIdentity(CIDR_IDENTITY)
                .toLabels(NodeEvent.LABEL_KUBE_APISERVER | NodeEvent.LABEL_WORLD).at(T0 + S);
        join.advance(T0 + 8 * S);

        Alert alert = single(alerts());
        assertEquals(Verdict.NO_REPLY, alert.verdict());
        assertEquals("kube-apiserver", alert.destinationName());
        assertEquals("kube-apiserver", alert.incidentDestination());
        assertEquals(CIDR_IDENTITY, alert.destination().identity());
        assertEquals("fd00:101::12", alert.destination().ip());
        assertEquals("kube-apiserver", incidents().get(0).destinationNode());
        assertEquals(List.of(), JsonSchemas.errors(EventJson.encode(alert)));
        assertEquals(alert, EventJson.decode(EventJson.encode(alert)));
        assertEquals(List.of(new RoundTripTally.Reading("a", "kube-apiserver", false, "IPv6", 0, 1, 0, 0)),
                factory.roundTrips().read(join.dictionary));
    }

    @Test
    void aCidrIdentityOfTheWorldAloneIsTheWorld() {
        join.departure("a", "10.0.1.5", 40000, "203.0.113.9", 443).toIdentity(CIDR_IDENTITY)
                .toLabels(NodeEvent.LABEL_WORLD).at(T0 + S);
        join.advance(T0 + 8 * S);

        Alert alert = single(alerts());
        assertEquals("world", alert.destinationName());
        assertEquals("world", alert.destination().node());
    }

    @Test
    void aCidrIdentityWithoutLabelsIsTheApiServerAtAnAddressTheKubernetesApiListsForIt() {
        // Under the field mask a flow carries no labels: Cilium 1.19's API server is then a CIDR identity
        // like any world prefix, and only the default/kubernetes EndpointSlice tells the two apart.
        join.departure("a", "10.0.1.5", 40000, "172.16.0.10", 443).toIdentity(CIDR_IDENTITY).at(T0 + S);
        join.discoverApiServer("172.16.0.10");
        join.departure("a", "10.0.1.5", 40001, "172.16.0.10", 443).toIdentity(CIDR_IDENTITY).at(T0 + 2 * S);
        join.departure("a", "10.0.1.5", 40002, "203.0.113.9", 443).toIdentity(CIDR_IDENTITY).at(T0 + 2 * S);
        join.advance(T0 + 10 * S);

        Map<Integer, String> namedByClientPort = new java.util.TreeMap<>();
        alerts().forEach(alert -> namedByClientPort.put(alert.source().port(), alert.destinationName()));
        assertEquals(Map.of(40000, "world", 40001, "kube-apiserver", 40002, "world"), namedByClientPort,
                "before the EndpointSlice is known, at its address, and elsewhere");
        assertEquals(List.of(new RoundTripTally.Reading("a", "kube-apiserver", false, "IPv4", 0, 1, 0, 0),
                new RoundTripTally.Reading("a", "world", false, "IPv4", 0, 2, 0, 0)),
                factory.roundTrips().read(join.dictionary));
    }

    @Test
    void aControlPlaneNodesAddressIsTheApiServerOnlyForACidrIdentity() {
        // kubeadm: the API server answers on the control-plane nodes' addresses, which serve the kubelet too
        join.nodeAddresses(NodeAddresses.of(Map.of("cp1", List.of(IpPrefix.parse("192.168.50.12"))),
                join.dictionary::pin));
        join.discoverApiServer("192.168.50.12");
        join.departure("a", "10.0.1.5", 40000, "192.168.50.12", 10250)
                .toIdentity(JoinConstants.IDENTITY_REMOTE_NODE).at(T0 + S);
        join.departure("a", "10.0.1.5", 40001, "192.168.50.12", 6443).toIdentity(CIDR_IDENTITY).at(T0 + S);
        join.advance(T0 + 8 * S);

        Map<Integer, String> namedByClientPort = new java.util.TreeMap<>();
        alerts().forEach(alert -> namedByClientPort.put(alert.source().port(), alert.destinationName()));
        assertEquals(Map.of(40000, "cp1", 40001, "kube-apiserver"), namedByClientPort);
    }

    @Test
    void aNodeAddressSnapshotNamesTheNodeFromTheNextAttemptOn() {
        join.departure("a", "10.0.1.5", 40000, "192.168.50.12", 10250)
                .toIdentity(JoinConstants.IDENTITY_REMOTE_NODE).at(T0 + S);
        join.nodeAddresses(NodeAddresses.of(Map.of("cp1", List.of(IpPrefix.parse("192.168.50.12"))),
                join.dictionary::pin));
        join.departure("a", "10.0.1.5", 40001, "192.168.50.12", 10250)
                .toIdentity(JoinConstants.IDENTITY_REMOTE_NODE).at(T0 + 2 * S);
        join.advance(T0 + 10 * S);

        List<Alert> alerts = alerts();
        assertEquals(2, alerts.size(), alerts::toString);
        assertEquals("host", alerts.get(0).destinationName(), "before the snapshot: a node's host, which one unknown");
        assertEquals("cp1", alerts.get(1).destinationName());
        assertEquals("cp1", alerts.get(1).destination().node());
        assertEquals("192.168.50.12", alerts.get(1).destination().ip());
    }

    @Test
    void theApiServerKeepsItsNameWhicheverControlPlaneNodeAnswersForIt() {
        join.nodeAddresses(NodeAddresses.of(Map.of("cp1", List.of(IpPrefix.parse("192.168.50.12"))),
                join.dictionary::pin));
        join.departure("a", "10.0.1.5", 40000, "192.168.50.12", 6443)
                .toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER).at(T0 + S);
        join.advance(T0 + 8 * S);

        Alert alert = single(alerts());
        assertEquals("kube-apiserver", alert.destinationName());
        assertEquals("cp1", alert.destination().node(), "the node that answers for it is kept in the endpoint");
    }

    @Test
    void aNodeNamedByItsAddressNamesThatAddress() {
        List<NodeAddresses> handed = new ArrayList<>();
        NodeAddressBook book = new NodeAddressBook(join.dictionary::pin, handed::add);
        book.nodeSeen("10.10.21.241"); // real Cilium 1.19.1 export: "node_name":"10.10.21.241"
        join.nodeAddresses(book.flush());
        join.departure("a", "10.0.1.5", 40000, "10.10.21.241", 10250)
                .toIdentity(JoinConstants.IDENTITY_REMOTE_NODE).at(T0 + S);
        join.advance(T0 + 8 * S);

        assertEquals(1, handed.size());
        assertEquals("10.10.21.241", single(alerts()).destinationName());
    }

    @Test
    void answeredAndUnverifiedAttemptsAreCountedPerDestination() {
        join.departure("a", "fd00:1::5", 40000, "fd00:101::12", 6443)
                .toIdentity(JoinConstants.IDENTITY_KUBE_APISERVER).at(T0 + S);
        join.arrival("a", "fd00:101:96::1", 443, "fd00:1::5", 40000).synAck().at(T0 + S + 3 * MS);
        join.departure("b", "10.0.2.5", 40000, "203.0.113.9", 443).toIdentity(JoinConstants.IDENTITY_WORLD)
                .at(T0 + 2 * S);
        join.streamDown("b", T0 + 3 * S);
        join.advance(T0 + 60 * S);

        assertEquals(List.of(), alerts(), "answered and unverified attempts are not alerted");
        assertEquals(List.of(new RoundTripTally.Reading("a", "kube-apiserver", false, "IPv6", 1, 0, 0, 0),
                new RoundTripTally.Reading("b", "world", false, "IPv4", 0, 0, 0, 1)),
                factory.roundTrips().read(join.dictionary));
    }

    @Test
    void aTwoEndDepartureIsNoRoundTrip() {
        join.departure("a", "10.0.1.5", 40000, "10.0.2.7", 9090).at(T0 + S);
        join.advance(T0 + 8 * S);

        Alert lost = single(alerts());
        assertEquals(Verdict.LOST_IN_TRANSIT, lost.verdict());
        assertNull(lost.destinationName());
        assertEquals(List.of(), factory.roundTrips().read(join.dictionary));
    }

    @Test
    void aFullTallyCountsMissesInsteadOfGrowing() {
        RoundTripTally tally = new RoundTripTally(4); // room for 3 keys
        int first = join.dictionary.pin("n1");
        for (int n = 1; n <= 5; n++) {
            tally.count(join.dictionary.pin("n" + n), RoundTripDestinations.WORLD, false, RoundTripTally.NO_REPLY);
        }
        tally.count(first, RoundTripDestinations.WORLD, false, RoundTripTally.ANSWERED);

        assertEquals(2, tally.misses());
        List<RoundTripTally.Reading> read = tally.read(join.dictionary);
        assertEquals(3, read.size());
        assertEquals(4, read.stream().mapToLong(RoundTripTally.Reading::decided).sum());
    }

    private List<Alert> alerts() {
        return published.stream().filter(e -> e instanceof Alert).map(e -> (Alert) e).toList();
    }

    private List<IncidentChange> incidents() {
        return published.stream().filter(e -> e instanceof IncidentChange).map(e -> (IncidentChange) e).toList();
    }

    private static Alert single(List<Alert> alerts) {
        assertEquals(1, alerts.size(), alerts::toString);
        return alerts.get(0);
    }
}
