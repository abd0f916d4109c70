package io.transitwatch.daemon.kubernetes;

import io.transitwatch.daemon.kubernetes.Calibration.Setting;
import io.transitwatch.daemon.kubernetes.CiliumFacts.CiliumNodeFacts;
import io.transitwatch.daemon.kubernetes.CiliumFacts.EndpointFacts;
import io.transitwatch.daemon.kubernetes.CiliumFacts.NodeConfigFacts;
import io.transitwatch.daemon.kubernetes.CiliumFacts.NodeFacts;
import io.transitwatch.daemon.topology.DiscoverySnapshot;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.NodeAddresses;
import io.transitwatch.daemon.topology.PrefixTable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Single-threaded: confined to the discovery thread (informer callbacks and snapshot builds run there).
 *
 * <p>The facts the informers delivered, keyed by object, and the build of an immutable
 * {@link DiscoverySnapshot} from them. Placements follow k8s-facts.md §1: a CiliumEndpoint's (or a
 * CiliumEndpointSlice entry's) pod IP goes to the node whose address is its {@code networking.node}; CiliumNode pod and pool
 * CIDRs; Node pod CIDRs. When two nodes claim the same prefix (a stale object), the first node by
 * name keeps it and the conflict is counted, so one stale object cannot make a table unbuildable.
 */
final class ClusterState {
    /** The cilium-config key naming the cluster, and the name Cilium leaves out of node names. */
    static final String CLUSTER_NAME_KEY = "cluster-name";
    static final String DEFAULT_CLUSTER = "default";

    private final Map<String, NodeFacts> nodes = new TreeMap<>();
    private final Map<String, CiliumNodeFacts> ciliumNodes = new TreeMap<>();
    private final Map<String, EndpointFacts> endpoints = new HashMap<>();
    private final Map<String, List<EndpointFacts>> endpointSlices = new HashMap<>();
    private final Map<String, NodeConfigFacts> nodeConfigs = new TreeMap<>();
    /** EndpointSlice name → the addresses of the {@code default/kubernetes} Service: the API server. */
    private final Map<String, List<IpPrefix>> apiServerSlices = new TreeMap<>();
    private Map<String, String> ciliumConfig;
    private final String ciliumConfigName;

    ClusterState(String ciliumConfigName) {
        this.ciliumConfigName = ciliumConfigName;
    }

    void putNode(NodeFacts node) {
        nodes.put(node.name(), node);
    }

    void removeNode(String name) {
        nodes.remove(name);
    }

    void putCiliumNode(CiliumNodeFacts node) {
        ciliumNodes.put(node.name(), node);
    }

    void removeCiliumNode(String name) {
        ciliumNodes.remove(name);
    }

    void putEndpoint(String key, EndpointFacts endpoint) {
        if (endpoint == null) {
            endpoints.remove(key);
        } else {
            endpoints.put(key, endpoint);
        }
    }

    void removeEndpoint(String key) {
        endpoints.remove(key);
    }

    void putEndpointSlice(String name, List<EndpointFacts> sliceEndpoints) {
        endpointSlices.put(name, List.copyOf(sliceEndpoints));
    }

    void removeEndpointSlice(String name) {
        endpointSlices.remove(name);
    }

    void putApiServerSlice(String name, List<IpPrefix> addresses) {
        apiServerSlices.put(name, List.copyOf(addresses));
    }

    void removeApiServerSlice(String name) {
        apiServerSlices.remove(name);
    }

    /** Where the API server answers, from the {@code default/kubernetes} EndpointSlices, without repeats. */
    List<IpPrefix> apiServerAddresses() {
        Set<IpPrefix> addresses = new LinkedHashSet<>();
        apiServerSlices.values().forEach(addresses::addAll);
        return List.copyOf(addresses);
    }

    void putNodeConfig(NodeConfigFacts config) {
        nodeConfigs.put(config.name(), config);
    }

    void removeNodeConfig(String name) {
        nodeConfigs.remove(name);
    }

    /** The cilium-config ConfigMap's data, or null when it is absent (deleted, not readable). */
    void setCiliumConfig(Map<String, String> data) {
        this.ciliumConfig = data == null ? null : Map.copyOf(data);
    }

    /** Node names known from Node or CiliumNode objects. */
    Set<String> nodeNames() {
        Set<String> names = new LinkedHashSet<>(nodes.keySet());
        names.addAll(ciliumNodes.keySet());
        return names;
    }

    /** The node's cilium-config keys with the overrides of every CiliumNodeConfig that selects it. */
    Map<String, Setting> mergedConfig(String node) {
        Map<String, Setting> merged = new LinkedHashMap<>();
        if (ciliumConfig != null) {
            ciliumConfig.forEach((key, value) -> merged.put(key, new Setting(value, ciliumConfigName)));
        }
        NodeFacts facts = nodes.get(node);
        Map<String, String> labels = facts == null ? Map.of() : facts.labels();
        for (NodeConfigFacts config : nodeConfigs.values()) {
            if (config.selector().matches(labels)) {
                config.defaults().forEach((key, value) ->
                        merged.put(key, new Setting(value, "CiliumNodeConfig " + config.name() + ":")));
            }
        }
        return merged;
    }

    /**
     * The name Hubble gives a Kubernetes node, which is the name the join's streams and tables use:
     * {@code <cluster>/<node>} when cilium-config's {@code cluster-name} is set to anything but
     * {@code default} (ClusterMesh and named clusters; hubble-api.md §1.2, Cilium's
     * {@code GetAbsoluteNodeName}), else the node's own name. Until cilium-config is read, the node's
     * own name.
     */
    String hubbleName(String node) {
        String cluster = ciliumConfig == null ? null : ciliumConfig.get(CLUSTER_NAME_KEY);
        return cluster == null || cluster.isBlank() || cluster.strip().equals(DEFAULT_CLUSTER) ? node
                : cluster.strip() + "/" + node;
    }

    /** Each node's calibration, by its {@link #hubbleName}; empty while cilium-config is unknown. */
    Map<String, Calibration> calibrations() {
        Map<String, Calibration> result = new TreeMap<>();
        if (ciliumConfig == null) {
            return result;
        }
        List<IpPrefix> podCidrs = new ArrayList<>();
        ciliumNodes.values().forEach(node -> {
            podCidrs.addAll(node.podCidrs());
            podCidrs.addAll(node.poolCidrs());
        });
        nodes.values().forEach(node -> podCidrs.addAll(node.podCidrs()));
        for (String node : nodeNames()) {
            result.put(hubbleName(node), Calibration.derive(mergedConfig(node), podCidrs));
        }
        return result;
    }

    /** Node ({@link #hubbleName}) → host addresses (CiliumNode first, then Node), the node-address source. */
    Map<String, List<IpPrefix>> nodeAddresses() {
        Map<String, List<IpPrefix>> result = new TreeMap<>();
        for (String node : nodeNames()) {
            Set<IpPrefix> addresses = new LinkedHashSet<>();
            CiliumNodeFacts cilium = ciliumNodes.get(node);
            if (cilium != null) {
                addresses.addAll(cilium.addresses());
            }
            NodeFacts facts = nodes.get(node);
            if (facts != null) {
                addresses.addAll(facts.addresses());
            }
            result.put(hubbleName(node), List.copyOf(addresses));
        }
        return result;
    }

    /** What a build produced besides the snapshot: counts for status, metrics and doctor. */
    record BuildReport(int endpointIps, int endpointsWithoutNode, int ciliumNodeCidrs, int nodeCidrs,
            int conflicts, Map<String, Calibration> calibrations, List<IpPrefix> apiServerAddresses) {}

    /**
     * Builds the immutable view for the join.
     *
     * @param nodeId pins a node name in the dictionary and returns its id
     * @param calibrateDepartures false when the configuration names the departure points
     * @param calibrateFirstData false when the configuration names the aggregation flags
     */
    Built build(ToIntFunction<String> nodeId, boolean calibrateDepartures, boolean calibrateFirstData, long version) {
        Map<String, List<IpPrefix>> addresses = nodeAddresses();
        Map<IpPrefix, String> nodeByIp = new HashMap<>();
        addresses.forEach((node, list) -> list.forEach(ip -> nodeByIp.putIfAbsent(ip, node)));

        int[] conflicts = new int[1];
        TableBuilder endpointTable = new TableBuilder(nodeId, conflicts);
        int withoutNode = 0;
        // With CiliumEndpointSlices on, a pod can be in both (the operator batches the CiliumEndpoints):
        // the same IP on the same node is one placement, not a conflict.
        List<EndpointFacts> exact = new ArrayList<>(endpoints.values());
        endpointSlices.values().forEach(exact::addAll);
        for (EndpointFacts endpoint : exact) {
            String node = nodeByIp.get(endpoint.nodeIp());
            if (node == null) {
                withoutNode++;
                continue;
            }
            endpoint.addresses().forEach(ip -> endpointTable.add(ip, node));
        }
        TableBuilder ciliumTable = new TableBuilder(nodeId, conflicts);
        ciliumNodes.values().forEach(node -> {
            node.podCidrs().forEach(cidr -> ciliumTable.add(cidr, hubbleName(node.name())));
            node.poolCidrs().forEach(cidr -> ciliumTable.add(cidr, hubbleName(node.name())));
        });
        TableBuilder nodeTable = new TableBuilder(nodeId, conflicts);
        nodes.values().forEach(node -> node.podCidrs().forEach(cidr -> nodeTable.add(cidr, hubbleName(node.name()))));
        NodeAddresses addressTable = NodeAddresses.of(addresses, nodeId);
        conflicts[0] += addressTable.conflicts();
        List<IpPrefix> apiServers = apiServerAddresses();

        Map<String, Calibration> calibrations = calibrations();
        Set<Integer> departures = new LinkedHashSet<>();
        int firstData = DiscoverySnapshot.UNKNOWN;
        Set<Integer> blindNodes = new LinkedHashSet<>();
        Set<Integer> egressTwiceNodes = new LinkedHashSet<>();
        Map<Integer, Long> eventsLimits = new HashMap<>();
        calibrations.forEach((node, calibration) -> {
            if (calibration.eventsPerSecondLimit() > 0) {
                eventsLimits.put(nodeId.applyAsInt(node), calibration.eventsPerSecondLimit());
            }
            if (!calibration.blindSpots().isEmpty()) {
                blindNodes.add(nodeId.applyAsInt(node));
            }
            if (calibration.egressTwice()) {
                egressTwiceNodes.add(nodeId.applyAsInt(node));
            }
        });
        if (!calibrations.isEmpty()) {
            boolean all = true;
            for (Calibration calibration : calibrations.values()) {
                departures.addAll(calibration.departurePoints());
                all &= calibration.firstData();
            }
            firstData = all ? DiscoverySnapshot.YES : DiscoverySnapshot.NO;
        }
        DiscoverySnapshot snapshot = new DiscoverySnapshot(endpointTable.table(), ciliumTable.table(),
                nodeTable.table(), addressTable, DiscoverySnapshot.addressSet(apiServers),
                calibrateDepartures ? departures : Set.of(),
                calibrateFirstData ? firstData : DiscoverySnapshot.UNKNOWN, blindNodes, egressTwiceNodes,
                eventsLimits, version);
        BuildReport report = new BuildReport(endpointTable.size(), withoutNode, ciliumTable.size(), nodeTable.size(),
                conflicts[0], calibrations, apiServers);
        return new Built(snapshot, report, addresses);
    }

    /** A snapshot for the join, the report for status, and the node addresses for round-trip naming. */
    record Built(DiscoverySnapshot snapshot, BuildReport report, Map<String, List<IpPrefix>> nodeAddresses) {}

    /** Collects prefix → node pairs, first claim wins. */
    private static final class TableBuilder {
        private final ToIntFunction<String> nodeId;
        private final int[] conflicts;
        private final Map<IpPrefix, String> owners = new LinkedHashMap<>();

        TableBuilder(ToIntFunction<String> nodeId, int[] conflicts) {
            this.nodeId = nodeId;
            this.conflicts = conflicts;
        }

        void add(IpPrefix prefix, String node) {
            String owner = owners.putIfAbsent(prefix, node);
            if (owner != null && !owner.equals(node)) {
                conflicts[0]++;
            }
        }

        int size() {
            return owners.size();
        }

        PrefixTable table() {
            List<IpPrefix> prefixes = new ArrayList<>(owners.size());
            List<Integer> ids = new ArrayList<>(owners.size());
            owners.forEach((prefix, node) -> {
                prefixes.add(prefix);
                ids.add(nodeId.applyAsInt(node));
            });
            return new PrefixTable(prefixes, ids);
        }
    }
}
