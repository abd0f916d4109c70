package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Connection attempts waiting for their reply on the client's own node (DESIGN §3.7), one lane per
 * client node. The key is the client side only — (client IP, 0, 0, 0, family / client port / protocol)
 * — because the reply's source may be the backend or the service address after reverse NAT. The
 * client IP is the flow's {@code source}, not {@code source_xlated}: a masqueraded attempt leaves
 * with the node's address, but its reply is delivered to the pod after reverse SNAT
 * (hubble-api.md §2.3 e). ICMP has no port in Hubble's flow (no echo id), so an ICMP echo is keyed
 * by client IP alone. Per entry the fields below, no object.
 */
final class RoundTrips {
    final KeyedSlots slots;
    final long[] frameNanos;
    final long[] firstSeenNanos;
    final int[] lastSeenDeltaMillis;
    final short[] attempts;
    final byte[] kind;
    final short[] observationPoint;
    final byte[] traceReason;
    final int[] interfaceName;
    final long[] destinationHi;
    final long[] destinationLo;
    final int[] destinationPort;
    final int[] destinationIdentity;
    /** The destination's {@code reserved:} labels (NodeEvent.LABEL_* bits): names a CIDR-identity API server. */
    final byte[] destinationReservedLabels;
    /** Dictionary id of the node the destination address is known to belong to, else 0. */
    final int[] destinationNode;
    /** Reported by the masquerade (SNAT) path, with {@code source_xlated}, rather than by the endpoint's own program. */
    final boolean[] translated;

    RoundTrips(int capacity, int maxNodes) {
        slots = new KeyedSlots(capacity, maxNodes);
        frameNanos = new long[capacity];
        firstSeenNanos = new long[capacity];
        lastSeenDeltaMillis = new int[capacity];
        attempts = new short[capacity];
        kind = new byte[capacity];
        observationPoint = new short[capacity];
        traceReason = new byte[capacity];
        interfaceName = new int[capacity];
        destinationHi = new long[capacity];
        translated = new boolean[capacity];
        destinationLo = new long[capacity];
        destinationPort = new int[capacity];
        destinationIdentity = new int[capacity];
        destinationReservedLabels = new byte[capacity];
        destinationNode = new int[capacity];
    }

    /** The client-side key word of an attempt leaving {@code flow}'s source. */
    static long attemptKey(NodeEvent flow) {
        return clientKey(flow.ipVersion, flow.protocol, flow.srcPort);
    }

    /** The client-side key word of a reply delivered to {@code flow}'s destination. */
    static long replyKey(NodeEvent flow) {
        return clientKey(flow.ipVersion, flow.protocol, flow.dstPort);
    }

    private static long clientKey(int family, byte protocol, int clientPort) {
        boolean icmp = protocol == NodeEvent.PROTO_ICMPV4 || protocol == NodeEvent.PROTO_ICMPV6;
        return FlowKey.pack(family, icmp ? 0 : clientPort, 0, protocol & 0xff, PacketKind.NONE);
    }

    int find(long clientHi, long clientLo, long key) {
        return slots.find(clientHi, clientLo, 0, 0, key);
    }

    /** A new attempt of {@code client} (dense index, the lane), the flow's evidence kept. */
    int add(NodeEvent flow, long key, int client, int packetKind, long frame, int destinationNodeId,
            byte destinationLabels) {
        int slot = slots.insert(flow.srcHi, flow.srcLo, 0, 0, key, client);
        frameNanos[slot] = frame;
        firstSeenNanos[slot] = flow.timeNanos;
        lastSeenDeltaMillis[slot] = 0;
        attempts[slot] = 1;
        kind[slot] = (byte) packetKind;
        observationPoint[slot] = flow.observationPoint;
        traceReason[slot] = flow.traceReason;
        interfaceName[slot] = flow.interfaceName;
        destinationHi[slot] = flow.dstHi;
        destinationLo[slot] = flow.dstLo;
        destinationPort[slot] = flow.dstPort;
        destinationIdentity[slot] = flow.dstIdentity;
        destinationReservedLabels[slot] = destinationLabels;
        destinationNode[slot] = destinationNodeId;
        translated[slot] = flow.hasXlated;
        return slot;
    }

    /** The client tried again (a retransmitted SYN) at {@code nodeNanos}. */
    void retransmitted(int slot, long nodeNanos) {
        attempts[slot]++;
        lastSeenDeltaMillis[slot] = (int) java.util.concurrent.TimeUnit.NANOSECONDS.toMillis(
                nodeNanos - firstSeenNanos[slot]);
    }

    /** Index of the lane head (over all lanes) that was tried first, for capacity eviction. */
    int oldestOverall(int lanesInUse) {
        int oldest = KeyedSlots.NONE;
        for (int lane = 0; lane < lanesInUse; lane++) {
            int head = slots.oldest(lane);
            if (head != KeyedSlots.NONE && (oldest == KeyedSlots.NONE || frameNanos[head] < frameNanos[oldest])) {
                oldest = head;
            }
        }
        return oldest;
    }
}
