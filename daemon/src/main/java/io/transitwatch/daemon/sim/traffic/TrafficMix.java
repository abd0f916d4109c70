package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.sim.ClusterTopology;
import io.transitwatch.daemon.sim.ExternalPeer;
import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.L4Protocol;
import io.transitwatch.daemon.sim.Pod;
import io.transitwatch.daemon.sim.SimNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Immutable. Who talks to whom in the simulated cluster, as a weighted table of patterns (Flux
 * controllers fetching artifacts and posting events, DNS to CoreDNS, spegel's p2p mesh, cert-manager
 * webhook calls, API-server calls through the {@code kubernetes} ClusterIP to the control-plane nodes'
 * host addresses, kubelet calls and DNS to a host-network forwarder on node addresses, image pulls
 * from the internet), plus
 * the steady polling of kustomize-controller → source-controller:9090 in both families that the
 * DESIGN §9 fault needs.
 */
final class TrafficMix {
    /**
     * One conversation to start: its client, server, port, family and (TCP) lifetime.
     *
     * @param frontend the service the client dials, DNATed to {@code server:serverPort}; null: direct
     */
    record Spec(L4Protocol protocol, IpFamily family, Pod client, Peer server, int serverPort, long lifetimeNanos,
            Frontend frontend) {
        Spec(L4Protocol protocol, IpFamily family, Pod client, Peer server, int serverPort, long lifetimeNanos) {
            this(protocol, family, client, server, serverPort, lifetimeNanos, null);
        }
    }

    /** A Service's ClusterIP in both families and its port: what a client dials before bpf_lxc's DNAT. */
    record Frontend(String ipv4, String ipv6, int port) {
        String ip(IpFamily family) {
            return family == IpFamily.IPV4 ? ipv4 : ipv6;
        }
    }

    /** {@code default/kubernetes}: the API server's ClusterIP; backends are the control-plane nodes' :6443. */
    static final Frontend KUBERNETES_SERVICE =
            new Frontend(ClusterTopology.API_SERVER_CLUSTER_IP_V4, ClusterTopology.API_SERVER_CLUSTER_IP_V6, 443);

    /** A conversation repeated every {@code periodNanos} (with ±10 % jitter). */
    record Periodic(Spec spec, long periodNanos) {}

    private record Pattern(double weight, Function<SplittableRandom, Spec> make) {}

    private final ClusterTopology topology;
    private final List<Pattern> patterns = new ArrayList<>();
    /** Drawn from with rejection of the client's own node, so that nothing is n² in a big cluster. */
    private final List<SimNode> nodes;
    private final List<SimNode> controlPlaneNodes;
    private final Map<String, List<Pod>> podsOfWorkload = new HashMap<>();
    private final Map<SimNode, Map<Integer, Peer>> hosts = new IdentityHashMap<>();
    private final double totalWeight;
    private final List<Periodic> periodic;

    TrafficMix(ClusterTopology topology) {
        this.topology = topology;
        nodes = topology.nodes();
        controlPlaneNodes = nodes.stream().filter(SimNode::controlPlane).toList();
        Pod source = topology.pod("source-controller");
        Pod kustomize = topology.pod("kustomize-controller");
        Pod helm = topology.pod("helm-controller");
        Pod notification = topology.pod("notification-controller");
        List<Pod> flux = List.of(source, kustomize, helm);
        List<Pod> coredns = topology.podsOf("coredns");
        List<Pod> spegel = topology.podsOf("spegel");
        List<Pod> everyone = topology.pods();

        tcp(8, r -> helm, r -> Peer.of(source), 9090);
        tcp(6, r -> pick(flux, r), r -> Peer.of(notification), 9090);
        patterns.add(new Pattern(30, r -> new Spec(L4Protocol.UDP, family(r), pickExcept(everyone, "coredns", r),
                Peer.of(pick(coredns, r)), 53, 0)));
        tcp(14, r -> pick(spegel, r), null, 5001); // p2p: a spegel pod on another node, see below
        tcp(4, r -> pick(spegel, r), null, 5000);
        Pod certManager = topology.pod("cert-manager");
        Pod cainjector = topology.pod("cert-manager-cainjector");
        Peer webhook = Peer.of(topology.pod("cert-manager-webhook"));
        Pod metricsServer = topology.pod("metrics-server");
        Pod relay = topology.pod("hubble-relay");
        tcp(3, r -> certManager, r -> webhook, 10250);
        tcp(2, r -> cainjector, r -> webhook, 10250);
        host(16, r -> pickExcept(everyone, "", r), true, 6443);
        host(4, r -> metricsServer, false, 10250);
        host(5, r -> relay, false, 4244);
        // A host-network DNS forwarder (for the site's private zone) on every worker's node address.
        List<SimNode> workers = nodes.stream().filter(n -> !n.controlPlane()).toList();
        patterns.add(new Pattern(5, r -> {
            Pod from = pickExcept(everyone, "coredns", r);
            IpFamily family = family(r);
            return new Spec(L4Protocol.UDP, family, from, host(pickOtherNode(workers, from.node(), r), family, false),
                    53, 0);
        }));
        patterns.add(new Pattern(8, r -> {
            ExternalPeer site = pick(topology.internet(), r);
            Pod client = r.nextBoolean() ? source : pick(spegel, r);
            return new Spec(L4Protocol.TCP, site.family(), client, Peer.of(site), 443, lifetime(r));
        }));
        totalWeight = patterns.stream().mapToDouble(Pattern::weight).sum();

        periodic = List.of(
                new Periodic(new Spec(L4Protocol.TCP, IpFamily.IPV4, kustomize, Peer.of(source), 9090, 50_000_000L),
                        200_000_000L),
                new Periodic(new Spec(L4Protocol.TCP, IpFamily.IPV6, kustomize, Peer.of(source), 9090, 50_000_000L),
                        200_000_000L));
    }

    /** A conversation drawn from the weighted table. */
    Spec next(SplittableRandom random) {
        double draw = random.nextDouble() * totalWeight;
        for (Pattern pattern : patterns) {
            draw -= pattern.weight();
            if (draw < 0) {
                return pattern.make().apply(random);
            }
        }
        return patterns.get(patterns.size() - 1).make().apply(random);
    }

    List<Periodic> periodic() {
        return periodic;
    }

    /** A pod-to-pod TCP pattern; a {@code null} server means "the same workload on another node". */
    private void tcp(double weight, Function<SplittableRandom, Pod> client, Function<SplittableRandom, Peer> server,
            int port) {
        patterns.add(new Pattern(weight, r -> {
            Pod from = client.apply(r);
            Peer to = server != null ? server.apply(r) : Peer.of(peerOnAnotherNode(from, r));
            return new Spec(L4Protocol.TCP, family(r), from, to, port, lifetime(r));
        }));
    }

    /** TCP to another node's host address: the API server on control-plane nodes, or any node's host. */
    private void host(double weight, Function<SplittableRandom, Pod> client, boolean apiServer, int port) {
        patterns.add(new Pattern(weight, r -> {
            Pod from = client.apply(r);
            List<SimNode> candidates = apiServer ? controlPlaneNodes : nodes;
            IpFamily family = family(r);
            // Pods dial the API server's ClusterIP; bpf_lxc picks a control-plane node's :6443 as backend.
            return new Spec(L4Protocol.TCP, family, from, host(pickOtherNode(candidates, from.node(), r), family,
                    apiServer), port, lifetime(r), apiServer ? KUBERNETES_SERVICE : null);
        }));
    }

    /**
     * A pod of the client's workload on another node. Draws exactly as picking from the list of
     * the workload's pods minus the client (the client's pod is the only one of the workload on its
     * node), without building that list per pod: it would be n² for spegel in a big cluster.
     */
    private Pod peerOnAnotherNode(Pod from, SplittableRandom random) {
        List<Pod> workload = podsOfWorkload.computeIfAbsent(from.workload(), topology::podsOf);
        int own = workload.indexOf(from);
        int pick = random.nextInt(workload.size() - 1);
        return workload.get(pick < own ? pick : pick + 1);
    }

    /** A node of {@code candidates} other than {@code own}, drawn as from the list without it. */
    private static SimNode pickOtherNode(List<SimNode> candidates, SimNode own, SplittableRandom random) {
        int ownIndex = candidates.indexOf(own);
        if (ownIndex < 0) {
            return pick(candidates, random);
        }
        int pick = random.nextInt(candidates.size() - 1);
        return candidates.get(pick < ownIndex ? pick : pick + 1);
    }

    /** A node's host address as a peer: kube-apiserver (control plane, :6443) or remote-node. */
    Peer host(SimNode node, IpFamily family, boolean apiServer) {
        // Cilium's identity is per address: a control-plane node's address is kube-apiserver (7)
        // whichever port is dialled, so kubelet traffic to it carries that identity too.
        boolean asApiServer = apiServer || node.controlPlane();
        return hosts.computeIfAbsent(node, n -> new HashMap<>())
                .computeIfAbsent(family.ordinal() * 2 + (asApiServer ? 1 : 0),
                        k -> Peer.of(ExternalPeer.hostOf(node, family, asApiServer)));
    }

    /** Mostly short request/response connections, some of a few seconds, a few long-lived ones. */
    private static long lifetime(SplittableRandom random) {
        int draw = random.nextInt(100);
        if (draw < 70) {
            return random.nextLong(5_000_000L, 200_000_000L);
        }
        if (draw < 95) {
            return random.nextLong(300_000_000L, 3_000_000_000L);
        }
        return random.nextLong(6_000_000_000L, 30_000_000_000L);
    }

    private static IpFamily family(SplittableRandom random) {
        return random.nextBoolean() ? IpFamily.IPV4 : IpFamily.IPV6;
    }

    private static Pod pickExcept(List<Pod> pods, String workload, SplittableRandom random) {
        Pod pod;
        do {
            pod = pick(pods, random);
        } while (pod.workload().equals(workload));
        return pod;
    }

    private static <T> T pick(List<T> items, SplittableRandom random) {
        return items.get(random.nextInt(items.size()));
    }
}
