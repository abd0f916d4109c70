package io.transitwatch.daemon.topology;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.ToIntFunction;

/**
 * Immutable, so safe to hand from the thread that builds it to the join thread (through the hand-off
 * ring, as a {@code NODE_ADDRESSES} event) and to read anywhere.
 *
 * <p>One snapshot of the nodes' own addresses (host IPs), merged from every {@link NodeAddressSource}
 * by {@link NodeAddressBook}: the join names a round trip's destination after the node an address
 * belongs to (DESIGN §3.7) with {@link #nodeOf}, one allocation-free probe per distinct prefix length.
 */
public final class NodeAddresses {
    /** No address known. */
    public static final NodeAddresses EMPTY = new NodeAddresses(Map.of(), new PrefixTable(List.of(), List.of()),
            new TreeMap<>(), 0);
    private static final long[] NO_ADDRESSES = new long[0];

    private final Map<String, List<IpPrefix>> byNode;
    private final PrefixTable table;
    /** Dictionary ids of the nodes with host addresses, ascending, and each one's addresses as (high, low) pairs. */
    private final int[] hostNodeIds;
    private final long[][] hostAddresses;
    private final int conflicts;

    private NodeAddresses(Map<String, List<IpPrefix>> byNode, PrefixTable table, TreeMap<Integer, long[]> hosts,
            int conflicts) {
        this.byNode = byNode;
        this.table = table;
        this.hostNodeIds = hosts.keySet().stream().mapToInt(Integer::intValue).toArray();
        this.hostAddresses = hosts.values().toArray(long[][]::new);
        this.conflicts = conflicts;
    }

    /**
     * The snapshot of {@code byNode} (node name: its addresses, usually host prefixes). An address
     * given to two nodes stays with the first in iteration order; the others' claims count as
     * {@link #conflicts()}.
     *
     * @param nodeId interns a node name into the dictionary id the join's events carry (pinned: node
     *     names are never recycled)
     */
    public static NodeAddresses of(Map<String, List<IpPrefix>> byNode, ToIntFunction<String> nodeId) {
        return of(List.copyOf(byNode.entrySet()), nodeId);
    }

    /**
     * The snapshot of {@code claims} (node name: addresses), taken in order: an address claimed by two
     * nodes stays with the earlier claim, so a source of higher precedence claims first.
     */
    public static NodeAddresses of(List<Map.Entry<String, List<IpPrefix>>> claims, ToIntFunction<String> nodeId) {
        Map<String, List<IpPrefix>> kept = new TreeMap<>();
        Map<IpPrefix, String> owner = new java.util.HashMap<>();
        List<IpPrefix> prefixes = new ArrayList<>();
        List<Integer> nodes = new ArrayList<>();
        int conflicts = 0;
        for (Map.Entry<String, List<IpPrefix>> node : claims) {
            List<IpPrefix> mine = new ArrayList<>();
            for (IpPrefix prefix : node.getValue()) {
                String claimed = owner.putIfAbsent(prefix, node.getKey());
                if (claimed == null) {
                    prefixes.add(prefix);
                    nodes.add(nodeId.applyAsInt(node.getKey()));
                    mine.add(prefix);
                } else if (!claimed.equals(node.getKey())) {
                    conflicts++;
                }
            }
            if (!mine.isEmpty()) {
                kept.merge(node.getKey(), List.copyOf(mine), (a, b) -> {
                    List<IpPrefix> both = new ArrayList<>(a);
                    both.addAll(b);
                    return List.copyOf(both);
                });
            }
        }
        TreeMap<Integer, long[]> hosts = new TreeMap<>();
        kept.forEach((node, mine) -> {
            long[] pairs = mine.stream().filter(prefix -> prefix.length() == 128)
                    .flatMapToLong(prefix -> java.util.stream.LongStream.of(prefix.hi(), prefix.lo())).toArray();
            if (pairs.length > 0) {
                hosts.merge(nodeId.applyAsInt(node), pairs, NodeAddresses::concat);
            }
        });
        return new NodeAddresses(Collections.unmodifiableMap(kept), new PrefixTable(prefixes, nodes), hosts, conflicts);
    }

    private static long[] concat(long[] a, long[] b) {
        long[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    /** Dictionary id of the node whose own address this is, or 0; no allocation. */
    public int nodeOf(long hi, long lo) {
        return table.lookup(hi, lo);
    }

    /**
     * The host addresses (not wider prefixes) of node {@code nodeId} as (high, low) pairs, in the order
     * given; empty when none. No allocation: the array is the snapshot's own, not to be written.
     */
    public long[] hostAddressesOf(int nodeId) {
        int at = java.util.Arrays.binarySearch(hostNodeIds, nodeId);
        return at < 0 ? NO_ADDRESSES : hostAddresses[at];
    }

    /** Node name: its addresses, sorted by node name. */
    public Map<String, List<IpPrefix>> byNode() {
        return byNode;
    }

    /** Addresses two sources (or two nodes of one source) gave to different nodes; the later claims were dropped. */
    public int conflicts() {
        return conflicts;
    }

    public int addressCount() {
        return byNode.values().stream().mapToInt(List::size).sum();
    }

    @Override
    public String toString() {
        return "NodeAddresses" + byNode;
    }
}
