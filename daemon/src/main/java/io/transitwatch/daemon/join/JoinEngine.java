package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.NodeEventHandler;
import io.transitwatch.daemon.topology.DiscoverySnapshot;
import io.transitwatch.daemon.topology.Topology;

/**
 * Single-threaded: every method is called by the join thread only (the {@link JoinLoop}, or replay
 * and tests driving it directly). Allocates nothing per event and logs nothing; its state is read
 * by other threads only through {@link JoinCounters}.
 *
 * <p>The join of DESIGN §3: it keys each node's departures and arrivals by (family, on-wire source,
 * destination, ports, protocol, packet kind), and decides each departure:
 *
 * <pre>
 *   departure D from node S to IP X ─► X resolves to node R ≠ S ─► remembered arrival for D's key?
 *        │ yes: MATCHED (or DROPPED_AT_DESTINATION)                    │ no: pending in R's lane
 *        ▼                                                             ▼
 *   arrival A at node R ─► pending D, A within D's window? MATCHED : lost earlier? LATE : remember A for W + margin
 *                          (a pending D whose window A is past is decided first, as advance() would)
 *
 *   advance(now): for each lane R, while its oldest pending D has deadline = frame(D) + W passed by
 *     R's watermark:  R's view incomplete during the window ? UNVERIFIED(reason) : LOST_IN_TRANSIT
 *   and when R is down or behind for too long past the deadline: UNVERIFIED.
 * </pre>
 *
 * <p>The parts, each owned by this engine and used on its thread only: {@link FlowClassifier} says
 * what a flow is to the join; {@link TwoEndJoin} joins each departure and arrival, and its
 * {@link RepeatedReports} tells retransmissions from new departures; {@link Placements} learns where
 * pods live; {@link Observers} knows each node's time line and how complete its view is (watermarks,
 * outages, catching up); the tables {@link PendingDepartures}, {@link RememberedArrivals} and
 * {@link LostHistory} hold the entries; {@link FirstData} admits an ACK / PSH segment only as its
 * direction's first (DESIGN §3.8); {@link RoundTripJudge} judges, on the client's own node, attempts
 * to destinations that never report an arrival (DESIGN §3.7: host, remote-node, kube-apiserver,
 * world, CIDR identities, addresses outside every configured pod CIDR); {@link Deadlines} decides
 * what time alone decides; {@link Verdicts} is where every verdict is counted and reported. The
 * words are defined in
 * {@code package-info.java}.
 *
 * <p>Times are compared on the daemon's time line, so skewed node clocks do not shift windows;
 * verdicts wait on the destination's watermark, never on the joined stream's own silence, so a
 * blackholed (silent) pair is still decided. A SYN reported again with {@code trace_reason}
 * ESTABLISHED is a retransmission: it adds an attempt to the entry of its key and never starts a new
 * one; so does a SYN-ACK reported again after its tuple was declared lost. An arrival later than its
 * departure's window decides that departure (LOST, then LATE) however early the join processed it,
 * so that the window, not batching, separates MATCHED from LOST.
 */
public final class JoinEngine implements NodeEventHandler {
    /** Pair slots looked at per duty cycle when slots run short: a full sweep of 64k slots takes 16 cycles. */
    private static final int PAIR_RECLAIM_BUDGET = 4096;

    private final JoinConfig config;
    private final Topology topology;
    private final VerdictListener listener;
    private final JoinCounters counters;
    private final FlowClassifier classifier;
    private final Placements placements;
    private final Observers observers;
    private final PendingDepartures pending;
    private final RememberedArrivals arrivals;
    private final SlotIndex joinIndex;
    private final LostHistory lost;
    private final Verdicts verdicts;
    private final Deadlines deadlines;
    private final RoundTrips trips;
    private final ClientRequests requests;
    private final RoundTripJudge roundTrips;
    private final FirstData firstData;
    private final TwoEndJoin twoEnd;
    private final long lateHorizonNanos;
    private final long pairIdleNanos;
    private long nowNanos;
    private volatile long discoveryVersion;
    /** A sum of one field per stretch of each event the join reads, kept only so that the reads stay (see {@link #fetchEventLines}). */
    private int eventLinesFetched;

    public JoinEngine(JoinConfig config, Topology topology, VerdictListener listener, JoinCounters counters) {
        this.config = config;
        this.topology = topology;
        this.listener = listener;
        this.counters = counters;
        this.classifier = new FlowClassifier(config, counters);
        this.placements = new Placements(topology);
        this.observers = new Observers(config, counters);
        // One index for both tables: a departure learns in one probe if it repeats a pending one or its arrival came first.
        this.joinIndex = new SlotIndex(Math.max(config.pendingCapacity(), config.arrivalCapacity()),
                config.pendingCapacity() + config.arrivalCapacity());
        this.pending = new PendingDepartures(config.pendingCapacity(), config.maxNodes(), joinIndex);
        this.arrivals = new RememberedArrivals(config.arrivalCapacity(), joinIndex);
        this.lost = new LostHistory(config.lostHistoryCapacity());
        long windowNanos = config.window().toNanos();
        this.trips = new RoundTrips(config.pendingCapacity(), config.maxNodes());
        this.verdicts = new Verdicts(listener, counters, observers, pending, lost, trips, windowNanos);
        this.requests = new ClientRequests(config, observers);
        this.deadlines = new Deadlines(config, counters, topology, observers, pending, arrivals, verdicts, requests);
        this.roundTrips = new RoundTripJudge(config, counters, topology, observers, trips, verdicts);
        // Kept W longer than judged: a segment delivered that late still finds its handshake.
        this.firstData = new FirstData(config.pendingCapacity(), windowNanos + config.arrivalMemory().toNanos(),
                windowNanos, observers);
        this.twoEnd = new TwoEndJoin(config, topology, counters, classifier, observers, pending, arrivals, joinIndex,
                lost, verdicts, deadlines, roundTrips, firstData, requests);
        this.lateHorizonNanos = config.lateHorizon().toNanos();
        this.pairIdleNanos = config.pairIdleAfter().toNanos();
    }

    public JoinConfig config() {
        return config;
    }

    public JoinCounters counters() {
        return counters;
    }

    /** The daemon's time for this duty cycle, read once by the caller and passed down. */
    public void setTime(long epochNanos) {
        this.nowNanos = epochNanos;
        counters.setTime(epochNanos);
        observers.setTime(epochNanos);
        deadlines.setTime(epochNanos);
        roundTrips.setTime(epochNanos);
        topology.setTime(epochNanos);
        listener.onTime(epochNanos);
    }

    @Override
    public void onEvent(NodeEvent event, boolean endOfBatch) {
        fetchEventLines(event);
        counters.increment(JoinCounters.Global.EVENTS);
        if (event.kind == NodeEvent.NODE_ADDRESSES) {
            if (event.nodeAddresses != null) {
                topology.setNodeAddresses(event.nodeAddresses); // an immutable snapshot: kept as it is
            }
            return;
        }
        if (event.kind == NodeEvent.DISCOVERY) {
            onDiscovery(event.discovery);
            return;
        }
        int node = observers.index(event.node);
        if (node == NodeIndex.NONE) {
            counters.increment(JoinCounters.Global.IGNORED_NODE_LIMIT);
        } else {
            counters.incrementNode(node, JoinCounters.PerNode.EVENTS);
            switch (event.kind) {
                case NodeEvent.FLOW -> onFlow(event, node);
                case NodeEvent.LOST_EVENTS -> observers.onLostEvents(node, event);
                case NodeEvent.NODE_UP -> observers.onUp(node, event.backfilled, event.resumedFromNanos);
                case NodeEvent.NODE_DOWN -> observers.onDown(node, event.timeNanos, event.upAnnounced);
                case NodeEvent.GAP -> observers.onGap(node, event);
                case NodeEvent.EVENTS_COUNTED -> observers.onEventsCounted(node, event.timeNanos);
                default -> { }
            }
        }
        if (endOfBatch) {
            counters.publish();
        }
    }

    /**
     * Decides what is due: at most {@code budget} pending departures, then expires remembered
     * arrivals and lost history. {@code caughtUp} says the hand-off ring was drained in this cycle,
     * so that idle streams' watermarks may advance with time.
     *
     * @return the number of entries decided or expired (0 = nothing to do)
     */
    public int advance(long epochNanos, boolean caughtUp, int budget) {
        setTime(epochNanos);
        int work = 0;
        for (int lane = 0, lanes = observers.count(); lane < lanes && work < budget; lane++) {
            work += deadlines.decideLane(lane, caughtUp, budget - work);
            work += roundTrips.decideLane(lane, caughtUp, budget - work);
        }
        work += deadlines.expireArrivals(budget);
        work += firstData.expire(nowNanos, budget);
        work += roundTrips.expireReplies(budget);
        work += lost.expire(nowNanos - lateHorizonNanos, budget);
        work += requests.expire(nowNanos, budget);
        counters.reclaimIdlePairs(nowNanos - pairIdleNanos, PAIR_RECLAIM_BUDGET, listener);
        observers.publishClocks();
        counters.publish();
        listener.onAdvance(epochNanos);
        return work;
    }

    /** Number of departures waiting for a verdict. */
    public int pendingCount() {
        return pending.slots.size();
    }

    public int pendingCapacity() {
        return pending.slots.capacity();
    }

    public int rememberedArrivalCount() {
        return arrivals.slots.size();
    }

    /** Number of round-trip attempts waiting for their reply. */
    public int roundTripCount() {
        return trips.slots.size();
    }

    /**
     * The join's work so far, counted without a clock: index words and table slots looked at by
     * every probe, insert, removal and rebuild of its tables (see {@link SlotIndex#workSteps()}).
     * Divided by {@link JoinCounters.Global#EVENTS}, it is the cost per event that must not grow
     * under overload (issue #12): a removal that degrades with the table's fill shows here.
     */
    public long workSteps() {
        return joinIndex.workSteps() + lost.slots.indexWorkSteps() + firstData.workSteps() + roundTrips.workSteps()
                + counters.pairWorkSteps();
    }

    // ---- events ----

    /**
     * Reads one field from each stretch of the event that the join reads (its times and addresses,
     * its ports and endpoint ids, its names, its small fields), before the join reads any of them.
     * The reads do not depend on each other, so the core fetches the event's cache lines from memory
     * together; the join's own reads, hundreds of instructions apart, would wait for them one line
     * at a time (the first read of the event's fields was 17 % of the join's profile).
     */
    private void fetchEventLines(NodeEvent event) {
        eventLinesFetched += (int) event.timeNanos + (int) event.dstLo + event.srcPort + event.dstWorkload
                + event.interfaceName + event.observationPoint + event.kind + event.verdict;
    }

    /** A new view of the cluster from the Kubernetes API: placements, node addresses, calibration. */
    private void onDiscovery(DiscoverySnapshot snapshot) {
        if (snapshot == null) {
            return;
        }
        topology.apply(snapshot);
        classifier.calibrate(snapshot.departurePoints(), snapshot.firstData());
        observers.calibrate(snapshot.blindNodes(), snapshot.egressTwiceNodes());
        discoveryVersion = snapshot.version();
    }

    /** Version of the last discovery snapshot the join applied, 0 before the first (read by status; racy is fine). */
    public long discoveryVersion() {
        return discoveryVersion;
    }

    private void onFlow(NodeEvent flow, int node) {
        counters.increment(JoinCounters.Global.FLOWS);
        // Classified and keyed first, so that the index line of its probe is read from memory while the
        // node's clock and the placements learn from the flow (neither depends on the classification).
        int role = classifier.classify(flow);
        if (role != FlowClassifier.IGNORED) {
            twoEnd.prepare(flow, classifier.kind(), role == FlowClassifier.DEPARTURE);
        }
        long frame = observers.onFlow(node, flow);
        placements.learn(flow);
        if (FlowClassifier.isReplyToEndpoint(flow)) {
            roundTrips.onReply(flow, node, frame, classifier.isFromExcludedIdentity(flow));
        }
        switch (role) {
            case FlowClassifier.DEPARTURE -> twoEnd.onDeparture(flow, node, frame, classifier.kind());
            case FlowClassifier.ARRIVAL -> twoEnd.onArrival(flow, node, frame, classifier.kind());
            default -> {
                if (classifier.isUnjoinedEgress(flow)) {
                    twoEnd.onUnjoinedEgress(flow, node, frame);
                }
            }
        }
    }
}
