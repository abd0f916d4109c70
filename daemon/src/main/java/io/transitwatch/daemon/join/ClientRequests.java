package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Where a pod's node reported its TCP connection going, when the join could not follow it end to
 * end (a round trip's attempt, or a destination in no known place), unless to the API server: per client
 * address and port, the destination of its last such packet. It tells a reply that was translated on
 * its way from one that was lost.
 *
 * <p>Without kube-proxy replacement, kube-proxy translates a ClusterIP in the host stack, outside
 * Cilium's view (hubble-api.md §4.2). The client's node reports the SYN leaving for the service
 * address and the SYN-ACK arriving from it. The backend's node reports the SYN arriving from the
 * client and the SYN-ACK, then the first data, leaving the backend. No arrival carries the backend's
 * key, so each of its replies would end LOST, one per connection. A reply that finds its client here
 * with another destination is UNVERIFIED({@link UnverifiedReason#REQUEST_UNSEEN}) instead: the client's
 * node saw that connection with other addresses and judges it as a round trip (DESIGN §3.7). A
 * client that sent its SYN to the reply's own source (a pod the join did not place in time) keeps
 * LOST: nothing was translated there. The same holds for a hostPort, or a NodePort without
 * masquerading, that iptables translates on the backend's node: the client dials a node's address.
 *
 * <p>The reply is decided once the client's node is past it, so the client's request has been read by
 * then. Entries live for the late horizon (a backend reports its SYN-ACK again every 5 s while the
 * handshake does not complete). When the table is full the oldest is forgotten; if it was younger
 * than W plus the arrival memory, the replies its connection still expects could look lost, so the
 * client's node counts as incomplete (CAPACITY) for that long after it.
 */
final class ClientRequests {
    private final KeyedSlots slots;
    private final int[] node;
    private final long[] frameNanos;
    private final long[] destinationHi;
    private final long[] destinationLo;
    private final int[] destinationPort;
    private final Observers observers;
    private final long expectedRepliesNanos;
    private final long lifetimeNanos;
    /** Entries from before this have had their expiry pass. */
    private long horizonNanos = Long.MIN_VALUE;
    /** Entries from after this, at the last expiry pass, may still expect replies. */
    private long expectingAfterNanos = Long.MIN_VALUE;

    ClientRequests(JoinConfig config, Observers observers) {
        int capacity = config.pendingCapacity();
        this.slots = new KeyedSlots(capacity, 1);
        this.node = new int[capacity];
        this.frameNanos = new long[capacity];
        this.destinationHi = new long[capacity];
        this.destinationLo = new long[capacity];
        this.destinationPort = new int[capacity];
        this.observers = observers;
        this.expectedRepliesNanos = config.window().toNanos() + config.arrivalMemory().toNanos();
        this.lifetimeNanos = config.lateHorizon().toNanos();
    }

    /**
     * TCP departure {@code flow} from {@code source}, at frame time {@code frame}, goes where the join
     * does not follow it end to end: remembered (again, as the newest) for its client address and port.
     */
    void record(NodeEvent flow, int source, long frame) {
        long clientHi = flow.hasXlated ? flow.xlatedHi : flow.srcHi;
        long clientLo = flow.hasXlated ? flow.xlatedLo : flow.srcLo;
        long client = clientWord(flow.ipVersion, flow.srcPort);
        int slot = slots.find(clientHi, clientLo, 0, 0, client);
        if (slot != KeyedSlots.NONE) {
            slots.remove(slot);
        } else if (slots.isFull()) {
            forgetOldest();
        }
        slot = slots.insert(clientHi, clientLo, 0, 0, client, 0);
        node[slot] = source;
        frameNanos[slot] = frame;
        destinationHi[slot] = flow.dstHi;
        destinationLo[slot] = flow.dstLo;
        destinationPort[slot] = flow.dstPort;
    }

    /**
     * Whether pending departure {@code slot}, about to be declared lost, is a TCP reply whose client
     * sent its request to another address or port than the reply's source. A reply is what the
     * server sends after the client's SYN; one reported NEW or ESTABLISHED goes the request's way.
     */
    boolean sentElsewhere(PendingDepartures pending, int slot) {
        KeyedSlots reply = pending.slots;
        long k4 = reply.k4(slot);
        int reason = pending.traceReason[slot];
        if (FlowKey.protocol(k4) != NodeEvent.PROTO_TCP || FlowKey.kind(k4) == PacketKind.SYN
                || reason == JoinConstants.TRACE_REASON_NEW || reason == JoinConstants.TRACE_REASON_ESTABLISHED) {
            return false;
        }
        long client = clientWord(FlowKey.family(k4), FlowKey.dstPort(k4));
        int request = slots.find(reply.k2(slot), reply.k3(slot), 0, 0, client);
        if (request == KeyedSlots.NONE || frameNanos[request] < horizonNanos) {
            return false;
        }
        return destinationHi[request] != reply.k0(slot) || destinationLo[request] != reply.k1(slot)
                || destinationPort[request] != FlowKey.srcPort(k4);
    }

    /** Forgets the requests older than the late horizon at {@code nowNanos}, at most {@code budget}. */
    int expire(long nowNanos, int budget) {
        horizonNanos = nowNanos - lifetimeNanos;
        expectingAfterNanos = nowNanos - expectedRepliesNanos;
        return slots.removeOlderThan(frameNanos, 1, horizonNanos, budget);
    }

    private void forgetOldest() {
        int oldest = slots.oldest(0);
        if (frameNanos[oldest] >= expectingAfterNanos) {
            observers.forgotForRoom(node[oldest], frameNanos[oldest], expectedRepliesNanos);
        }
        slots.remove(oldest);
    }

    private static long clientWord(int family, int port) {
        return FlowKey.pack(family, port, 0, NodeEvent.PROTO_TCP, 0);
    }
}
