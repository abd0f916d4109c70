package io.transitwatch.daemon.topology;

/**
 * Single-threaded: owned by the join thread, inside {@link Topology}; the tables it holds are
 * immutable and only ever replaced whole.
 *
 * <p>The prefix tables a placement asks before what the traffic taught, in order: the configured pod
 * CIDRs, then the Kubernetes API's exact CiliumEndpoint IPs, CiliumNode CIDRs and Node CIDRs. A
 * discovery snapshot replaces the discovered ones and moves {@link #version()} on, so that answers
 * an endpoint cached under an older version are asked again.
 */
final class PrefixPlacements {
    private final PrefixTable configured;
    private PrefixTable endpointIps = DiscoverySnapshot.empty();
    private PrefixTable ciliumNodeCidrs = DiscoverySnapshot.empty();
    private PrefixTable nodeCidrs = DiscoverySnapshot.empty();
    /** Never 0, the version of an endpoint that cached nothing yet. */
    private int version = 1;

    PrefixPlacements(PrefixTable configured) {
        this.configured = configured;
    }

    /**
     * The first table's answer for the address, as {@code source << 32 | node id} ({@code source} a
     * {@link Topology.PlacementSource} ordinal), or 0 when no table covers it.
     */
    long lookup(long hi, long lo) {
        int node = configured.lookup(hi, lo);
        if (node != 0) {
            return answer(Topology.PlacementSource.CONFIGURED, node);
        }
        node = endpointIps.lookup(hi, lo);
        if (node != 0) {
            return answer(Topology.PlacementSource.CILIUM_ENDPOINT, node);
        }
        node = ciliumNodeCidrs.lookup(hi, lo);
        if (node != 0) {
            return answer(Topology.PlacementSource.CILIUM_NODE, node);
        }
        node = nodeCidrs.lookup(hi, lo);
        return node != 0 ? answer(Topology.PlacementSource.NODE, node) : 0;
    }

    static int node(long answer) {
        return (int) answer;
    }

    static int source(long answer) {
        return (int) (answer >>> 32);
    }

    /** Replaces the discovered tables (join thread, between events). */
    void apply(DiscoverySnapshot snapshot) {
        endpointIps = snapshot.endpointIps();
        ciliumNodeCidrs = snapshot.ciliumNodeCidrs();
        nodeCidrs = snapshot.nodeCidrs();
        version = version == Integer.MAX_VALUE ? 1 : version + 1;
    }

    /** Changes whenever a table is replaced; never 0. */
    int version() {
        return version;
    }

    /** Whether pod CIDRs are known (exact endpoint IPs alone do not count: see {@link Topology#hasConfiguredCidrs()}). */
    boolean hasCidrs() {
        return !configured.isEmpty() || !ciliumNodeCidrs.isEmpty() || !nodeCidrs.isEmpty();
    }

    private static long answer(Topology.PlacementSource source, int node) {
        return (long) source.ordinal() << 32 | (node & 0xFFFF_FFFFL);
    }
}
