package io.transitwatch.daemon.topology;

import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ToIntFunction;

/**
 * Thread-safe: every source (the Peer notifications and the GetNodes poller on the ingest's timer
 * thread, the configuration at start, a Kubernetes informer's thread) updates it under one lock;
 * snapshots are published under that lock too, so they reach the join in the order they were made.
 *
 * <p>The nodes' own addresses from every {@link NodeAddressSource}, merged into immutable
 * {@link NodeAddresses} snapshots that a publisher hands to the join thread (through the hand-off
 * ring: no lock on the join's path). An address that two sources give to different nodes stays with
 * the source of higher precedence (the enum's order). A node whose name is an address literal
 * (hubble-api.md §10: {@code "node_name":"10.10.21.241"}) owns that address unless a source says
 * otherwise. A Kubernetes discovery plugs in with {@link #replace}{@code (KUBERNETES, snapshot)}.
 */
public final class NodeAddressBook {
    private final ToIntFunction<String> nodeId;
    private final Consumer<NodeAddresses> publisher;
    private final Map<NodeAddressSource, Map<String, List<IpPrefix>>> sources = new EnumMap<>(NodeAddressSource.class);
    private NodeAddresses current = NodeAddresses.EMPTY;
    private boolean dirty;
    private boolean flushScheduled;

    /**
     * @param nodeId interns a node name into the id the join's events carry (the dictionary's {@code pin})
     * @param publisher hands each new snapshot to the join; called under this book's lock
     */
    public NodeAddressBook(ToIntFunction<String> nodeId, Consumer<NodeAddresses> publisher) {
        this.nodeId = nodeId;
        this.publisher = publisher;
        for (NodeAddressSource source : NodeAddressSource.values()) {
            sources.put(source, new TreeMap<>());
        }
    }

    /** Everything {@code source} knows now, replacing what it said before (a relisting, a new informer snapshot). */
    public synchronized void replace(NodeAddressSource source, Map<String, ? extends Collection<IpPrefix>> byNode) {
        Map<String, List<IpPrefix>> fresh = new TreeMap<>();
        byNode.forEach((node, addresses) -> {
            if (!addresses.isEmpty()) {
                fresh.put(node, List.copyOf(addresses));
            }
        });
        if (!fresh.equals(sources.get(source))) {
            sources.put(source, fresh);
            dirty = true;
        }
    }

    /** {@code source} says {@code node} has {@code addresses} (and no others). */
    public synchronized void put(NodeAddressSource source, String node, Collection<IpPrefix> addresses) {
        List<IpPrefix> fresh = List.copyOf(addresses);
        Map<String, List<IpPrefix>> known = sources.get(source);
        if (fresh.isEmpty()) {
            dirty |= known.remove(node) != null;
        } else if (!fresh.equals(known.put(node, fresh))) {
            dirty = true;
        }
    }

    /** {@code source} no longer knows {@code node} (Peer's PEER_DELETED). */
    public synchronized void remove(NodeAddressSource source, String node) {
        dirty |= sources.get(source).remove(node) != null;
    }

    /** A node was seen by name (a stream, a flow, a capture): if the name is an address, that is its address. */
    public synchronized void nodeSeen(String node) {
        if (!sources.get(NodeAddressSource.NODE_NAME).containsKey(node)) {
            IpPrefix own = addressOfName(node);
            if (own != null) {
                sources.get(NodeAddressSource.NODE_NAME).put(node, List.of(own));
                dirty = true;
            }
        }
    }

    /** Builds and publishes a snapshot if anything changed since the last; returns the current one. */
    public synchronized NodeAddresses flush() {
        if (dirty) {
            dirty = false;
            current = build();
            publisher.accept(current);
        }
        return current;
    }

    /**
     * Flushes on {@code scheduler} after {@code delayNanos}, unless a flush is already scheduled: the
     * Peer service announces every node at once, and one snapshot for all of them is enough.
     */
    public synchronized void flushSoon(ScheduledExecutorService scheduler, long delayNanos) {
        if (!flushScheduled) {
            flushScheduled = true;
            scheduler.schedule(() -> {
                synchronized (this) {
                    flushScheduled = false;
                    flush();
                }
            }, delayNanos, TimeUnit.NANOSECONDS);
        }
    }

    /** The snapshot last built (what the join has, or is about to get). */
    public synchronized NodeAddresses current() {
        return current;
    }

    /** What {@code source} says now, node name: addresses. */
    public synchronized Map<String, List<IpPrefix>> of(NodeAddressSource source) {
        return Map.copyOf(sources.get(source));
    }

    private NodeAddresses build() {
        List<Map.Entry<String, List<IpPrefix>>> claims = new ArrayList<>();
        Map<String, List<IpPrefix>> namedByAddress = new TreeMap<>(sources.get(NodeAddressSource.NODE_NAME));
        for (NodeAddressSource source : NodeAddressSource.values()) {
            if (source == NodeAddressSource.NODE_NAME) {
                continue;
            }
            for (Map.Entry<String, List<IpPrefix>> node : sources.get(source).entrySet()) {
                claims.add(new AbstractMap.SimpleImmutableEntry<>(node.getKey(), node.getValue()));
                IpPrefix own = addressOfName(node.getKey());
                if (own != null) {
                    namedByAddress.putIfAbsent(node.getKey(), List.of(own));
                }
            }
        }
        namedByAddress.forEach((node, own) -> claims.add(new AbstractMap.SimpleImmutableEntry<>(node, own)));
        return NodeAddresses.of(claims, nodeId);
    }

    /**
     * The node address in a Peer or GetNodes {@code address} ({@code 10.0.0.1:4244}, {@code [fd00::1]:4244},
     * or a bare address), or null when it names a host rather than an address ({@code node1:4244}), or
     * a loopback or unspecified address: that says how we reach the node's Hubble (a port-forward, a
     * test), not which address the node owns, and every node would claim it.
     */
    public static IpPrefix addressOfHostPort(String hostPort) {
        String host = hostPort.trim();
        if (host.startsWith("[")) {
            int close = host.indexOf(']');
            host = close < 0 ? "" : host.substring(1, close);
        } else if (host.indexOf(':') == host.lastIndexOf(':') && host.indexOf(':') >= 0) {
            host = host.substring(0, host.indexOf(':')); // one colon: IPv4 or name with a port
        }
        if (!IpPrefix.isAddressLiteral(host)) {
            return null;
        }
        IpPrefix address = IpPrefix.parse(host);
        return isLoopbackOrUnspecified(address) ? null : address;
    }

    private static boolean isLoopbackOrUnspecified(IpPrefix address) {
        if (address.ipv4()) {
            long v4 = address.lo() & 0xffff_ffffL;
            return (v4 >>> 24) == 127 || v4 == 0;
        }
        return address.hi() == 0 && (address.lo() == 1 || address.lo() == 0);
    }

    /**
     * The address a node name stands for, or null: {@code 10.10.21.241}, or {@code cluster/10.10.21.241}
     * as Hubble names nodes of a named cluster.
     */
    static IpPrefix addressOfName(String node) {
        String name = node.substring(node.lastIndexOf('/') + 1);
        return IpPrefix.isAddressLiteral(name) ? IpPrefix.parse(name) : null;
    }
}
