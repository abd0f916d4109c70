package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.sim.SimCertificates;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.peer.ChangeNotification;
import io.transitwatch.proto.peer.ChangeNotificationType;
import io.transitwatch.proto.peer.TLS;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Direct mode over real TCP with mTLS: nodes found through Peer.Notify, one stream each. */
class DirectIngestIT {
    private static final List<String> NODES = List.of("solwk01", "solwk02", "solwk03");
    private static final long T0 = 1_795_274_640_000_000_000L;

    @TempDir
    static Path dir;
    static SimCertificates.Files certs;

    private final List<FakeHubbleServer> servers = new ArrayList<>();

    @BeforeAll
    static void certificates() {
        certs = SimCertificates.generate(dir, NODES.stream().map(n -> SimCertificates.hubbleServerName(n, "default")).toList());
    }

    static IngestConfig.TlsFiles clientTls() {
        return new IngestConfig.TlsFiles(certs.caCert(), certs.clientCert(), certs.clientKey());
    }

    @AfterEach
    void stopServers() {
        servers.forEach(FakeHubbleServer::close);
    }

    @Test
    void peerAddressesNameTheirNodesUntilTheyLeave() throws Exception {
        FakeHubbleServer peerService = FakeHubbleServer.start(certs);
        servers.add(peerService);
        peerService.announce(peer("solwk01", peerService.address(), ChangeNotificationType.PEER_ADDED));
        peerService.announce(peer("solcp01", "192.0.2.11:4244", ChangeNotificationType.PEER_ADDED));
        peerService.announce(peer("10.10.21.241", "[2001:db8::7]:4244", ChangeNotificationType.PEER_ADDED));
        try (IngestHarness harness = new IngestHarness(IngestConfig.peer(peerService.address()).withTls(clientTls(), null))) {
            harness.collector.awaitUntil("a snapshot of the announced addresses", () ->
                    harness.collector.addresses != null
                            && harness.collector.addresses.byNode().keySet().containsAll(Set.of("solcp01", "10.10.21.241")));
            var byNode = harness.collector.addresses.byNode();
            assertEquals(List.of(io.transitwatch.daemon.topology.IpPrefix.parse("192.0.2.11")), byNode.get("solcp01"));
            assertEquals(Set.of(io.transitwatch.daemon.topology.IpPrefix.parse("2001:db8::7"),
                    io.transitwatch.daemon.topology.IpPrefix.parse("10.10.21.241")), Set.copyOf(byNode.get("10.10.21.241")),
                    "its Hubble address, and the address its name is");
            assertTrue(!byNode.containsKey("solwk01"), "a loopback Hubble address is no node's own: " + byNode);

            peerService.announce(peer("solcp01", "192.0.2.11:4244", ChangeNotificationType.PEER_DELETED));
            harness.collector.awaitUntil("solcp01 gone from the snapshot",
                    () -> !harness.collector.addresses.byNode().containsKey("solcp01"));
        }
    }

    private static ChangeNotification peer(String name, String address, ChangeNotificationType type) {
        return ChangeNotification.newBuilder().setName(name).setAddress(address).setType(type).build();
    }

    @Test
    void peerDiscoveredNodesStreamEveryEventExactlyOnceOverMtls() throws Exception {
        for (String node : NODES) {
            servers.add(FakeHubbleServer.start(certs));
        }
        FakeHubbleServer peerService = servers.get(0); // like Cilium: every node's server also serves Peer
        for (int i = 0; i < NODES.size(); i++) {
            peerService.announce(ChangeNotification.newBuilder().setName(NODES.get(i))
                    .setAddress(servers.get(i).address()).setType(ChangeNotificationType.PEER_ADDED)
                    .setTls(TLS.newBuilder().setServerName(SimCertificates.hubbleServerName(NODES.get(i), "default")))
                    .build());
        }
        try (IngestHarness harness = new IngestHarness(IngestConfig.peer(peerService.address()).withTls(clientTls(), null))) {
            List<List<GetFlowsResponse>> sent = new ArrayList<>();
            for (int i = 0; i < NODES.size(); i++) {
                harness.awaitSubscribed(servers.get(i), 1);
                sent.add(IngestHarness.emitFlows(servers.get(i), NODES.get(i), T0, 200));
            }
            harness.collector.awaitUntil("600 flows", () -> harness.collector.events.stream()
                    .filter(e -> e.kind() == NodeEvent.FLOW).count() >= 600);

            for (int i = 0; i < NODES.size(); i++) {
                String node = NODES.get(i);
                List<String> received = harness.collector.of(NodeEvent.FLOW, node).stream()
                        .map(RingCollector.Event::uuid).toList();
                Set<String> expected = sent.get(i).stream().map(r -> r.getFlow().getUuid()).collect(Collectors.toSet());
                assertEquals(200, received.size(), node);
                assertEquals(expected, Set.copyOf(received), node + " got exactly what it sent");
                assertEquals(1, harness.collector.count(NodeEvent.NODE_UP, node), node);
                assertTrue(harness.node(node).connected(), node);
                assertEquals(200, harness.node(node).flows());
                GetFlowsRequest request = servers.get(i).requests.get(0);
                assertTrue(request.getFollow());
                assertTrue(request.hasFieldMask() && request.getWhitelistCount() == 3 && request.getBlacklistCount() == 0);
                assertTrue(request.getFieldMask().getPathsList().contains("uuid"));
            }
        }
    }

    @Test
    void aDeletedPeerIsReportedDown() throws Exception {
        FakeHubbleServer server = FakeHubbleServer.start(certs);
        servers.add(server);
        ChangeNotification added = ChangeNotification.newBuilder().setName("solwk01").setAddress(server.address())
                .setType(ChangeNotificationType.PEER_ADDED)
                .setTls(TLS.newBuilder().setServerName(SimCertificates.hubbleServerName("solwk01", "default"))).build();
        server.announce(added);
        try (IngestHarness harness = new IngestHarness(IngestConfig.peer(server.address()).withTls(clientTls(), null))) {
            harness.awaitSubscribed(server, 1);
            IngestHarness.emitFlows(server, "solwk01", T0, 1);
            harness.collector.awaitUntil("up", () -> harness.collector.count(NodeEvent.NODE_UP, "solwk01") == 1);
            server.announce(added.toBuilder().setType(ChangeNotificationType.PEER_DELETED).build());
            harness.collector.awaitUntil("down", () -> harness.collector.count(NodeEvent.NODE_DOWN, "solwk01") == 1);
            assertTrue(harness.collector.of(NodeEvent.NODE_DOWN, "solwk01").get(0).reason().contains("removed"));
        }
    }
}
