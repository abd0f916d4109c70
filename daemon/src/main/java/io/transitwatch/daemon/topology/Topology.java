package io.transitwatch.daemon.topology;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.ToIntFunction;

/**
 * Single-threaded: owned by the join thread (learning and lookups both happen there). The configured
 * prefix table is immutable and may be shared.
 *
 * <p>Answers "on which node does this IP live?" (DESIGN §3.4), in order: the pod CIDRs per node from
 * the configuration; then what the streams taught us — an arrival {@code to-endpoint} at node N for
 * IP X, or a departure from N whose source endpoint is local ({@code source.ID != 0}), places X on N.
 * Learned placements live in a bounded Caffeine cache that forgets entries not used for
 * {@code ttl}; a pod IP that moves is re-learned by the next observation. Alongside, it remembers
 * each IP's endpoint (namespace, pod, workload, identity), so that alerts can name both ends
 * without the join keeping strings per pending entry.
 *
 * <p>The hot path does not allocate: lookups go through a reused probe key, Caffeine runs its
 * maintenance on the calling thread ({@code executor(Runnable::run)}, no hidden threads) and reads
 * its time from the join's clock; a new key object is made only when an IP is seen for the first
 * time or moves. Most lookups do not reach Caffeine at all: {@link RecentEndpoints} answers for an
 * address Caffeine was asked about within the last {@code ttl / 8}, so a learned placement expires
 * between {@code ttl - ttl / 8} and {@code ttl} after its last use, and a placement Caffeine
 * evicts for size is still answered for at most {@code ttl / 8}. The prefix tables'
 * ({@link PrefixPlacements}) answer for an address is cached in its endpoint too: most addresses a
 * flow asks about were learned from the same flow a moment before, so {@link #nodeOf} then costs
 * the one recent-table probe instead of a probe per table and prefix length.
 *
 * <p>Names (namespace, pod, workload) are dictionary ids, which the dictionary recycles once nobody
 * interned them for its hold bound (at least {@code ttl}). Lookups keep a placement alive without
 * anybody interning its names again, so names last learned more than {@code ttl} ago are dropped
 * (the endpoint answers 0, "unknown") instead of being resolved after their id may name another pod.
 * Node ids are pinned in the dictionary and kept.
 */
public final class Topology {
    /** Mutable, join-thread-only: what is known about one IP. */
    public static final class Endpoint {
        int node;
        int namespace;
        int pod;
        int workload;
        int identity;
        long namedNanos;
        /**
         * The first non-zero answer of the prefix tables for this IP (0: none covers it), its source,
         * and the version of the tables it was computed under: a stale version means "ask the tables".
         */
        int prefixNode;
        byte prefixSource;
        int prefixVersion;

        public int node() {
            return node;
        }

        public int namespace() {
            return namespace;
        }

        public int pod() {
            return pod;
        }

        public int workload() {
            return workload;
        }

        public int identity() {
            return identity;
        }
    }

    private static final class IpKey {
        long hi;
        long lo;

        IpKey(long hi, long lo) {
            this.hi = hi;
            this.lo = lo;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof IpKey key && key.hi == hi && key.lo == lo;
        }

        @Override
        public int hashCode() {
            long h = (hi * 0x9E3779B97F4A7C15L) ^ lo;
            return (int) (h ^ (h >>> 32));
        }
    }

    private static final int RECENT_CAPACITY = 16_384;

    private final PrefixPlacements prefixes;
    private NodeAddresses nodeAddresses = NodeAddresses.EMPTY;
    private NodeAddresses discoveredNodeAddresses = NodeAddresses.EMPTY;
    private PrefixTable apiServers = DiscoverySnapshot.empty();
    /** The pods' own addresses the Kubernetes API lists (CiliumEndpoints), empty when it lists none. */
    private PrefixTable discoveredEndpoints = DiscoverySnapshot.empty();
    private final long[] placedBySource = new long[PlacementSource.values().length];
    private final Cache<IpKey, Endpoint> learned;
    private final RecentEndpoints recent;
    private final IpKey probe = new IpKey(0, 0);
    private final long nameTtlNanos;
    private final long nameRefreshNanos;
    private long nowNanos;

    /**
     * @param podCidrs pod CIDRs per node name, from the configuration (may be empty)
     * @param nodeId interns a node name into the id the events carry
     */
    public Topology(Map<String, List<IpPrefix>> podCidrs, ToIntFunction<String> nodeId, int maxLearned, Duration ttl) {
        List<IpPrefix> podPrefixes = new ArrayList<>();
        List<Integer> nodes = new ArrayList<>();
        podCidrs.forEach((node, cidrs) -> {
            for (IpPrefix cidr : cidrs) {
                podPrefixes.add(cidr);
                nodes.add(nodeId.applyAsInt(node));
            }
        });
        this.prefixes = new PrefixPlacements(new PrefixTable(podPrefixes, nodes));
        this.learned = Caffeine.newBuilder()
                .maximumSize(maxLearned)
                .expireAfterAccess(ttl)
                .executor(Runnable::run)
                .ticker(() -> nowNanos)
                .build();
        this.nameTtlNanos = ttl.toNanos();
        this.nameRefreshNanos = Math.max(1, ttl.toNanos() / 8);
        this.recent = new RecentEndpoints(Math.min(maxLearned, RECENT_CAPACITY), Math.max(1, ttl.toNanos() / 8));
    }

    /** The join's time, read once per duty cycle; drives expiry of learned entries. */
    public void setTime(long epochNanos) {
        this.nowNanos = epochNanos;
    }

    /**
     * Node id of the address, or 0 when unresolved: configured pod CIDRs, then what the Kubernetes API
     * says (exact CiliumEndpoint IPs, CiliumNode CIDRs, Node CIDRs), then what the traffic taught.
     */
    public int nodeOf(long hi, long lo) {
        // Most addresses a flow asks about were just learned from the same flow: the recent entry is in
        // cache, and its cached prefix answer saves probing every prefix table again. Only the recent
        // table is asked here (not Caffeine), so a lookup extends no learned entry's life.
        Endpoint recentlyUsed = recent.get(hi, lo, nowNanos);
        boolean known = recentlyUsed != null && recentlyUsed != RecentEndpoints.UNKNOWN;
        if (known && recentlyUsed.prefixVersion == prefixes.version()) {
            return placed(recentlyUsed.prefixNode != 0 ? recentlyUsed.prefixSource : -1, recentlyUsed);
        }
        long answer = prefixes.lookup(hi, lo);
        int node = PrefixPlacements.node(answer);
        if (known) {
            recentlyUsed.prefixNode = node;
            recentlyUsed.prefixSource = (byte) PrefixPlacements.source(answer);
            recentlyUsed.prefixVersion = prefixes.version();
        }
        if (node != 0) {
            placedBySource[PrefixPlacements.source(answer)]++;
            return node;
        }
        return placed(-1, find(hi, lo));
    }

    /** Counts and returns the placement: from prefix table {@code prefixSource}, or (-1) what the traffic taught. */
    private int placed(int prefixSource, Endpoint endpoint) {
        if (prefixSource >= 0) {
            placedBySource[prefixSource]++;
            return endpoint.prefixNode;
        }
        int node = endpoint == null ? 0 : endpoint.node;
        placedBySource[(node == 0 ? PlacementSource.UNPLACED : PlacementSource.LEARNED).ordinal()]++;
        return node;
    }

    /** Where placements came from, in the order they are consulted. */
    public enum PlacementSource { CONFIGURED, CILIUM_ENDPOINT, CILIUM_NODE, NODE, LEARNED, UNPLACED }

    /** Lookups answered by each source so far (join thread; a reader on another thread sees a recent value). */
    public long placements(PlacementSource source) {
        return placedBySource[source.ordinal()];
    }

    /**
     * Takes the Kubernetes view of the cluster (join thread, between events): placements and node
     * addresses are replaced as a whole, so a node removed or re-addressed takes effect at once.
     */
    public void apply(DiscoverySnapshot snapshot) {
        prefixes.apply(snapshot);
        this.discoveredNodeAddresses = snapshot.nodeAddresses();
        this.apiServers = snapshot.apiServers();
        this.discoveredEndpoints = snapshot.endpointIps();
    }

    /**
     * Whether the address lies in a pod CIDR while no pod has it, as far as the Kubernetes API says: its
     * CiliumEndpoints place pods, but none at this address (a pod deleted, whose address a client still
     * dials, or one not listed yet). Nothing there reports an arrival or sends a reply, so silence from
     * it says nothing about the network. Asked only before a LOST or NO_REPLY.
     */
    public boolean isVacantPodAddress(long hi, long lo) {
        PrefixTable endpoints = discoveredEndpoints;
        return !endpoints.isEmpty() && endpoints.lookup(hi, lo) == 0
                && PrefixPlacements.node(prefixes.lookup(hi, lo)) != 0;
    }

    /**
     * Whether the address is one the API server answers at (the {@code default/kubernetes}
     * EndpointSlices): asked only of flows to a CIDR identity that no arrival will answer, to name
     * their destination and to leave them out of the client requests.
     */
    public boolean isApiServer(long hi, long lo) {
        return apiServers.lookup(hi, lo) == DiscoverySnapshot.IS_API_SERVER;
    }

    /**
     * The nodes' own addresses (node name: host prefixes), so that a round trip to a node's host stack
     * or API server names its node (DESIGN §3.7). Called at start, before the join runs.
     */
    public void setNodeAddresses(Map<String, List<IpPrefix>> addresses, ToIntFunction<String> nodeId) {
        setNodeAddresses(NodeAddresses.of(addresses, nodeId));
    }

    /** A new snapshot of the nodes' own addresses ({@link NodeAddressBook}), on the join thread: one reference swap. */
    public void setNodeAddresses(NodeAddresses snapshot) {
        this.nodeAddresses = snapshot;
    }

    /** The snapshot of node addresses in use. */
    public NodeAddresses nodeAddresses() {
        return nodeAddresses;
    }

    /** Node id of the node whose own address this is, or 0. */
    public int nodeOfAddress(long hi, long lo) {
        int node = nodeAddresses.nodeOf(hi, lo);
        return node != 0 ? node : discoveredNodeAddresses.nodeOf(hi, lo);
    }

    /**
     * The host addresses of node {@code nodeId} (dictionary id) as (high, low) pairs, from the
     * snapshot of the nodes' addresses ({@link #setNodeAddresses}: configuration, Relay, Peer, node
     * names) or, {@code fromKubernetes}, from the Kubernetes API's; a node may masquerade to an
     * address only one of them knows. No allocation: the array belongs to the snapshot, not to be written.
     */
    public long[] hostAddressesOf(int nodeId, boolean fromKubernetes) {
        return (fromKubernetes ? discoveredNodeAddresses : nodeAddresses).hostAddressesOf(nodeId);
    }

    /**
     * Records where an IP was seen and who it was; allocates only for a new IP. Writes nothing when the
     * endpoint already holds all of it and its names were confirmed within {@code ttl / 8} (so names in
     * use are dropped at most that much early, never late).
     */
    public void learn(long hi, long lo, int node, int namespace, int pod, int workload, int identity) {
        Endpoint endpoint = find(hi, lo);
        if (endpoint == null) {
            endpoint = new Endpoint();
            learned.put(new IpKey(hi, lo), endpoint);
            recent.put(hi, lo, endpoint, nowNanos);
        } else if (knows(endpoint, node, namespace, pod, workload, identity)
                && nowNanos - endpoint.namedNanos < nameRefreshNanos) {
            return; // nothing changed: most flows repeat what the last one taught, and writing costs a dirty line
        }
        if (node != 0) {
            endpoint.node = node;
        }
        if (pod != 0 || namespace != 0) {
            endpoint.namespace = namespace;
            endpoint.pod = pod;
            endpoint.workload = workload;
            endpoint.namedNanos = nowNanos;
        }
        if (identity != 0) {
            endpoint.identity = identity;
        }
    }

    /**
     * What is known about the IP, or null. The object is live: copy what you keep, and resolve its
     * names now (they are forgotten {@code ttl} after the last flow that named them).
     */
    public Endpoint endpoint(long hi, long lo) {
        Endpoint endpoint = find(hi, lo);
        if (endpoint != null && (endpoint.pod != 0 || endpoint.namespace != 0)
                && nowNanos - endpoint.namedNanos > nameTtlNanos) {
            endpoint.namespace = 0;
            endpoint.pod = 0;
            endpoint.workload = 0;
        }
        return endpoint;
    }

    public long learnedCount() {
        return learned.estimatedSize();
    }

    /**
     * Whether pod CIDRs are known from the configuration or the Kubernetes API (then an address outside
     * them is not a pod: a departure to it is no transit to join). Exact endpoint IPs alone do not
     * count: in cloud IPAM a pod whose CiliumEndpoint is not listed yet is still a pod.
     */
    public boolean hasConfiguredCidrs() {
        return prefixes.hasCidrs();
    }

    /** Whether learning these values would change nothing but the time the names were last confirmed. */
    private static boolean knows(Endpoint endpoint, int node, int namespace, int pod, int workload, int identity) {
        return (node == 0 || endpoint.node == node)
                && (pod == 0 && namespace == 0
                        || endpoint.pod == pod && endpoint.namespace == namespace && endpoint.workload == workload)
                && (identity == 0 || endpoint.identity == identity);
    }

    private Endpoint find(long hi, long lo) {
        Endpoint endpoint = recent.get(hi, lo, nowNanos);
        if (endpoint == null) {
            probe.hi = hi;
            probe.lo = lo;
            endpoint = learned.getIfPresent(probe);
            recent.put(hi, lo, endpoint == null ? RecentEndpoints.UNKNOWN : endpoint, nowNanos);
        }
        return endpoint == RecentEndpoints.UNKNOWN ? null : endpoint;
    }
}
