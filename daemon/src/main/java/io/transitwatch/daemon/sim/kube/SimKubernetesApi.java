package io.transitwatch.daemon.sim.kube;

import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.NodeBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.CustomResourceDefinitionContext;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.Response;
import io.fabric8.mockwebserver.http.WebSocket;
import io.fabric8.mockwebserver.http.WebSocketListener;
import io.transitwatch.daemon.sim.ClusterTopology;
import io.transitwatch.daemon.sim.Pod;
import io.transitwatch.daemon.sim.SimNode;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe (fabric8's server and client are): started and closed by the simulator's owner.
 *
 * <p>The Kubernetes API of the simulated cluster: fabric8's {@code kubernetes-server-mock} in CRUD
 * mode — an in-process API server over real HTTP that stores what is created and serves list and
 * watch — loaded with what Cilium keeps there (k8s-facts.md §1-§2): one Node and one CiliumNode per
 * node, one CiliumEndpoint per pod (or CiliumEndpointSlices instead), and the {@code cilium-config}
 * ConfigMap. {@link #client()} changes it while the daemon watches (nodes added or removed, CIDRs changed, config switched).
 * Its I/O threads are Vert.x's ({@code vert.x-eventloop-thread-*}), a library that names its own.
 * {@link #holdWatches} and {@link #expireHeldWatches} play a watch that falls behind and expires
 * (410 Gone), as a real API server does once the watched resource version is compacted away.
 */
public final class SimKubernetesApi implements AutoCloseable {
    public static final String NAMESPACE = "kube-system";

    /** How the simulated cluster's IPAM publishes pod addresses (k8s-facts.md §1). */
    public enum Ipam {
        /** cilium-operator writes {@code CiliumNode.spec.ipam.podCIDRs}. */
        CLUSTER_POOL,
        /** the controller manager writes {@code Node.spec.podCIDRs}; CiliumNodes carry none. */
        KUBERNETES,
        /** {@code CiliumNode.spec.ipam.pools.allocated[].cidrs}. */
        MULTI_POOL,
        /** cloud IPAM: no pod CIDR anywhere, only CiliumEndpoints. */
        ENI
    }

    private final KubernetesMockServer server;
    private final ExpiringWatchDispatcher dispatcher;
    private final KubernetesClient client;

    private SimKubernetesApi(KubernetesMockServer server, ExpiringWatchDispatcher dispatcher) {
        this.server = server;
        this.dispatcher = dispatcher;
        this.client = server.createClient();
    }

    /** Starts an empty API server on a free loopback port. */
    public static SimKubernetesApi start() {
        List<CustomResourceDefinitionContext> crds = List.of(
                crd("CiliumNode", "ciliumnodes", false),
                crd("CiliumEndpoint", "ciliumendpoints", true),
                endpointSliceCrd(),
                crd("CiliumNodeConfig", "ciliumnodeconfigs", true));
        ExpiringWatchDispatcher dispatcher = new ExpiringWatchDispatcher(crds);
        KubernetesMockServer server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(),
                dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        return new SimKubernetesApi(server, dispatcher);
    }

    /** Starts one loaded with the cluster: its nodes, pods and the given cilium-config data. */
    public static SimKubernetesApi of(ClusterTopology topology, Ipam ipam, Map<String, String> ciliumConfig) {
        SimKubernetesApi api = start();
        api.load(topology, ipam, ciliumConfig);
        return api;
    }

    /**
     * Like {@link #of}, with the pods published as CiliumEndpointSlices (one per namespace) and no
     * CiliumEndpoints: a cluster with {@code enable-cilium-endpoint-slice: "true"} as k8s-facts.md §1
     * describes it.
     */
    public static SimKubernetesApi withEndpointSlices(ClusterTopology topology, Ipam ipam,
            Map<String, String> ciliumConfig) {
        SimKubernetesApi api = start();
        api.setCiliumConfig(ciliumConfig);
        topology.nodes().forEach(node -> api.putNode(node, ipam));
        api.putApiServerSlice(apiServerAddresses(topology));
        Map<String, List<Map<String, Object>>> byNamespace = new TreeMap<>();
        for (Pod pod : topology.pods()) {
            byNamespace.computeIfAbsent(pod.namespace(), namespace -> new ArrayList<>()).add(sliceEntry(pod));
        }
        byNamespace.forEach((namespace, entries) -> api.putEndpointSlice("ces-" + namespace, namespace, entries));
        return api;
    }

    /** cilium-config of a simulated cluster: Cilium's chart defaults with the given routing mode. */
    public static Map<String, String> ciliumConfig(String routingMode) {
        return ciliumConfig(routingMode, "syn,fin,rst");
    }

    /**
     * cilium-config of a simulated cluster with the given routing mode and the
     * {@code monitor-aggregation-flags} its simulated agents report with (a scenario's {@code MonitorFlags}).
     */
    public static Map<String, String> ciliumConfig(String routingMode, String aggregationFlags) {
        Map<String, String> data = new LinkedHashMap<>();
        data.put("routing-mode", routingMode);
        data.put("tunnel-protocol", "vxlan");
        data.put("enable-ipv4", "true");
        data.put("enable-ipv6", "true");
        data.put("monitor-aggregation", "medium");
        data.put("monitor-aggregation-interval", "5s");
        data.put("monitor-aggregation-flags", aggregationFlags);
        data.put("bpf-events-trace-enabled", "true");
        data.put("enable-host-legacy-routing", "false");
        data.put("cluster-name", ClusterTopology.CLUSTER_NAME);
        return data;
    }

    public void load(ClusterTopology topology, Ipam ipam, Map<String, String> ciliumConfig) {
        setCiliumConfig(ciliumConfig);
        for (SimNode node : topology.nodes()) {
            putNode(node, ipam);
        }
        putApiServerSlice(apiServerAddresses(topology));
        for (Pod pod : topology.pods()) {
            putEndpoint(pod);
        }
    }

    public void setCiliumConfig(Map<String, String> data) {
        client.configMaps().inNamespace(NAMESPACE).resource(new ConfigMapBuilder()
                .withNewMetadata().withName("cilium-config").withNamespace(NAMESPACE).endMetadata()
                .withData(data).build()).createOr(existing -> existing.update());
    }

    /** Adds (or replaces) a node: its Node and CiliumNode, shaped for the IPAM mode. */
    public void putNode(SimNode node, Ipam ipam) {
        putNode(node.name(), node.ipv4(), node.ipv6(), List.of(node.podCidrV4(), node.podCidrV6()), ipam,
                Map.of("kubernetes.io/hostname", node.name()));
    }

    public void putNode(String name, String ipv4, String ipv6, List<String> podCidrs, Ipam ipam,
            Map<String, String> labels) {
        NodeBuilder node = new NodeBuilder().withNewMetadata().withName(name).withLabels(labels).endMetadata()
                .withNewStatus().addNewAddress().withType("InternalIP").withAddress(ipv4).endAddress()
                .addNewAddress().withType("InternalIP").withAddress(ipv6).endAddress()
                .addNewAddress().withType("Hostname").withAddress(name).endAddress().endStatus();
        if (ipam == Ipam.KUBERNETES) {
            node.withNewSpec().withPodCIDR(podCidrs.get(0)).withPodCIDRs(podCidrs).endSpec();
        }
        client.nodes().resource(node.build()).createOr(existing -> existing.update());

        Map<String, Object> ipamSpec = new LinkedHashMap<>();
        switch (ipam) {
            case CLUSTER_POOL -> ipamSpec.put("podCIDRs", podCidrs);
            case MULTI_POOL -> ipamSpec.put("pools", Map.of("allocated",
                    List.of(Map.of("pool", "default", "cidrs", podCidrs))));
            default -> { }
        }
        List<Map<String, Object>> addresses = new ArrayList<>();
        addresses.add(Map.of("type", "InternalIP", "ip", ipv4));
        addresses.add(Map.of("type", "InternalIP", "ip", ipv6));
        addresses.add(Map.of("type", "Hostname", "ip", name));
        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("addresses", addresses);
        spec.put("ipam", ipamSpec);
        putCiliumNode(name, spec);
    }

    /** A CiliumNode with the given spec, as cilium-operator and the agent write it. */
    public void putCiliumNode(String name, Map<String, Object> spec) {
        GenericKubernetesResource resource = new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2")
                .withKind("CiliumNode").withNewMetadata().withName(name).endMetadata()
                .addToAdditionalProperties("spec", spec).build();
        client.genericKubernetesResources(crd("CiliumNode", "ciliumnodes", false)).resource(resource)
                .createOr(existing -> existing.update());
    }

    public void removeNode(String name) {
        client.nodes().withName(name).delete();
        client.genericKubernetesResources(crd("CiliumNode", "ciliumnodes", false)).withName(name).delete();
    }

    /** The pod's CiliumEndpoint: its addresses and its node's IP ({@code status.networking}). */
    public void putEndpoint(Pod pod) {
        putEndpoint(pod.namespace(), pod.name(), pod.ipv4(), pod.ipv6(), pod.node().ipv4(), pod.identity());
    }

    public void putEndpoint(String namespace, String name, String ipv4, String ipv6, String nodeIp, int identity) {
        Map<String, Object> addressing = new LinkedHashMap<>();
        addressing.put("ipv4", ipv4);
        if (ipv6 != null) {
            addressing.put("ipv6", ipv6);
        }
        Map<String, Object> status = Map.of(
                "identity", Map.of("id", identity),
                "networking", Map.of("addressing", List.of(addressing), "node", nodeIp),
                "state", "ready");
        putEndpointStatus(namespace, name, status);
    }

    /** A CiliumEndpoint with exactly this status (tests give malformed ones too). */
    public void putEndpointStatus(String namespace, String name, Map<String, Object> status) {
        GenericKubernetesResource resource = new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2")
                .withKind("CiliumEndpoint").withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
                .addToAdditionalProperties("status", status).build();
        client.genericKubernetesResources(crd("CiliumEndpoint", "ciliumendpoints", true)).inNamespace(namespace)
                .resource(resource).createOr(existing -> existing.update());
    }

    /** A pod as a CiliumEndpointSlice entry (CoreCiliumEndpoint: name, id, networking). */
    public static Map<String, Object> sliceEntry(Pod pod) {
        Map<String, Object> addressing = new LinkedHashMap<>();
        addressing.put("ipv4", pod.ipv4());
        if (pod.ipv6() != null) {
            addressing.put("ipv6", pod.ipv6());
        }
        return Map.of("name", pod.name(), "id", pod.identity(),
                "networking", Map.of("addressing", List.of(addressing), "node", pod.node().ipv4()));
    }

    /** A CiliumEndpointSlice (cluster-scoped) batching these entries of one namespace. */
    public void putEndpointSlice(String name, String namespace, List<Map<String, Object>> entries) {
        GenericKubernetesResource resource = new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2alpha1")
                .withKind("CiliumEndpointSlice").withNewMetadata().withName(name).endMetadata()
                .addToAdditionalProperties("namespace", namespace).addToAdditionalProperties("endpoints", entries).build();
        client.genericKubernetesResources(endpointSliceCrd()).resource(resource).createOr(existing -> existing.update());
    }

    public void removeEndpointSlice(String name) {
        client.genericKubernetesResources(endpointSliceCrd()).withName(name).delete();
    }

    /** The API server's addresses: the control-plane nodes' (the simulated API server runs on their host network). */
    public static List<String> apiServerAddresses(ClusterTopology topology) {
        return topology.nodes().stream().filter(SimNode::controlPlane).map(SimNode::ipv4).toList();
    }

    /** The EndpointSlice {@code default/kubernetes}, as the API server's endpoint reconciler writes it. */
    public void putApiServerSlice(List<String> addresses) {
        EndpointSliceBuilder slice = new EndpointSliceBuilder().withNewMetadata().withName("kubernetes")
                .withNamespace("default").addToLabels("kubernetes.io/service-name", "kubernetes").endMetadata()
                .withAddressType("IPv4").addNewPort().withName("https").withPort(6443).withProtocol("TCP").endPort();
        addresses.forEach(address -> slice.addNewEndpoint().withAddresses(address).withNewConditions().withReady(true)
                .endConditions().endEndpoint());
        client.discovery().v1().endpointSlices().inNamespace("default").resource(slice.build())
                .createOr(existing -> existing.update());
    }

    /** A CiliumNodeConfig in the Cilium namespace: these keys override cilium-config on nodes with these labels. */
    public void putNodeConfig(String name, Map<String, String> matchLabels, Map<String, String> defaults) {
        GenericKubernetesResource resource = new GenericKubernetesResourceBuilder().withApiVersion("cilium.io/v2")
                .withKind("CiliumNodeConfig").withNewMetadata().withName(name).withNamespace(NAMESPACE).endMetadata()
                .addToAdditionalProperties("spec", Map.of("nodeSelector", Map.of("matchLabels", matchLabels),
                        "defaults", defaults)).build();
        client.genericKubernetesResources(crd("CiliumNodeConfig", "ciliumnodeconfigs", true)).inNamespace(NAMESPACE)
                .resource(resource).createOr(existing -> existing.update());
    }

    /** From now on lists and watches of paths containing {@code pathFragment} get 403, as RBAC refuses them. */
    public void forbid(String pathFragment) {
        dispatcher.forbid(pathFragment);
    }

    /**
     * From now on every watch opened is accepted but sent no events: its watcher misses every change
     * until {@link #expireHeldWatches} (lists and writes keep working).
     */
    public void holdWatches() {
        dispatcher.hold();
    }

    /** Watches opened and held silent since {@link #holdWatches} (and not yet expired). */
    public int heldWatches() {
        return dispatcher.held();
    }

    /**
     * Ends every held watch with the API server's ERROR event {@code 410 Gone} (reason Expired), the
     * way a watch whose resource version was compacted away ends, and serves later watches normally.
     * Returns how many watches were expired.
     */
    public int expireHeldWatches() {
        return dispatcher.expire();
    }

    /** Watches ended with 410 Gone so far. */
    public int expiredWatches() {
        return dispatcher.expired.get();
    }

    /** A client of this API server, for changing the cluster while a daemon watches it. */
    public KubernetesClient client() {
        return client;
    }

    /** Connection settings for a daemon ({@code master URL}, no authentication, plain HTTP). */
    public Config config() {
        return client.getConfiguration();
    }

    /** {@code http://127.0.0.1:<port>/}: the URL a kubeconfig for this server names. */
    public String url() {
        return server.url("/");
    }

    /** A kubeconfig file's text that points at this server (for {@code kubernetes.kubeconfig}). */
    public String kubeconfig() {
        return "apiVersion: v1\nkind: Config\nclusters:\n- name: sim\n  cluster:\n    server: " + url()
                + "\ncontexts:\n- name: sim\n  context:\n    cluster: sim\n    user: sim\ncurrent-context: sim\n"
                + "users:\n- name: sim\n  user:\n    token: sim\n";
    }

    @Override
    public void close() {
        client.close();
        try {
            server.destroy();
        } catch (IllegalStateException e) {
            // Vert.x gave up waiting for a watch connection a client left open: the port is released anyway.
        }
    }

    /**
     * Thread-safe (Vert.x event loops dispatch; the test thread holds and expires): fabric8's CRUD
     * dispatcher whose watches can be held silent and then expired with 410 Gone.
     */
    private static final class ExpiringWatchDispatcher extends KubernetesCrudDispatcher {
        private static final String GONE = "{\"type\":\"ERROR\",\"object\":{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                + "\"metadata\":{},\"status\":\"Failure\",\"message\":\"too old resource version\","
                + "\"reason\":\"Expired\",\"code\":410}}";

        private final List<WebSocket> heldSockets = new ArrayList<>();
        private final AtomicInteger expired = new AtomicInteger();
        private final List<String> forbidden = new java.util.concurrent.CopyOnWriteArrayList<>();
        private boolean holding;

        ExpiringWatchDispatcher(List<CustomResourceDefinitionContext> crds) {
            super(crds);
        }

        synchronized void hold() {
            holding = true;
        }

        synchronized int held() {
            return heldSockets.size();
        }

        synchronized int expire() {
            holding = false;
            int count = heldSockets.size();
            heldSockets.forEach(this::gone);
            heldSockets.clear();
            return count;
        }

        void forbid(String pathFragment) {
            forbidden.add(pathFragment);
        }

        /** A 403 as the API server gives it when RBAC refuses: for a path that contains a forbidden fragment. */
        private MockResponse refusal(String path) {
            for (String fragment : forbidden) {
                if (path.contains(fragment)) {
                    return new MockResponse().setResponseCode(403).setBody("{\"kind\":\"Status\",\"apiVersion\":\"v1\","
                            + "\"metadata\":{},\"status\":\"Failure\",\"message\":\"forbidden: " + fragment
                            + "\",\"reason\":\"Forbidden\",\"code\":403}");
                }
            }
            return null;
        }

        @Override
        public MockResponse handleGet(String path) {
            MockResponse refused = refusal(path);
            return refused != null ? refused : super.handleGet(path);
        }

        @Override
        public MockResponse handleWatch(String path) {
            MockResponse refused = refusal(path);
            if (refused != null) {
                return refused;
            }
            synchronized (this) {
                if (!holding) {
                    return super.handleWatch(path);
                }
            }
            return new MockResponse().withWebSocketUpgrade(new WebSocketListener() {
                @Override
                public void onOpen(WebSocket socket, Response response) {
                    synchronized (ExpiringWatchDispatcher.this) {
                        if (holding) {
                            heldSockets.add(socket);
                        } else {
                            gone(socket); // expired between the upgrade and its opening: it missed changes too
                        }
                    }
                }
            });
        }

        private void gone(WebSocket socket) {
            socket.send(GONE);
            socket.close(1000, "410 Gone");
            expired.incrementAndGet();
        }
    }

    private static CustomResourceDefinitionContext endpointSliceCrd() {
        return new CustomResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2alpha1")
                .withKind("CiliumEndpointSlice").withPlural("ciliumendpointslices").withScope("Cluster").build();
    }

    private static CustomResourceDefinitionContext crd(String kind, String plural, boolean namespaced) {
        return new CustomResourceDefinitionContext.Builder().withGroup("cilium.io").withVersion("v2").withKind(kind)
                .withPlural(plural).withScope(namespaced ? "Namespaced" : "Cluster").build();
    }
}
