package io.transitwatch.daemon.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.sim.ClusterTopology;
import io.transitwatch.daemon.sim.Pod;
import io.transitwatch.daemon.sim.SimNode;
import io.transitwatch.daemon.sim.kube.SimKubernetesApi;
import io.transitwatch.daemon.sim.kube.SimKubernetesApi.Ipam;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.daemon.topology.DiscoverySnapshot;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.Topology;
import io.transitwatch.proto.flow.TraceObservationPoint;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Discovery against an in-process Kubernetes API server over real HTTP (fabric8's CRUD mock server,
 * the simulator's {@link SimKubernetesApi}): issue #14, Done-when item 1.
 */
class KubernetesDiscoveryIT {
    private static final Duration AWAIT = Duration.ofSeconds(20);

    private final ClusterTopology cluster = ClusterTopology.defaults();
    private final Map<String, Integer> ids = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger();
    private final AtomicReference<DiscoverySnapshot> latest = new AtomicReference<>();
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @AfterEach
    void close() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
    }

    @ParameterizedTest
    @EnumSource(Ipam.class)
    void everyPodIpIsPlacedBeforeTheFirstFlow(Ipam ipam) {
        SimKubernetesApi api = api(ipam, SimKubernetesApi.ciliumConfig("native"));
        KubernetesDiscovery discovery = discovery(api.config(), true, true);

        discovery.start();

        // start() returns after the first snapshot was handed over: nothing to wait for.
        DiscoverySnapshot snapshot = latest.get();
        assertNotNull(snapshot);
        Topology topology = topology(snapshot);
        for (Pod pod : cluster.pods()) {
            assertEquals(id(pod.node().name()), nodeOf(topology, pod.ipv4()), pod.qualifiedName() + " " + pod.ipv4());
            assertEquals(id(pod.node().name()), nodeOf(topology, pod.ipv6()), pod.qualifiedName() + " " + pod.ipv6());
        }
        for (SimNode node : cluster.nodes()) {
            IpPrefix address = IpPrefix.parse(node.ipv4());
            assertEquals(id(node.name()), topology.nodeOfAddress(address.hi(), address.lo()), node.name());
        }
        assertTrue(discovery.nodeAddresses().keySet().containsAll(cluster.nodeNames()));
        for (SimNode node : cluster.nodes()) {
            IpPrefix address = IpPrefix.parse(node.ipv4());
            assertEquals(node.controlPlane(), topology.isApiServer(address.hi(), address.lo()), node.name());
        }
        assertEquals(SimKubernetesApi.apiServerAddresses(cluster), discovery.status().apiServerAddresses());
        switch (ipam) {
            case CLUSTER_POOL, MULTI_POOL -> assertFalse(snapshot.ciliumNodeCidrs().isEmpty());
            case KUBERNETES -> assertFalse(snapshot.nodeCidrs().isEmpty());
            case ENI -> {
                assertTrue(snapshot.ciliumNodeCidrs().isEmpty());
                assertTrue(snapshot.nodeCidrs().isEmpty());
            }
        }
        assertTrue(discovery.status().connected(), () -> discovery.status().toString());
        assertEquals(cluster.pods().size() * 2, discovery.status().endpointIps());
    }

    @Test
    void theFirstSnapshotDoesNotWaitForTheInformersNotifications() {
        // ENI: no pod CIDRs, so only the CiliumEndpoints place pods. fabric8 completes an informer's
        // start before its list's notifications are delivered; here they are held until the end.
        SimKubernetesApi api = api(Ipam.ENI, SimKubernetesApi.ciliumConfig("native"));
        HeldNotifications held = new HeldNotifications();
        KubernetesDiscovery discovery = discovery(api.config(), held);

        discovery.start();

        Topology topology = topology(latest.get());
        for (Pod pod : cluster.pods()) {
            assertEquals(id(pod.node().name()), nodeOf(topology, pod.ipv4()), pod.qualifiedName() + " " + pod.ipv4());
        }
        assertEquals(cluster.pods().size() * 2, discovery.status().endpointIps());
        // fabric8 delivers them after start() returned, on its own executor: they do come, and are held.
        await().atMost(AWAIT).until(() -> held.count() > 0);

        // The held notifications repeat what the stores held; later ones still take effect.
        held.release();
        api.putEndpoint("default", "late", "10.250.0.5", null, cluster.nodes().get(1).ipv4(), 4242);
        await().atMost(AWAIT).until(() -> nodeOf(topology(latest.get()), "10.250.0.5") == id(cluster.nodes().get(1).name()));
        assertEquals(cluster.pods().size() * 2 + 1, discovery.status().endpointIps());
    }

    /** Notifications on their way to the state thread, kept back until {@link #release}. */
    private static final class HeldNotifications implements UnaryOperator<Executor> {
        private final List<Runnable> held = new ArrayList<>();
        private Executor state;
        private boolean released;

        @Override
        public synchronized Executor apply(Executor stateThread) {
            state = stateThread;
            return task -> {
                synchronized (this) {
                    if (released) {
                        state.execute(task);
                    } else {
                        held.add(task);
                    }
                }
            };
        }

        synchronized int count() {
            return held.size();
        }

        synchronized void release() {
            released = true;
            held.forEach(state::execute);
            held.clear();
        }
    }

    @Test
    void nodesAddedRemovedAndReaddressedTakeEffectWhileRunning() {
        SimKubernetesApi api = api(Ipam.CLUSTER_POOL, SimKubernetesApi.ciliumConfig("native"));
        KubernetesDiscovery discovery = discovery(api.config(), true, true);
        discovery.start();
        SimNode first = cluster.nodes().get(0);
        assertEquals(0, nodeOf(topology(latest.get()), "10.200.0.7"));

        api.putNode("solwk99", "10.101.0.99", "fd00:101::99", List.of("10.200.0.0/24", "fd00:200::/64"),
                Ipam.CLUSTER_POOL, Map.of());
        await().atMost(AWAIT).until(() -> nodeOf(topology(latest.get()), "10.200.0.7") == id("solwk99"));

        api.putNode(first.name(), first.ipv4(), first.ipv6(), List.of("10.201.0.0/24"), Ipam.CLUSTER_POOL, Map.of());
        await().atMost(AWAIT).until(() -> nodeOf(topology(latest.get()), "10.201.0.9") == id(first.name()));

        api.removeNode("solwk99");
        // The Node and the CiliumNode go away through two informers, each in its own time.
        await().atMost(AWAIT).until(() -> nodeOf(topology(latest.get()), "10.200.0.7") == 0
                && !discovery.nodeAddresses().containsKey("solwk99"));
    }

    @Test
    void theApiServersAddressesFollowItsEndpointSlice() {
        SimKubernetesApi api = api(Ipam.CLUSTER_POOL, SimKubernetesApi.ciliumConfig("native"));
        KubernetesDiscovery discovery = discovery(api.config(), true, true);
        discovery.start();
        assertTrue(isApiServer(topology(latest.get()), cluster.nodes().get(0).ipv4()));

        api.putApiServerSlice(List.of("172.16.0.10", "172.16.0.11")); // a managed control plane, outside the nodes
        await().atMost(AWAIT).until(() -> isApiServer(topology(latest.get()), "172.16.0.11"));
        assertFalse(isApiServer(topology(latest.get()), cluster.nodes().get(0).ipv4()));
        assertEquals(List.of("172.16.0.10", "172.16.0.11"), discovery.status().apiServerAddresses());
        assertTrue(discovery.status().connected(), () -> discovery.status().toString());
    }

    @Test
    void aForbiddenApiServerSliceIsMissedButDetectionIsConnected() {
        SimKubernetesApi api = api(Ipam.CLUSTER_POOL, SimKubernetesApi.ciliumConfig("native"));
        api.forbid("/apis/discovery.k8s.io/"); // bindings of your own, without the EndpointSlice
        KubernetesDiscovery discovery = discovery(api.config(), true, true);
        discovery.start();

        await().atMost(AWAIT).until(() -> discovery.status().resources().stream()
                .anyMatch(watch -> watch.forbidden() != null));
        ResourceWatch slice = discovery.status().resources().stream().filter(watch -> watch.forbidden() != null)
                .findFirst().orElseThrow();
        assertEquals("endpointslices/kubernetes in default", slice.resource());
        assertTrue(slice.forbidden().contains("the endpointslices named kubernetes"), slice::toString);
        assertFalse(slice.essential());
        assertTrue(discovery.status().connected(), () -> discovery.status().toString());
        assertEquals(List.of(), discovery.status().apiServerAddresses());
        Pod pod = cluster.pods().get(0);
        assertEquals(id(pod.node().name()), nodeOf(topology(latest.get()), pod.ipv4()), "placements as ever");
    }

    @Test
    void anExpiredWatchRelistsAndAppliesEveryChangeMadeMeanwhile() {
        SimKubernetesApi api = api(Ipam.CLUSTER_POOL, SimKubernetesApi.ciliumConfig("native"));
        SimNode first = cluster.nodes().get(0);
        api.putNode("solwk98", "10.101.0.98", "fd00:101::98", List.of("10.202.0.0/24"), Ipam.CLUSTER_POOL, Map.of());
        api.holdWatches();
        KubernetesDiscovery discovery = discovery(api.config(), true, true);
        discovery.start();
        int resources = discovery.status().resources().size();
        // Every informer has listed and opened its watch, which the API server now keeps silent.
        await().atMost(AWAIT).until(() -> api.heldWatches() == resources);
        assertEquals(id("solwk98"), nodeOf(topology(latest.get()), "10.202.0.9"));

        api.putNode("solwk99", "10.101.0.99", "fd00:101::99", List.of("10.200.0.0/24"), Ipam.CLUSTER_POOL, Map.of());
        api.putNode(first.name(), first.ipv4(), first.ipv6(), List.of("10.201.0.0/24"), Ipam.CLUSTER_POOL, Map.of());
        api.removeNode("solwk98");
        api.putEndpoint("default", "late", "10.250.0.5", null, cluster.nodes().get(1).ipv4(), 4242);
        api.setCiliumConfig(SimKubernetesApi.ciliumConfig("tunnel"));
        // The held watches delivered none of it: whatever discovery learns next comes from the relist.
        assertEquals(0, nodeOf(topology(discovery.snapshot()), "10.200.0.7"));
        assertEquals(Set.of(TraceObservationPoint.TO_NETWORK_VALUE), discovery.snapshot().departurePoints());

        assertEquals(resources, api.expireHeldWatches());

        await().atMost(AWAIT).until(() -> {
            Topology topology = topology(latest.get());
            return nodeOf(topology, "10.200.0.7") == id("solwk99")
                    && nodeOf(topology, "10.201.0.9") == id(first.name())
                    && nodeOf(topology, "10.202.0.9") == 0
                    && nodeOf(topology, "10.250.0.5") == id(cluster.nodes().get(1).name())
                    && latest.get().departurePoints().equals(Set.of(TraceObservationPoint.TO_OVERLAY_VALUE))
                    && !discovery.nodeAddresses().containsKey("solwk98"); // Nodes relist apart from CiliumNodes
        });
        assertEquals(0, discovery.status().malformed(), () -> discovery.status().lastMalformed());
        // The watches reopened after the relist (served normally now) carry later changes again.
        await().atMost(AWAIT).until(() -> discovery.status().connected());
        api.putNode("solwk97", "10.101.0.97", "fd00:101::97", List.of("10.203.0.0/24"), Ipam.CLUSTER_POOL, Map.of());
        await().atMost(AWAIT).until(() -> nodeOf(topology(latest.get()), "10.203.0.9") == id("solwk97"));
        assertEquals(0, discovery.status().malformed());
        assertEquals(resources, api.expiredWatches());
    }

    @Test
    void switchingCiliumConfigFromNativeToTunnelRecalibratesDeparturePointsLive() {
        SimKubernetesApi api = api(Ipam.CLUSTER_POOL, SimKubernetesApi.ciliumConfig("native"));
        KubernetesDiscovery discovery = discovery(api.config(), true, true);
        discovery.start();
        assertEquals(Set.of(TraceObservationPoint.TO_NETWORK_VALUE), latest.get().departurePoints());
        assertEquals(DiscoverySnapshot.NO, latest.get().firstData());

        Map<String, String> tunnel = new java.util.HashMap<>(SimKubernetesApi.ciliumConfig("tunnel"));
        tunnel.put("monitor-aggregation-flags", "all");
        api.setCiliumConfig(tunnel);

        await().atMost(AWAIT).until(() -> latest.get().departurePoints()
                .equals(Set.of(TraceObservationPoint.TO_OVERLAY_VALUE)));
        assertEquals(DiscoverySnapshot.YES, latest.get().firstData());
        String source = discovery.status().calibrations().get(cluster.nodeNames().get(0)).sources().get("departure-points");
        assertTrue(source.contains("cilium-config kube-system/cilium-config: routing-mode=tunnel"), source);
    }

    /**
     * Hubble names the nodes of a cluster whose cilium-config {@code cluster-name} is not "default"
     * {@code <cluster>/<node>} (hubble-api.md §1.2): placements, addresses and calibrations go under
     * that name, or no stream would ever be their node.
     */
    @Test
    void aNamedClustersNodesGoUnderTheNamesHubbleGivesThem() {
        Map<String, String> named = new java.util.HashMap<>(SimKubernetesApi.ciliumConfig("native"));
        named.put("cluster-name", "mesh-1");
        SimKubernetesApi api = api(Ipam.CLUSTER_POOL, named);
        KubernetesDiscovery discovery = discovery(api.config(), true, true);
        discovery.start();

        Set<String> hubbleNames = new java.util.TreeSet<>();
        cluster.nodeNames().forEach(node -> hubbleNames.add("mesh-1/" + node));
        assertEquals(hubbleNames, discovery.nodeAddresses().keySet());
        assertEquals(hubbleNames, discovery.status().calibrations().keySet());
        Topology topology = topology(latest.get());
        for (Pod pod : cluster.pods()) {
            assertEquals(id("mesh-1/" + pod.node().name()), nodeOf(topology, pod.ipv4()), pod.qualifiedName());
        }
        SimNode first = cluster.nodes().get(0);
        IpPrefix address = IpPrefix.parse(first.ipv4());
        assertEquals(id("mesh-1/" + first.name()), topology.nodeOfAddress(address.hi(), address.lo()));

        api.setCiliumConfig(SimKubernetesApi.ciliumConfig("native")); // cluster-name: default
        Pod pod = cluster.pods().get(0);
        await().atMost(AWAIT).until(() -> nodeOf(topology(latest.get()), pod.ipv4()) == id(pod.node().name()));
        assertEquals(Set.copyOf(cluster.nodeNames()), discovery.nodeAddresses().keySet());
    }

    @Test
    void explicitConfigurationWinsOverCalibration() {
        SimKubernetesApi api = api(Ipam.CLUSTER_POOL, SimKubernetesApi.ciliumConfig("tunnel"));
        KubernetesDiscovery discovery = discovery(api.config(), false, false);
        discovery.start();
        await().atMost(AWAIT).until(() -> discovery.status().connected());

        assertEquals(Set.of(), latest.get().departurePoints());
        assertEquals(DiscoverySnapshot.UNKNOWN, latest.get().firstData());
        assertTrue(discovery.status().explicitDepartures());
        assertEquals(List.of("TO_OVERLAY"),
                discovery.status().calibrations().get(cluster.nodeNames().get(0)).departurePoints());
    }

    @Test
    void aCiliumNodeConfigOverrideAppliesToItsNodesOnly() {
        SimKubernetesApi api = api(Ipam.CLUSTER_POOL, SimKubernetesApi.ciliumConfig("native"));
        SimNode legacy = cluster.nodes().get(1);
        api.putNode(legacy.name(), legacy.ipv4(), legacy.ipv6(), List.of(legacy.podCidrV4(), legacy.podCidrV6()),
                Ipam.CLUSTER_POOL, Map.of("transitwatch.io/kernel", "old"));
        api.putNodeConfig("old-kernels", Map.of("transitwatch.io/kernel", "old"),
                Map.of("enable-host-legacy-routing", "true"));
        KubernetesDiscovery discovery = discovery(api.config(), true, true);
        discovery.start();

        await().atMost(AWAIT).until(() -> discovery.status().calibrations().size() == cluster.nodes().size());
        Map<String, DiscoveryStatus.NodeCalibration> calibrations = discovery.status().calibrations();
        assertEquals(List.of("TO_STACK"), calibrations.get(legacy.name()).departurePoints());
        String source = calibrations.get(legacy.name()).sources().get("departure-points");
        assertTrue(source.contains("CiliumNodeConfig kube-system/old-kernels"), source);
        cluster.nodes().stream().filter(node -> !node.name().equals(legacy.name())).forEach(node ->
                assertEquals(List.of("TO_NETWORK"), calibrations.get(node.name()).departurePoints(), node.name()));
        assertEquals(Set.of(TraceObservationPoint.TO_NETWORK_VALUE, TraceObservationPoint.TO_STACK_VALUE),
                latest.get().departurePoints());
    }

    @Test
    void bpfEventsTraceDisabledIsAFatalBlindSpotNamingTheKey() {
        Map<String, String> config = new java.util.HashMap<>(SimKubernetesApi.ciliumConfig("native"));
        config.put("bpf-events-trace-enabled", "false");
        SimKubernetesApi api = api(Ipam.CLUSTER_POOL, config);
        KubernetesDiscovery discovery = discovery(api.config(), true, true);
        discovery.start();
        await().atMost(AWAIT).until(() -> discovery.status().connected());

        assertEquals(cluster.nodes().size(), discovery.status().calibrations().size());
        discovery.status().calibrations().forEach((node, calibration) -> {
            assertEquals(1, calibration.blindSpots().size(), node);
            assertTrue(calibration.blindSpots().get(0).contains("bpf-events-trace-enabled=false"), node);
        });
        // ... and the join is told: no arrival at those nodes will ever be reported
        java.util.Set<Integer> everyNode = cluster.nodes().stream().map(node -> id(node.name()))
                .collect(java.util.stream.Collectors.toSet());
        await().atMost(AWAIT).until(() -> latest.get() != null && everyNode.equals(latest.get().blindNodes()));
    }

    @Test
    void aMalformedObjectIsCountedAndSkipped() {
        SimKubernetesApi api = api(Ipam.ENI, SimKubernetesApi.ciliumConfig("native"));
        Pod pod = cluster.pods().get(0);
        api.putEndpointStatus("default", "broken", Map.of("networking",
                Map.of("addressing", List.of(Map.of("ipv4", "not-an-ip")), "node", pod.node().ipv4())));
        KubernetesDiscovery discovery = discovery(api.config(), true, true);
        discovery.start();

        await().atMost(AWAIT).until(() -> discovery.status().malformed() == 1);
        String why = discovery.status().lastMalformed();
        assertTrue(why.contains("default/broken") && why.contains("not-an-ip"), why);
        assertEquals(id(pod.node().name()), nodeOf(topology(latest.get()), pod.ipv4()));
        assertTrue(discovery.status().connected());
    }

    @Test
    void ciliumEndpointSlicesAlonePlaceEveryPodAndFollowChanges() {
        // enable-cilium-endpoint-slice with cloud IPAM: no pod CIDR anywhere and no CiliumEndpoints.
        SimKubernetesApi api = SimKubernetesApi.withEndpointSlices(cluster, Ipam.ENI,
                SimKubernetesApi.ciliumConfig("native"));
        toClose.add(api);
        KubernetesDiscovery discovery = discovery(api.config(), true, true);

        discovery.start();

        Topology topology = topology(latest.get());
        for (Pod pod : cluster.pods()) {
            assertEquals(id(pod.node().name()), nodeOf(topology, pod.ipv4()), pod.qualifiedName() + " " + pod.ipv4());
            assertEquals(id(pod.node().name()), nodeOf(topology, pod.ipv6()), pod.qualifiedName() + " " + pod.ipv6());
        }
        assertEquals(cluster.pods().size() * 2, discovery.status().endpointIps());
        assertTrue(discovery.status().connected(), () -> discovery.status().toString());

        // One entry of a slice cannot be read: it alone is skipped and counted, its neighbours stay placed.
        Pod moved = cluster.pods().get(0);
        Pod neighbour = cluster.pods().stream().filter(pod -> pod != moved && pod.namespace().equals(moved.namespace()))
                .findFirst().orElseThrow();
        SimNode elsewhere = cluster.nodes().stream().filter(node -> node != moved.node()).findFirst().orElseThrow();
        String movedIp = "10.250.0.7";
        api.putEndpointSlice("ces-" + moved.namespace() + "-2", moved.namespace(), List.of(
                Map.of("name", "broken", "networking", Map.of("addressing", List.of(Map.of("ipv4", "not-an-ip")),
                        "node", elsewhere.ipv4())),
                Map.of("name", moved.name() + "-new", "networking", Map.of("addressing",
                        List.of(Map.of("ipv4", movedIp)), "node", elsewhere.ipv4()))));
        await().atMost(AWAIT).until(() -> nodeOf(topology(latest.get()), movedIp) == id(elsewhere.name()));
        assertEquals(1, discovery.status().malformed());
        assertTrue(discovery.status().lastMalformed().contains("not-an-ip"), discovery.status().lastMalformed());
        assertEquals(id(neighbour.node().name()), nodeOf(topology(latest.get()), neighbour.ipv4()));

        api.removeEndpointSlice("ces-" + moved.namespace() + "-2");
        await().atMost(AWAIT).until(() -> nodeOf(topology(latest.get()), movedIp) == 0);
    }

    @Test
    void anOutageKeepsTheLastSnapshotAndSaysSo() {
        SimKubernetesApi api = api(Ipam.CLUSTER_POOL, SimKubernetesApi.ciliumConfig("native"));
        KubernetesDiscovery discovery = discovery(api.config(), true, true);
        discovery.start();
        assertTrue(discovery.status().connected());

        api.close();
        toClose.remove(api);

        await().atMost(AWAIT).until(() -> !discovery.status().connected());
        // Whatever was last published (a late coalesced rebuild may follow start()) still holds the cluster.
        assertFalse(latest.get().endpointIps().isEmpty());
        assertFalse(latest.get().ciliumNodeCidrs().isEmpty());
        Pod pod = cluster.pods().get(0);
        assertEquals(id(pod.node().name()), nodeOf(topology(latest.get()), pod.ipv4()));
        assertTrue(discovery.status().resources().stream().anyMatch(watch -> !watch.watching()));
    }

    @Test
    void forbiddenNamesTheVerbTheResourceAndTheHelmValue() throws Exception {
        Config config = failingApiServer(path -> new Failure(403, "Forbidden", "forbidden: User "
                + "\\\"system:serviceaccount:kube-system:transitwatch\\\" cannot list resource"));
        KubernetesDiscovery discovery = discovery(config, true, true);

        discovery.start();

        await().atMost(AWAIT).until(() -> discovery.status().resources().stream()
                .allMatch(watch -> watch.forbidden() != null));
        assertTrue(discovery.status().resources().stream().anyMatch(watch -> watch.forbidden()
                .contains("forbidden to list ciliumnodes.cilium.io") && watch.forbidden()
                .contains("Helm value kubernetes.enabled with rbac.create")), () -> discovery.status().toString());
        assertTrue(discovery.status().resources().stream().anyMatch(watch -> watch.forbidden()
                .contains("configmaps/cilium-config") && watch.forbidden().contains("hubble.ciliumNamespace")));
        assertFalse(discovery.status().connected());
    }

    @Test
    void ciliumEndpointSlicesNotInstalledAreNotServedNotMissing() throws Exception {
        // An API server without the CiliumEndpointSlice CRD answers 404; here everything else is a 403.
        Config config = failingApiServer(path -> path.contains("ciliumendpointslices")
                ? new Failure(404, "NotFound", "the server could not find the requested resource")
                : new Failure(403, "Forbidden", "forbidden"));
        KubernetesDiscovery discovery = discovery(config, true, true);

        discovery.start();

        await().atMost(AWAIT).until(() -> discovery.status().resources().stream()
                .filter(watch -> !watch.resource().startsWith("ciliumendpointslices"))
                .allMatch(watch -> watch.forbidden() != null));
        ResourceWatch slices = discovery.status().resources().stream()
                .filter(watch -> watch.resource().equals("ciliumendpointslices.cilium.io")).findFirst().orElseThrow();
        assertFalse(slices.served(), slices::toString);
        assertTrue(slices.healthy(), slices::toString);
        assertEquals(null, slices.forbidden());
        assertEquals(null, slices.lastError());
    }

    /** A Kubernetes Status failure; {@code message} is JSON-escaped already. */
    private record Failure(int code, String reason, String message) {}

    /** An API server over real HTTP that answers every request with the failure {@code byPath} gives for its path. */
    private Config failingApiServer(Function<String, Failure> byPath) throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            Failure failure = byPath.apply(exchange.getRequestURI().getPath());
            byte[] body = ("{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\""
                    + failure.reason() + "\",\"code\":" + failure.code() + ",\"message\":\"" + failure.message() + "\"}")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(failure.code(), body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        toClose.add(() -> server.stop(0));
        return new ConfigBuilder().withMasterUrl("http://127.0.0.1:" + server.getAddress().getPort())
                .withRequestRetryBackoffLimit(0).build();
    }

    private SimKubernetesApi api(Ipam ipam, Map<String, String> ciliumConfig) {
        SimKubernetesApi api = SimKubernetesApi.of(cluster, ipam, ciliumConfig);
        toClose.add(api);
        return api;
    }

    private KubernetesDiscovery discovery(Config config, boolean calibrateDepartures, boolean calibrateFirstData) {
        KubernetesDiscovery discovery = new KubernetesDiscovery(config,
                new KubernetesDiscovery.Options(SimKubernetesApi.NAMESPACE, "cilium-config", Duration.ofMinutes(10),
                        Duration.ofSeconds(10), Duration.ofMillis(20), calibrateDepartures, calibrateFirstData),
                this::id, latest::set, NamedThreadFactory::daemon, Clock.SYSTEM);
        toClose.add(discovery);
        return discovery;
    }

    private KubernetesDiscovery discovery(Config config, UnaryOperator<Executor> notificationPath) {
        KubernetesDiscovery discovery = new KubernetesDiscovery(config,
                new KubernetesDiscovery.Options(SimKubernetesApi.NAMESPACE, "cilium-config", Duration.ofMinutes(10),
                        Duration.ofSeconds(10), Duration.ofMillis(20), true, true),
                this::id, latest::set, NamedThreadFactory::daemon, Clock.SYSTEM, notificationPath);
        toClose.add(discovery);
        return discovery;
    }

    private int id(String node) {
        return ids.computeIfAbsent(node, name -> nextId.incrementAndGet());
    }

    private Topology topology(DiscoverySnapshot snapshot) {
        Topology topology = new Topology(Map.of(), this::id, 16, Duration.ofMinutes(1));
        topology.apply(snapshot);
        return topology;
    }

    private static boolean isApiServer(Topology topology, String ip) {
        IpPrefix address = IpPrefix.parse(ip);
        return topology.isApiServer(address.hi(), address.lo());
    }

    private static int nodeOf(Topology topology, String ip) {
        IpPrefix address = IpPrefix.parse(ip);
        return topology.nodeOf(address.hi(), address.lo());
    }
}
