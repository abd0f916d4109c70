package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.topology.Topology;

/**
 * Single-threaded: used by the join thread only.
 *
 * <p>Round trips on the client's node (DESIGN §3.7), for destinations the two-end join cannot judge
 * (an identity without arrival events: host, remote-node, kube-apiserver, world; or an address in no
 * known pod CIDR). An attempt — a TCP SYN, a UDP request to a configured server port, an ICMP echo
 * request — waits in its client node's lane for the reply delivered to the client endpoint
 * ({@code to-endpoint}, reply) on the same node:
 *
 * <pre>
 *   reply within W: SYN-ACK, UDP response, echo reply ─► ANSWERED;  TCP RST, ICMP unreachable ─► REFUSED
 *   client node's watermark past frame + W, no reply:  its view complete ─► NO_REPLY, else UNVERIFIED(reason)
 *   client node down / lagging too long past the deadline ─► UNVERIFIED(OBSERVER_DOWN / BEHIND)
 * </pre>
 *
 * Both halves come from one stream, though not in packet order: a reply read before its attempt is
 * remembered for it ({@link RememberedReplies}). A SYN reported again with {@code trace_reason}
 * ESTABLISHED adds an attempt to its entry. Under BPF masquerade a node reports an attempt twice, from
 * the pod's program and from the SNAT path; the second is a duplicate even when SNAT changed its port.
 */
final class RoundTripJudge {
    private static final int ICMPV4_ECHO_REPLY = 0;
    private static final int ICMPV4_UNREACHABLE = 3;
    private static final int ICMPV6_UNREACHABLE = 1;
    private static final int ICMPV6_ECHO_REPLY = 129;

    private final JoinCounters counters;
    private final Topology topology;
    private final Observers observers;
    private final RoundTrips trips;
    private final Verdicts verdicts;
    private final RememberedReplies replies;
    private final boolean[] udpServerPort = new boolean[65536];
    /**
     * Per client node: it reports an attempt twice when masquerading it, first from the endpoint's program
     * (before SNAT, the client's own port) and then from the SNAT path ({@code source_xlated}, the port
     * after SNAT), as BPF masquerade does; seen once an SNAT report repeats an attempt on the same port.
     */
    private final boolean[] reportsBeforeSnat;
    private final long windowNanos;
    private final long slackNanos;
    private final long downGraceNanos;
    private final long maxBehindNanos;
    private final long replyMemoryNanos;
    private long nowNanos;

    RoundTripJudge(JoinConfig config, JoinCounters counters, Topology topology, Observers observers, RoundTrips trips,
            Verdicts verdicts) {
        this.counters = counters;
        this.topology = topology;
        this.observers = observers;
        this.trips = trips;
        this.verdicts = verdicts;
        config.roundTripUdpPorts().forEach(port -> udpServerPort[port & 0xffff] = true);
        this.reportsBeforeSnat = new boolean[config.maxNodes()];
        this.windowNanos = config.window().toNanos();
        this.slackNanos = config.watermarkSlack().toNanos();
        this.downGraceNanos = config.downGrace().toNanos();
        this.maxBehindNanos = config.maxBehind().toNanos();
        this.replyMemoryNanos = windowNanos + config.arrivalMemory().toNanos();
        this.replies = new RememberedReplies(config.arrivalCapacity());
    }

    void setTime(long epochNanos) {
        this.nowNanos = epochNanos;
    }

    /** Index work of the round-trip tables so far (see {@link SlotIndex#workSteps()}). */
    long workSteps() {
        return trips.slots.indexWorkSteps() + replies.slots.indexWorkSteps();
    }

    /**
     * A departure of {@code client} to a destination without arrival events. Returns false when it is
     * not an attempt (nor a retransmission of one), for the caller to count as ignored: also when its
     * source is not a client whose reply the node reports ({@link FlowClassifier#isLocalClient}).
     *
     * @param destinationLabels the destination's {@code reserved:} labels ({@code NodeEvent.LABEL_*}),
     *     the flow's own and what the Kubernetes API adds (its address is the API server's)
     */
    boolean onAttempt(NodeEvent flow, int client, long frame, int kind, int destinationNodeId,
            byte destinationLabels) {
        boolean attempt = (kind == PacketKind.SYN || kind == PacketKind.ICMP_ECHO
                || (kind == PacketKind.UDP_NEW && udpServerPort[flow.dstPort & 0xffff]))
                && FlowClassifier.isLocalClient(flow);
        if (!attempt) {
            return false;
        }
        long key = RoundTrips.attemptKey(flow);
        int waiting = trips.find(flow.srcHi, flow.srcLo, key);
        boolean retransmission = kind == PacketKind.SYN && flow.traceReason == JoinConstants.TRACE_REASON_ESTABLISHED;
        if (waiting != KeyedSlots.NONE) {
            if (retransmission) {
                counters.increment(JoinCounters.Global.RETRANSMISSIONS);
                trips.retransmitted(waiting, flow.timeNanos);
            } else {
                if (flow.hasXlated && !trips.translated[waiting]) {
                    reportsBeforeSnat[client] = true;
                }
                counters.increment(JoinCounters.Global.DUPLICATE_DEPARTURES);
            }
            return true;
        }
        if (retransmission) {
            // Of an attempt already decided (or seen before the stream started): not a new attempt.
            counters.increment(JoinCounters.Global.IGNORED_ORPHAN_RETRANSMISSION);
            return true;
        }
        if (flow.hasXlated && reportsBeforeSnat[client]) {
            // The SNAT path's report of an attempt taken already before SNAT, on a port SNAT changed (another
            // connection held it on the node's address): its reply comes back to the client's own port.
            counters.increment(JoinCounters.Global.DUPLICATE_DEPARTURES);
            return true;
        }
        counters.increment(JoinCounters.Global.ROUND_TRIPS);
        counters.incrementNode(client, JoinCounters.PerNode.ROUND_TRIPS);
        int replied = replies.find(flow.srcHi, flow.srcLo, key);
        if (replied != KeyedSlots.NONE && replies.node[replied] != client) {
            replied = KeyedSlots.NONE;
        }
        if (trips.slots.isFull()) {
            int oldest = trips.oldestOverall(observers.count());
            counters.increment(JoinCounters.Global.ROUND_TRIPS_EVICTED);
            verdicts.roundTripUnverified(oldest, UnverifiedReason.CAPACITY);
            trips.slots.remove(oldest);
        }
        int slot = trips.add(flow, key, client, kind, frame, destinationNodeId, destinationLabels);
        if (replied != KeyedSlots.NONE) {
            // its reply was read (and stamped) first: the round trip is complete
            decideAnswer(slot, replies.outcome[replied], replies.nodeNanos[replied], replies.frameNanos[replied]);
            replies.slots.remove(replied);
        }
        return true;
    }

    /** Forgets replies no attempt claimed for W + arrival memory, at most {@code budget}. */
    int expireReplies(int budget) {
        return replies.expire(nowNanos - replyMemoryNanos, budget);
    }

    private void decideAnswer(int slot, int outcome, long replyNodeNanos, long replyFrame) {
        if (outcome == PacketKind.RST) {
            verdicts.refused(slot, replyNodeNanos);
        } else {
            verdicts.answered(slot, replyNodeNanos, replyFrame - trips.frameNanos[slot]);
        }
        trips.slots.remove(slot);
    }

    /**
     * A flow of {@code node} delivered to a local endpoint as a reply: answers (or refuses) its
     * attempt. One whose attempt the join has not seen yet is remembered for it ({@link RememberedReplies})
     * when it comes from a destination without arrival events: one of an excluded identity
     * ({@code fromUnjoinable}), or an address no pod CIDR or pod places, whatever its identity (a
     * ClusterMesh cluster's pod, a service outside the cluster), as {@code TwoEndJoin} sends the attempt here.
     */
    void onReply(NodeEvent flow, int node, long frame, boolean fromUnjoinable) {
        long key = RoundTrips.replyKey(flow);
        // Most replies answer two-end joined traffic: with no attempt waiting, skip the probe (a cache miss).
        int waiting = trips.slots.size() == 0 ? KeyedSlots.NONE : trips.find(flow.dstHi, flow.dstLo, key);
        if (waiting != KeyedSlots.NONE && trips.slots.lane(waiting) != node) {
            return;
        }
        int outcome = outcome(flow);
        if (waiting == KeyedSlots.NONE) {
            if (outcome != PacketKind.NONE && isFirstReply(flow) && (fromUnjoinable || isFromNoNode(flow))) {
                if (!replies.add(flow.dstHi, flow.dstLo, key, node, frame, flow.timeNanos, outcome)) {
                    observers.forgotForRoom(replies.evictedNode, replies.evictedFrameNanos, 0);
                }
            }
            return;
        }
        if (frame > trips.frameNanos[waiting] + windowNanos) {
            decideExpired(waiting); // the reply came after the window: decided as time would have
            return;
        }
        if (outcome != PacketKind.NONE) {
            decideAnswer(waiting, outcome, flow.timeNanos, frame);
        }
    }

    /** Whether the reply's source is placed on no node while pod CIDRs are known: its attempt is judged here. */
    private boolean isFromNoNode(NodeEvent flow) {
        return topology.hasConfiguredCidrs() && topology.nodeOf(flow.srcHi, flow.srcLo) == 0;
    }

    /** A reply that may precede its attempt in the stream: a SYN-ACK, RST, a UDP / ICMP reply. */
    private static boolean isFirstReply(NodeEvent flow) {
        return flow.protocol != NodeEvent.PROTO_TCP || (flow.tcpFlags & NodeEvent.TCP_FIN) == 0;
    }

    /** {@link PacketKind#RST} for a refusal, {@link PacketKind#SYN_ACK} for an answer, else NONE (not a reply to an attempt). */
    private static int outcome(NodeEvent flow) {
        switch (flow.protocol) {
            case NodeEvent.PROTO_TCP:
                if ((flow.tcpFlags & NodeEvent.TCP_RST) != 0) {
                    return PacketKind.RST;
                }
                return (flow.tcpFlags & (NodeEvent.TCP_SYN | NodeEvent.TCP_ACK)) == (NodeEvent.TCP_SYN | NodeEvent.TCP_ACK)
                        ? PacketKind.SYN_ACK : PacketKind.NONE;
            case NodeEvent.PROTO_UDP:
                return PacketKind.SYN_ACK;
            case NodeEvent.PROTO_ICMPV4:
                return flow.icmpType == ICMPV4_ECHO_REPLY ? PacketKind.SYN_ACK
                        : flow.icmpType == ICMPV4_UNREACHABLE ? PacketKind.RST : PacketKind.NONE;
            case NodeEvent.PROTO_ICMPV6:
                return flow.icmpType == ICMPV6_ECHO_REPLY ? PacketKind.SYN_ACK
                        : flow.icmpType == ICMPV6_UNREACHABLE ? PacketKind.RST : PacketKind.NONE;
            default:
                return PacketKind.NONE;
        }
    }

    /**
     * Decides, oldest first, up to {@code budget} attempts of client node {@code lane} whose deadline
     * the node's own watermark has passed, or that waited too long for a node that is down or behind.
     */
    int decideLane(int lane, boolean caughtUp, int budget) {
        int decided = 0;
        byte state = observers.beginDecisions(lane);
        long watermark = observers.watermark(lane, caughtUp);
        while (decided < budget) {
            int slot = trips.slots.oldest(lane);
            if (slot == KeyedSlots.NONE) {
                break;
            }
            long deadline = trips.frameNanos[slot] + windowNanos;
            if (watermark >= deadline) {
                decideExpired(slot);
            } else if (state == ObserverHealth.DOWN && nowNanos >= deadline + downGraceNanos) {
                decide(slot, UnverifiedReason.OBSERVER_DOWN);
            } else if (nowNanos >= deadline + maxBehindNanos) {
                decide(slot, UnverifiedReason.BEHIND);
            } else {
                break;
            }
            decided++;
        }
        return decided;
    }

    /**
     * No reply within the window: NO_REPLY, unless the client node's view was incomplete during it, or
     * the attempt went to an address in a pod CIDR that no pod has (a deleted pod's, still dialled).
     */
    private void decideExpired(int slot) {
        long frame = trips.frameNanos[slot];
        UnverifiedReason unverified = observers.incompleteDuring(trips.slots.lane(slot), frame - slackNanos,
                frame + windowNanos);
        if (unverified == null && topology.isVacantPodAddress(trips.destinationHi[slot], trips.destinationLo[slot])) {
            unverified = UnverifiedReason.NO_OBSERVER;
        }
        decide(slot, unverified);
    }

    private void decide(int slot, UnverifiedReason unverified) {
        if (unverified == null) {
            verdicts.noReply(slot);
        } else {
            verdicts.roundTripUnverified(slot, unverified);
        }
        trips.slots.remove(slot);
    }
}
