package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.topology.Topology;

/**
 * Single-threaded: used by the join thread only, through {@link JoinEngine}.
 *
 * <p>The two-end join of DESIGN §3 for one flow already classified: a departure either finds its
 * remembered arrival (MATCHED at once) or waits in its destination's lane; an arrival either decides
 * its pending departure or is remembered. Both ask the one shared {@link SlotIndex} once. What time
 * alone decides is {@link Deadlines}'; attempts to destinations without arrival events go to the
 * {@link RoundTripJudge}. {@link JoinEngine} owns the parts and hands each flow here.
 */
final class TwoEndJoin {
    private final Topology topology;
    private final JoinCounters counters;
    private final FlowClassifier classifier;
    private final Observers observers;
    private final PendingDepartures pending;
    private final RememberedArrivals arrivals;
    private final SlotIndex joinIndex;
    private final LostHistory lost;
    private final Verdicts verdicts;
    private final Deadlines deadlines;
    private final RoundTripJudge roundTrips;
    private final FirstData firstData;
    private final RepeatedReports repeats;
    private final ClientRequests requests;
    private final long windowNanos;
    /** The key word and hash of the flow last {@link #prepare}d. */
    private long preparedKeyWord;
    private int preparedHash;

    TwoEndJoin(JoinConfig config, Topology topology, JoinCounters counters, FlowClassifier classifier,
            Observers observers, PendingDepartures pending, RememberedArrivals arrivals, SlotIndex joinIndex,
            LostHistory lost, Verdicts verdicts, Deadlines deadlines, RoundTripJudge roundTrips, FirstData firstData,
            ClientRequests requests) {
        this.topology = topology;
        this.counters = counters;
        this.classifier = classifier;
        this.observers = observers;
        this.pending = pending;
        this.arrivals = arrivals;
        this.joinIndex = joinIndex;
        this.lost = lost;
        this.verdicts = verdicts;
        this.deadlines = deadlines;
        this.roundTrips = roundTrips;
        this.firstData = firstData;
        this.repeats = new RepeatedReports(counters, pending, lost);
        this.requests = requests;
        this.windowNanos = config.window().toNanos();
    }

    /**
     * Computes the join key of a flow just classified (a departure keys its translated source when it
     * has one) and reads ahead the index line its probe will read, so that the line comes from memory
     * while the engine learns the flow's clock and placements instead of when the probe needs it.
     * {@link #onDeparture} and {@link #onArrival} then use this key; the engine calls this first.
     */
    void prepare(NodeEvent flow, int kind, boolean departure) {
        boolean translated = departure && flow.hasXlated;
        preparedKeyWord = FlowClassifier.keyWord(flow, kind);
        preparedHash = FlowKey.hash(translated ? flow.xlatedHi : flow.srcHi, translated ? flow.xlatedLo : flow.srcLo,
                flow.dstHi, flow.dstLo, preparedKeyWord);
        joinIndex.readAhead(preparedHash);
    }

    void onDeparture(NodeEvent flow, int node, long frame, int kind) {
        boolean excluded = classifier.isExcludedIdentity(flow);
        int destinationId = topology.nodeOf(flow.dstHi, flow.dstLo);
        if (excluded || (destinationId == 0 && topology.hasConfiguredCidrs())) {
            // No arrival will ever be reported for it: the client's own node judges the round trip.
            int named = destinationId != 0 ? destinationId : topology.nodeOfAddress(flow.dstHi, flow.dstLo);
            boolean apiServer = toTheApiServer(flow);
            byte labels = apiServer ? (byte) (flow.dstReservedLabels | NodeEvent.LABEL_KUBE_APISERVER)
                    : flow.dstReservedLabels;
            if (!roundTrips.onAttempt(flow, node, frame, kind, named, labels)) {
                counters.increment(excluded ? JoinCounters.Global.IGNORED_EXCLUDED_IDENTITY
                        : JoinCounters.Global.IGNORED_UNRESOLVED_DESTINATION);
            }
            if (!apiServer && FlowClassifier.isLocalTcpClient(flow)) {
                requests.record(flow, node, frame);
            }
            return;
        }
        int destination = destinationOf(flow, destinationId);
        if (destination == NodeIndex.NONE) {
            if (destinationId == 0) {
                recordUnfollowed(flow, node, frame);
            }
            return;
        }
        long srcHi = flow.hasXlated ? flow.xlatedHi : flow.srcHi;
        long srcLo = flow.hasXlated ? flow.xlatedLo : flow.srcLo;
        if (PacketKind.isFirstData(kind) && !firstData.isFirst(srcHi, srcLo, flow.dstHi, flow.dstLo, flow, frame, node)) {
            counters.increment(JoinCounters.Global.IGNORED_NOT_FIRST_DATA);
            return;
        }
        if ((kind == PacketKind.SYN || kind == PacketKind.SYN_ACK) && classifier.firstDataJoined()) {
            firstData.handshake(srcHi, srcLo, flow.dstHi, flow.dstLo, flow, frame); // repeated reports too
        }
        long k4 = preparedKeyWord;
        int hash = preparedHash;
        int found = joinIndex.findEither(hash, srcHi, srcLo, flow.dstHi, flow.dstLo, k4);
        if (repeats.isRepeated(flow, kind, hash, srcHi, srcLo, k4, pending.slots.slotOf(found))) {
            return;
        }
        int arrived = deadlines.currentArrival(arrivals.slots.slotOf(found), srcHi, srcLo, flow.dstHi, flow.dstLo, k4);
        if (arrived != KeyedSlots.NONE && arrivals.claimed[arrived]) {
            counters.increment(JoinCounters.Global.RETRANSMISSIONS); // a packet matched already, reported again
            return;
        }
        boolean takenOver = flow.hasXlated && tookOverReportBeforeSnat(flow, node, k4);
        int pair = verdicts.pairSlot(node, destination, flow.ipVersion);
        if (!takenOver) {
            counters.increment(JoinCounters.Global.DEPARTURES);
            counters.incrementNode(node, JoinCounters.PerNode.SENT_DEPARTURES);
            counters.incrementPair(pair, JoinCounters.PerPair.DEPARTURES);
        }
        if (arrived != KeyedSlots.NONE) {
            long arrivalFrame = observers.frameTime(arrivals.node[arrived], arrivals.nodeNanos[arrived]);
            verdicts.arrivedBefore(flow, node, destination, srcHi, srcLo, k4, pair, frame, arrivalFrame,
                    arrivals.nodeNanos[arrived], arrivals.dropped[arrived], arrivals.dropReason[arrived],
                    !arrivals.ambiguous[arrived]);
            if (reportsEveryPacket(flow.traceReason, arrivals.reasoned[arrived])
                    || observers.reportsEgressTwice(node)) {
                arrivals.claimed[arrived] = true;
            } else {
                arrivals.slots.remove(arrived, hash);
            }
            return;
        }
        long arrivalHorizon = deadlines.arrivalHorizon();
        if (deadlines.arrivalMayBeForgotten(node, destination, pair, frame, arrivalHorizon)) {
            // delivered too late (a reconnect's backfill, a lagging node) for its absence to mean anything
            verdicts.unverifiedOnSight(flow, node, destination, srcHi, srcLo, k4, pair, UnverifiedReason.BEHIND);
            return;
        }
        if (pending.slots.isFull()) {
            deadlines.evictOldest();
        }
        pending.add(hash, srcHi, srcLo, flow.dstHi, flow.dstLo, k4, destination, node, frame, flow, arrivalHorizon);
    }

    /**
     * Whether departure {@code flow}, masqueraded by its node ({@code source_xlated}), takes the place of
     * the report of the same packet before SNAT, pending under the pod's address and the same port (key
     * word {@code k4}): Cilium reports a masqueraded packet from the endpoint's program before SNAT and
     * again from bpf_host's SNAT path (hubble-api.md §2.3 e, §4.1). The destination sees the address
     * after SNAT, so this report is the one to join. The earlier one, counted as the departure already,
     * is dropped without a verdict (a duplicate), so that one packet is one departure with one verdict.
     * The node is known to report its masqueraded packets twice from now on: the arrival this report
     * matches stays claimed for a report before SNAT read after it.
     */
    private boolean tookOverReportBeforeSnat(NodeEvent flow, int node, long k4) {
        observers.masqueradeSeen(node);
        boolean tookOver = pending.removeReportBeforeSnat(flow, node, k4);
        if (tookOver) {
            counters.increment(JoinCounters.Global.DUPLICATE_DEPARTURES);
        }
        return tookOver;
    }

    /**
     * A pod's TCP SYN that left at an egress point that is not a departure point here (to a ClusterIP at
     * {@code to-stack} under kube-proxy, in tunnel mode or with BPF host routing): not joined, but
     * remembered like an unfollowed departure when it goes nowhere the join places.
     */
    void onUnjoinedEgress(NodeEvent flow, int node, long frame) {
        if (classifier.isExcludedIdentity(flow) || topology.nodeOf(flow.dstHi, flow.dstLo) == 0) {
            recordUnfollowed(flow, node, frame);
        }
    }

    /**
     * Where a pod's TCP packet went that is not joined end to end, unless to the API server: a pod
     * serving it may have replied from another address (ClientRequests).
     */
    private void recordUnfollowed(NodeEvent flow, int node, long frame) {
        if (FlowClassifier.isLocalTcpClient(flow) && !toTheApiServer(flow)) {
            requests.record(flow, node, frame);
        }
    }

    /**
     * Whether a flow goes to the API server: by its identity or label, or, for a node-local CIDR
     * identity without its labels (Cilium 1.19 under the field mask, hubble-api.md §10), by the
     * address the Kubernetes API lists for it. Not by address for a host or remote-node identity: a
     * control-plane node's address also serves its kubelet, hostPorts and NodePorts.
     */
    private boolean toTheApiServer(NodeEvent flow) {
        return FlowClassifier.isToTheApiServer(flow) || ((flow.dstIdentity & JoinConstants.LOCAL_IDENTITY_FLAG) != 0
                && topology.isApiServer(flow.dstHi, flow.dstLo));
    }

    /** The dense index of destination node {@code destinationId}, or {@link NodeIndex#NONE} (counted) when it cannot be joined. */
    private int destinationOf(NodeEvent flow, int destinationId) {
        if (destinationId == 0) {
            counters.increment(JoinCounters.Global.IGNORED_UNRESOLVED_DESTINATION);
            return NodeIndex.NONE;
        }
        if (destinationId == flow.node) {
            counters.increment(JoinCounters.Global.IGNORED_SAME_NODE);
            return NodeIndex.NONE;
        }
        int destination = observers.index(destinationId);
        if (destination == NodeIndex.NONE) {
            counters.increment(JoinCounters.Global.IGNORED_NODE_LIMIT);
        }
        return destination;
    }

    void onArrival(NodeEvent flow, int node, long frame, int kind) {
        int sourceNode = topology.nodeOf(flow.srcHi, flow.srcLo);
        if (sourceNode == flow.node) {
            // Same-node traffic: no departure was ever reported for it (hubble-api.md §2.3).
            counters.increment(JoinCounters.Global.IGNORED_SAME_NODE);
            return;
        }
        counters.increment(JoinCounters.Global.ARRIVALS);
        boolean dropped = FlowClassifier.isDropped(flow);
        long k4 = preparedKeyWord;
        int hash = preparedHash;
        int found = joinIndex.findEither(hash, flow.srcHi, flow.srcLo, flow.dstHi, flow.dstLo, k4);
        int waiting = pending.slots.slotOf(found);
        boolean entryKeptLonger = classifier.isEntryKeptLonger(); // maybe not the departure's packet: no LATE
        if (waiting != KeyedSlots.NONE) {
            long placed = deadlines.placed(waiting);
            // The arrival's node is the departure's lane (where its destination was placed) but for a misplacement.
            if (frame <= placed + windowNanos + observers.extraWait(node)) {
                boolean claim = reportsEveryPacket(pending.traceReason[waiting],
                        flow.traceReason != JoinConstants.TRACE_REASON_UNKNOWN)
                        || observers.reportsEgressTwice(pending.sourceNode[waiting]);
                verdicts.arrived(waiting, placed, frame, flow.timeNanos, dropped, flow.dropReason, !entryKeptLonger);
                pending.slots.remove(waiting, hash);
                if (claim) {
                    remember(flow, hash, k4, node, frame, dropped, true, entryKeptLonger);
                }
                return;
            }
            // Past the departure's window: the departure is decided as the watermark decides it (LOST,
            // or UNVERIFIED if the destination's view was incomplete), whatever order the join saw the
            // two in; the arrival then resolves a LOST verdict as LATE below.
            deadlines.decideExpired(waiting);
        }
        int declaredLost = entryKeptLonger ? KeyedSlots.NONE
                : lost.find(hash, flow.srcHi, flow.srcLo, flow.dstHi, flow.dstLo, k4);
        if (declaredLost != KeyedSlots.NONE && !dropped && !lost.resolved[declaredLost]) {
            verdicts.late(declaredLost, flow, frame);
            return;
        }
        int remembered = deadlines.currentArrival(arrivals.slots.slotOf(found), flow.srcHi, flow.srcLo, flow.dstHi,
                flow.dstLo, k4);
        // An echo request reported NEW under a remembered one's key is another request (Hubble shows no
        // echo identifier): it is kept beside it, for its own departure. Anything else is that packet again.
        boolean anotherEchoRequest = remembered != KeyedSlots.NONE && kind == PacketKind.ICMP_ECHO && !entryKeptLonger;
        if (remembered != KeyedSlots.NONE && !anotherEchoRequest) {
            counters.increment(JoinCounters.Global.DUPLICATE_ARRIVALS);
            return;
        }
        if (anotherEchoRequest) {
            arrivals.ambiguous[remembered] = true;
        }
        if (flow.hasXlated && flow.protocol == NodeEvent.PROTO_TCP && sourceNode != 0) {
            // A backend's reply translated back to its service on delivery: its key has the service's
            // port, which no departure has, so it is kept without it (Deadlines looks there). Not the
            // API server's or the world's replies: no pod sent those.
            countEviction(arrivals.addTranslated(flow, k4, node, frame, dropped));
            return;
        }
        remember(flow, hash, k4, node, frame, dropped, false, entryKeptLonger || anotherEchoRequest);
    }

    private void remember(NodeEvent flow, int hash, long k4, int node, long frame, boolean dropped, boolean claimed,
            boolean ambiguous) {
        countEviction(arrivals.add(flow, hash, k4, node, frame, dropped, claimed, ambiguous));
    }

    /**
     * After remembering an arrival: when {@code nothingForgotten} is false, the table forgot its oldest
     * for room, which is counted, and its node's view around it counts as incomplete.
     */
    private void countEviction(boolean nothingForgotten) {
        if (!nothingForgotten) {
            counters.increment(JoinCounters.Global.ARRIVALS_EVICTED);
            observers.forgotForRoom(arrivals.evictedNode, arrivals.evictedFrameNanos, 0);
        }
    }

    /**
     * Whether a departure's source reports every packet it sends, so that its report of the packet sent
     * again looks like the first: it gave no {@code trace_reason} while the destination did (a Cilium
     * that reports reasons, where only the per-packet points give none; before 1.16 none does).
     */
    private static boolean reportsEveryPacket(int departureTraceReason, boolean arrivalReasoned) {
        return departureTraceReason == JoinConstants.TRACE_REASON_UNKNOWN && arrivalReasoned;
    }
}
