package io.transitwatch.daemon.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Immutable. The simulated cluster: six dual-stack nodes, their pod CIDRs, and the pods of a small
 * Flux / CoreDNS / spegel / cert-manager installation spread over them. Addresses are fixed (they
 * do not depend on the scenario seed), so a test or a demo can hard-code them.
 *
 * <p>Node {@code i} (in node order) owns {@code fd00:101:224:i::/64} and {@code 10.101.(224+i).0/24}
 * out of the cluster pod CIDRs {@code fd00:101:224::/60} and {@code 10.101.224.0/20}.
 *
 * <p>{@link #scaled(int)} builds the same installation on a cluster of any size up to
 * {@link #MAX_NODES} nodes (solcp01-03 and solwk01 .. solwkNN; spegel runs on every node, so
 * its peer-to-peer mesh spreads traffic over all node pairs), with wider pod CIDRs: node {@code i}
 * owns {@code 10.(64 + i / 256).(i % 256).0/24} of {@code 10.64.0.0/10} and {@code fd00:101:224:i::/64}
 * ({@code i} in hex) of {@code fd00:101:224::/48}.
 */
public final class ClusterTopology {
    public static final String CLUSTER_NAME = "default";
    public static final String POD_CIDR_V4 = "10.101.224.0/20";
    public static final String POD_CIDR_V6 = "fd00:101:224::/60";
    /** The {@code default/kubernetes} Service's ClusterIPs (port 443; backends: control-plane nodes' :6443). */
    public static final String API_SERVER_CLUSTER_IP_V4 = "10.101.96.1";
    public static final String API_SERVER_CLUSTER_IP_V6 = "fd00:101:96::1";
    /** Server name of the {@code hubble-peer} Service's TLS certificate (Relay dials it with this name). */
    public static final String PEER_SERVER_NAME = "hubble-peer." + CLUSTER_NAME + ".hubble-grpc.cilium.io";

    private static final String NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789";
    private static final SimNode.NetworkInterfaceName UPLINK = new SimNode.NetworkInterfaceName("ens18", 2);

    /** Nodes of the cluster of DESIGN §9, and the fewest {@link #scaled} accepts. */
    public static final int DEFAULT_NODES = 6;
    /** Most nodes {@link #scaled} builds (the pod CIDRs hand out this many /24s). */
    public static final int MAX_NODES = 16_384;

    private final List<SimNode> nodes;
    private final Map<String, SimNode> byName = new LinkedHashMap<>();
    private final List<Pod> pods;
    private final List<ExternalPeer> internet;
    private final String podCidrV4;
    private final String podCidrV6;

    private ClusterTopology(List<SimNode> nodes, List<Pod> pods, List<ExternalPeer> internet, String podCidrV4,
            String podCidrV6) {
        this.nodes = List.copyOf(nodes);
        this.pods = List.copyOf(pods);
        this.internet = List.copyOf(internet);
        this.podCidrV4 = podCidrV4;
        this.podCidrV6 = podCidrV6;
        nodes.forEach(n -> byName.put(n.name(), n));
    }

    /** The cluster of DESIGN §9: solcp01-03 and solwk01-03. */
    public static ClusterTopology defaults() {
        return scaled(DEFAULT_NODES);
    }

    /**
     * A cluster of {@code nodeCount} nodes: {@link #defaults()} for {@value #DEFAULT_NODES}, else the
     * same workloads on solcp01-03 and solwk01-03 plus spegel on every worker solwk04 .. .
     */
    public static ClusterTopology scaled(int nodeCount) {
        if (nodeCount < DEFAULT_NODES || nodeCount > MAX_NODES) {
            throw new IllegalArgumentException("a simulated cluster has " + DEFAULT_NODES + " to " + MAX_NODES
                    + " nodes, not " + nodeCount);
        }
        boolean small = nodeCount == DEFAULT_NODES;
        List<SimNode> nodes = new ArrayList<>();
        String[] names = new String[nodeCount];
        for (int i = 0; i < nodeCount; i++) {
            boolean controlPlane = i < 3;
            names[i] = controlPlane ? String.format("solcp%02d", i + 1) : String.format("solwk%02d", i - 2);
            String ipv4;
            String ipv6;
            String cidrV4;
            String cidrV6;
            if (small) {
                int host = (controlPlane ? 11 : 21) + i % 3; // .11-.13 and .21-.23, in both families
                ipv4 = "10.101.0." + host;
                ipv6 = "fd00:101::" + host;
                cidrV4 = "10.101." + (224 + i) + ".0/24";
            } else {
                ipv4 = "10.100." + (i / 250) + "." + (i % 250 + 1);
                ipv6 = "fd00:100::" + Integer.toHexString(i + 1);
                cidrV4 = "10." + (64 + i / 256) + "." + (i % 256) + ".0/24";
            }
            cidrV6 = "fd00:101:224:" + Integer.toHexString(i) + "::/64";
            nodes.add(new SimNode(names[i], i, controlPlane, ipv4, ipv6, cidrV4, cidrV6,
                    SimCertificates.hubbleServerName(names[i], CLUSTER_NAME), UPLINK));
        }
        PodPlacer placer = new PodPlacer(nodes);
        workload(placer, "flux-system", "source-controller", "Deployment", 41034, "solwk02");
        workload(placer, "flux-system", "kustomize-controller", "Deployment", 44187, "solwk03");
        workload(placer, "flux-system", "helm-controller", "Deployment", 17721, "solwk01");
        workload(placer, "flux-system", "notification-controller", "Deployment", 30528, "solwk01");
        workload(placer, "kube-system", "coredns", "Deployment", 24906, "solcp01", "solcp02");
        workload(placer, "kube-system", "metrics-server", "Deployment", 11507, "solwk02");
        workload(placer, "kube-system", "hubble-relay", "Deployment", 5720, "solcp03");
        workload(placer, "spegel", "spegel", "DaemonSet", 52271, names);
        workload(placer, "cert-manager", "cert-manager", "Deployment", 38004, "solwk01");
        workload(placer, "cert-manager", "cert-manager-cainjector", "Deployment", 12996, "solwk03");
        workload(placer, "cert-manager", "cert-manager-webhook", "Deployment", 60733, "solwk02");

        List<ExternalPeer> internet = List.of(
                new ExternalPeer("one.one.one.one", "1.1.1.1", IpFamily.IPV4, ExternalPeer.IDENTITY_WORLD_IPV4,
                        List.of("reserved:world-ipv4"), null),
                new ExternalPeer("one.one.one.one", "2606:4700::1111", IpFamily.IPV6,
                        ExternalPeer.IDENTITY_WORLD_IPV6, List.of("reserved:world-ipv6"), null),
                new ExternalPeer("github.com", "140.82.121.4", IpFamily.IPV4, ExternalPeer.IDENTITY_WORLD,
                        List.of("reserved:world"), null),
                new ExternalPeer("ghcr.io", "2606:50c0:8000::154", IpFamily.IPV6, ExternalPeer.IDENTITY_WORLD_IPV6,
                        List.of("reserved:world-ipv6"), null));
        return small
                ? new ClusterTopology(nodes, placer.pods, internet, POD_CIDR_V4, POD_CIDR_V6)
                : new ClusterTopology(nodes, placer.pods, internet, "10.64.0.0/10", "fd00:101:224::/48");
    }

    /** The cluster's IPv4 pod CIDR (every node's is inside). */
    public String podCidrV4() {
        return podCidrV4;
    }

    /** The cluster's IPv6 pod CIDR. */
    public String podCidrV6() {
        return podCidrV6;
    }

    public List<SimNode> nodes() {
        return nodes;
    }

    public List<String> nodeNames() {
        return nodes.stream().map(SimNode::name).toList();
    }

    public SimNode node(String name) {
        SimNode node = byName.get(name);
        if (node != null) {
            return node;
        }
        throw new IllegalArgumentException("no node named '" + name + "' (nodes: " + describeNames() + ")");
    }

    private String describeNames() {
        return nodes.size() <= 12 ? nodeNames().toString()
                : nodes.get(0).name() + " .. " + nodes.get(nodes.size() - 1).name() + ", " + nodes.size() + " nodes";
    }

    public List<Pod> pods() {
        return pods;
    }

    /** Pods of one workload, in node order. */
    public List<Pod> podsOf(String workload) {
        List<Pod> matching = pods.stream().filter(p -> p.workload().equals(workload)).toList();
        if (matching.isEmpty()) {
            throw new IllegalArgumentException("no workload named '" + workload + "'");
        }
        return matching;
    }

    /** The one pod of a single-replica workload. */
    public Pod pod(String workload) {
        return podsOf(workload).get(0);
    }

    public List<Pod> podsOn(String node) {
        return pods.stream().filter(p -> p.node().name().equals(node)).toList();
    }

    /** Internet destinations some pods talk to (no arrival event exists for these). */
    public List<ExternalPeer> internet() {
        return internet;
    }

    /** Node name to its IPv4 pod CIDR, in node order: what the daemon's configuration takes. */
    public Map<String, String> podCidrsV4() {
        Map<String, String> cidrs = new LinkedHashMap<>();
        nodes.forEach(n -> cidrs.put(n.name(), n.podCidrV4()));
        return Collections.unmodifiableMap(cidrs);
    }

    /** Node name to its IPv6 pod CIDR, in node order. */
    public Map<String, String> podCidrsV6() {
        Map<String, String> cidrs = new LinkedHashMap<>();
        nodes.forEach(n -> cidrs.put(n.name(), n.podCidrV6()));
        return Collections.unmodifiableMap(cidrs);
    }

    /** The DNS names a server certificate for this cluster must carry: every node's, and the peer Service's. */
    public List<String> tlsServerNames() {
        List<String> names = new ArrayList<>();
        nodes.forEach(n -> names.add(n.tlsServerName()));
        names.add(PEER_SERVER_NAME);
        return List.copyOf(names);
    }

    private static void workload(PodPlacer placer, String namespace, String name, String kind, int identity,
            String... nodes) {
        for (String node : nodes) {
            placer.place(namespace, name, kind, identity, node);
        }
    }

    /** Hands out pod addresses and endpoint ids per node, deterministically in declaration order. */
    private static final class PodPlacer {
        private final List<SimNode> nodes;
        private final int[] podsPerNode;
        private final List<Pod> pods = new ArrayList<>();

        private final Map<String, SimNode> byName = new LinkedHashMap<>();

        PodPlacer(List<SimNode> nodes) {
            this.nodes = nodes;
            nodes.forEach(n -> byName.put(n.name(), n));
            this.podsPerNode = new int[nodes.size()];
        }

        void place(String namespace, String workload, String kind, int identity, String nodeName) {
            SimNode node = byName.get(nodeName);
            int ordinal = ++podsPerNode[node.index()];
            String podName = kind.equals("DaemonSet")
                    ? workload + "-" + suffix(workload + nodeName, 5)
                    : workload + "-" + suffix(workload, 9) + "-" + suffix(workload + nodeName + ordinal, 5);
            int hash = Math.floorMod((namespace + "/" + podName).hashCode(), 0xefff) + 0x1000;
            String v6Prefix = node.podCidrV6().substring(0, node.podCidrV6().indexOf("::/"));
            String v4Prefix = node.podCidrV4().substring(0, node.podCidrV4().lastIndexOf(".0/"));
            String ipv6 = v6Prefix + "::" + Integer.toHexString(hash);
            String ipv4 = v4Prefix + "." + (10 + 7 * ordinal);
            int endpointId = 100 + Math.floorMod(hash * 31, 3900);
            List<String> labels = List.of(
                    "k8s:app=" + workload,
                    "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=" + namespace,
                    "k8s:io.cilium.k8s.policy.cluster=" + CLUSTER_NAME,
                    "k8s:io.cilium.k8s.policy.serviceaccount=" + workload,
                    "k8s:io.kubernetes.pod.namespace=" + namespace);
            SimNode.NetworkInterfaceName lxc = new SimNode.NetworkInterfaceName(
                    "lxc" + suffixHex(podName), 10 + ordinal * 2);
            pods.add(new Pod(namespace, podName, workload, kind, node, ipv4, ipv6, identity, endpointId, labels,
                    lxc));
        }

        private static String suffixHex(String seed) {
            return String.format("%011x", (seed.hashCode() * 0x9E3779B97F4A7C15L) >>> 20);
        }

        /** A Kubernetes-looking random suffix, derived from {@code seed} so names are stable. */
        private static String suffix(String seed, int length) {
            long state = seed.hashCode() * 0x9E3779B97F4A7C15L;
            StringBuilder out = new StringBuilder(length);
            for (int i = 0; i < length; i++) {
                state = state * 6364136223846793005L + 1442695040888963407L;
                out.append(NAME_ALPHABET.charAt((int) Math.floorMod(state >>> 33, (long) NAME_ALPHABET.length())));
            }
            return out.toString();
        }
    }
}
