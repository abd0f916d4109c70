package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.NodeEventHandler;
import io.transitwatch.daemon.topology.Topology;
import java.util.concurrent.TimeUnit;

/**
 * Single-threaded: every method is called by the join thread only (the {@link JoinLoop}, or replay
 * and tests driving it directly). Allocates nothing per event and logs nothing; its state is read
 * by other threads only through {@link JoinCounters}.
 *
 * <p>The join of DESIGN §3: it classifies each node's flows into departures and arrivals, keys them
 * by (family, on-wire source, destination, ports, protocol, packet kind), and decides each departure:
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
 * <p>Times are compared on the daemon's time line (see {@link NodeClocks}), so skewed node clocks do
 * not shift windows; verdicts wait on the destination's watermark, never on the joined stream's own
 * silence, so a blackholed (silent) pair is still decided. A SYN reported again with
 * {@code trace_reason} ESTABLISHED is a retransmission: it adds an attempt to the entry of its key
 * and never starts a new one; so does a SYN-ACK reported again after its tuple was declared lost.
 * An arrival later than its departure's window decides that departure (LOST, then LATE) however
 * early the join processed it, so that the window, not batching, separates MATCHED from LOST.
 */
public final class JoinEngine implements NodeEventHandler {
    private static final int MAX_POINT = 128;
    private static final long CLOCK_PUBLISH_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final JoinConfig config;
    private final Topology topology;
    private final VerdictListener listener;
    private final JoinCounters counters;
    private final NodeIndex nodes;
    private final NodeClocks clocks;
    private final ObserverHealth health;
    private final PendingDepartures pending;
    private final RememberedArrivals arrivals;
    private final LostHistory lost;
    private final DepartureView view = new DepartureView();
    private final boolean[] departurePoint = new boolean[MAX_POINT + 1];
    private final boolean[] arrivalPoint = new boolean[MAX_POINT + 1];
    private final boolean[] joinSafe = new boolean[PacketKind.COUNT];
    private final int[] excludedIdentities;
    private final long windowNanos;
    private final long arrivalMemoryNanos;
    private final long lateHorizonNanos;
    private final long slackNanos;
    private final long downGraceNanos;
    private final long maxBehindNanos;
    private final long lostEventsSpanNanos;
    private final long catchUpLimitNanos;
    private long nowNanos;
    private long clocksDueNanos;

    public JoinEngine(JoinConfig config, Topology topology, VerdictListener listener, JoinCounters counters) {
        this.config = config;
        this.topology = topology;
        this.listener = listener;
        this.counters = counters;
        this.nodes = new NodeIndex(config.maxNodes());
        this.clocks = new NodeClocks(config.maxNodes(), config.clockSpan().toNanos(), config.watermarkSlack().toNanos());
        this.health = new ObserverHealth(config.maxNodes(), 32);
        this.pending = new PendingDepartures(config.pendingCapacity(), config.maxNodes());
        this.arrivals = new RememberedArrivals(config.arrivalCapacity());
        this.lost = new LostHistory(config.lostHistoryCapacity());
        config.departurePoints().forEach(point -> departurePoint[Math.min(point, MAX_POINT)] = point <= MAX_POINT);
        config.arrivalPoints().forEach(point -> arrivalPoint[Math.min(point, MAX_POINT)] = point <= MAX_POINT);
        config.joinSafeKinds().forEach(kind -> joinSafe[kind] = true);
        this.excludedIdentities = config.excludedDestinationIdentities().stream().mapToInt(Integer::intValue).sorted().toArray();
        this.windowNanos = config.window().toNanos();
        this.arrivalMemoryNanos = config.arrivalMemory().toNanos();
        this.lateHorizonNanos = config.lateHorizon().toNanos();
        this.slackNanos = config.watermarkSlack().toNanos();
        this.downGraceNanos = config.downGrace().toNanos();
        this.maxBehindNanos = config.maxBehind().toNanos();
        this.lostEventsSpanNanos = config.lostEventsSpan().toNanos();
        this.catchUpLimitNanos = config.catchUpLimit().toNanos();
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
        topology.setTime(epochNanos);
        listener.onTime(epochNanos);
    }

    @Override
    public void onEvent(NodeEvent event, boolean endOfBatch) {
        counters.increment(JoinCounters.Global.EVENTS);
        int node = nodeIndex(event.node);
        if (node == NodeIndex.NONE) {
            counters.increment(JoinCounters.Global.IGNORED_NODE_LIMIT);
            return;
        }
        counters.incrementNode(node, JoinCounters.PerNode.EVENTS);
        switch (event.kind) {
            case NodeEvent.FLOW -> onFlow(event, node);
            case NodeEvent.LOST_EVENTS -> onLostEvents(event, node);
            case NodeEvent.NODE_UP -> onNodeUp(node, event.backfilled);
            case NodeEvent.NODE_DOWN -> onNodeDown(node, event.timeNanos, event.upAnnounced);
            case NodeEvent.GAP -> onGap(event, node);
            default -> { }
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
        for (int lane = 0, lanes = nodes.size(); lane < lanes && work < budget; lane++) {
            work += decideLane(lane, caughtUp, budget - work);
            counters.setNode(lane, JoinCounters.PerNode.CLOCK_OFFSET_NANOS, clocks.offset(lane));
            counters.setNode(lane, JoinCounters.PerNode.LATENESS_NANOS, clocks.lateness(lane));
        }
        work += expireArrivals(budget);
        work += expireLostHistory(budget);
        publishClocks();
        listener.onAdvance(epochNanos);
        return work;
    }

    /** Copies each node's clock offset and lateness into the counters for metrics, once a second. */
    private void publishClocks() {
        if (nowNanos < clocksDueNanos) {
            return;
        }
        clocksDueNanos = nowNanos + CLOCK_PUBLISH_INTERVAL_NANOS;
        for (int node = 0, count = nodes.size(); node < count; node++) {
            counters.setNode(node, JoinCounters.PerNode.CLOCK_OFFSET_NANOS, clocks.offset(node));
            counters.setNode(node, JoinCounters.PerNode.LATENESS_NANOS, clocks.lateness(node));
        }
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

    // ---- events ----

    private void onFlow(NodeEvent flow, int node) {
        counters.increment(JoinCounters.Global.FLOWS);
        clocks.observe(node, flow.timeNanos, flow.receivedNanos);
        long frame = clocks.frameTime(node, flow.timeNanos);
        if (!health.isUp(node) && health.resumes(node, frame)) {
            // A node seen for the first time without NODE_UP, or back in a replayed capture: its flows
            // newer than the outage show the stream up; older ones were already in flight.
            markUp(node, false);
        }
        if (health.isCatchingUp(node)) {
            health.delivered(node, frame);
        }
        learnPlacement(flow);
        if (flow.ipVersion == 0) {
            counters.increment(JoinCounters.Global.IGNORED_NO_IP);
            return;
        }
        int point = Math.min(flow.observationPoint, MAX_POINT);
        boolean forwarded = flow.verdict == JoinConstants.VERDICT_FORWARDED;
        boolean dropped = flow.verdict == JoinConstants.VERDICT_DROPPED;
        boolean isDeparture = forwarded && departurePoint[point];
        boolean isArrival = (forwarded && arrivalPoint[point]) || dropped;
        if (!isDeparture && !isArrival) {
            counters.increment(JoinCounters.Global.IGNORED_OBSERVATION_POINT);
            return;
        }
        int kind = PacketKind.of(flow);
        if (!joinSafe[kind]) {
            counters.increment(JoinCounters.Global.IGNORED_NOT_JOIN_SAFE);
            return;
        }
        if (isDeparture) {
            onDeparture(flow, node, kind);
        } else {
            onArrival(flow, node, kind, dropped);
        }
    }

    private void onDeparture(NodeEvent flow, int node, int kind) {
        if (java.util.Arrays.binarySearch(excludedIdentities, flow.dstIdentity) >= 0) {
            counters.increment(JoinCounters.Global.IGNORED_EXCLUDED_IDENTITY);
            return;
        }
        int destinationId = topology.nodeOf(flow.dstHi, flow.dstLo);
        if (destinationId == 0) {
            counters.increment(JoinCounters.Global.IGNORED_UNRESOLVED_DESTINATION);
            return;
        }
        if (destinationId == flow.node) {
            counters.increment(JoinCounters.Global.IGNORED_SAME_NODE);
            return;
        }
        int destination = nodeIndex(destinationId);
        if (destination == NodeIndex.NONE) {
            counters.increment(JoinCounters.Global.IGNORED_NODE_LIMIT);
            return;
        }
        long srcHi = flow.hasXlated ? flow.xlatedHi : flow.srcHi;
        long srcLo = flow.hasXlated ? flow.xlatedLo : flow.srcLo;
        long k4 = keyWord(flow, kind);
        boolean retransmission = kind == PacketKind.SYN && flow.traceReason == JoinConstants.TRACE_REASON_ESTABLISHED;

        int waiting = pending.slots.find(srcHi, srcLo, flow.dstHi, flow.dstLo, k4);
        if (waiting != KeyedSlots.NONE) {
            if (retransmission) {
                counters.increment(JoinCounters.Global.RETRANSMISSIONS);
                pending.attempts[waiting]++;
                pending.lastSeenDeltaMillis[waiting] =
                        (int) TimeUnit.NANOSECONDS.toMillis(flow.timeNanos - pending.firstSeenNanos[waiting]);
            } else {
                counters.increment(JoinCounters.Global.DUPLICATE_DEPARTURES);
            }
            return;
        }
        if (retransmission || kind == PacketKind.SYN_ACK) {
            int declaredLost = lost.slots.find(srcHi, srcLo, flow.dstHi, flow.dstLo, k4);
            if (declaredLost != KeyedSlots.NONE) {
                // A SYN-ACK is reported again, with the same reason (REPLY), when the server answers a
                // retransmitted SYN after the 5 s report interval: while its tuple is in the lost history
                // it is that handshake's retransmission, not a new departure (a new connection on the
                // tuple would start with a SYN); also when its own arrival, processed first, already
                // resolved the loss as LATE.
                counters.increment(JoinCounters.Global.RETRANSMISSIONS);
                lost.attempts[declaredLost]++;
                return;
            }
            if (retransmission) {
                counters.increment(JoinCounters.Global.IGNORED_ORPHAN_RETRANSMISSION);
                return;
            }
        }
        counters.increment(JoinCounters.Global.DEPARTURES);
        int pair = pairSlot(node, destination, flow.ipVersion);
        counters.incrementPair(pair, JoinCounters.PerPair.DEPARTURES);
        long frame = clocks.frameTime(node, flow.timeNanos);

        int arrived = arrivals.slots.find(srcHi, srcLo, flow.dstHi, flow.dstLo, k4);
        if (arrived != KeyedSlots.NONE) {
            fillView(flow, node, destination, srcHi, srcLo, k4);
            long arrivalFrame = clocks.frameTime(arrivals.node[arrived], arrivals.nodeNanos[arrived]);
            decideWithArrival(pair, node, frame, arrivalFrame, arrivals.nodeNanos[arrived], arrivals.dropped[arrived],
                    arrivals.dropReason[arrived]);
            arrivals.slots.remove(arrived);
            return;
        }
        if (frame - slackNanos < nowNanos - windowNanos - arrivalMemoryNanos) {
            // Its arrival, had it come, may already be forgotten (expireArrivals): the source's stream
            // delivered it too late (a reconnect's backfill, a lagging node) for its absence to mean anything.
            fillView(flow, node, destination, srcHi, srcLo, k4);
            view.pair = pair;
            counters.increment(JoinCounters.Global.UNVERIFIED);
            counters.incrementPair(pair, JoinCounters.PerPair.unverified(UnverifiedReason.BEHIND));
            listener.onUnverified(view, UnverifiedReason.BEHIND);
            return;
        }
        if (pending.slots.isFull()) {
            evictOldestPending();
        }
        int slot = pending.slots.insert(srcHi, srcLo, flow.dstHi, flow.dstLo, k4, destination);
        pending.sourceNode[slot] = node;
        pending.frameNanos[slot] = frame;
        pending.firstSeenNanos[slot] = flow.timeNanos;
        pending.lastSeenDeltaMillis[slot] = 0;
        pending.attempts[slot] = 1;
        pending.observationPoint[slot] = flow.observationPoint;
        pending.traceReason[slot] = flow.traceReason;
        pending.interfaceName[slot] = flow.interfaceName;
    }

    private void onArrival(NodeEvent flow, int node, int kind, boolean dropped) {
        if (topology.nodeOf(flow.srcHi, flow.srcLo) == flow.node) {
            // Same-node traffic: no departure was ever reported for it (hubble-api.md §2.3).
            counters.increment(JoinCounters.Global.IGNORED_SAME_NODE);
            return;
        }
        counters.increment(JoinCounters.Global.ARRIVALS);
        long k4 = keyWord(flow, kind);
        long frame = clocks.frameTime(node, flow.timeNanos);
        int waiting = pending.slots.find(flow.srcHi, flow.srcLo, flow.dstHi, flow.dstLo, k4);
        if (waiting != KeyedSlots.NONE && frame > placed(waiting) + windowNanos) {
            // Past the departure's window: the departure is decided as the watermark decides it (LOST,
            // or UNVERIFIED if the destination's view was incomplete), whatever order the join saw the
            // two in; the arrival then resolves a LOST verdict as LATE below.
            decideExpired(waiting, pending.slots.lane(waiting));
            waiting = KeyedSlots.NONE;
        }
        if (waiting != KeyedSlots.NONE) {
            int source = pending.sourceNode[waiting];
            int destination = pending.slots.lane(waiting);
            fillViewFromPending(waiting);
            decideWithArrival(pairSlot(source, destination, view.family), source, placed(waiting), frame,
                    flow.timeNanos, dropped, flow.dropReason);
            pending.slots.remove(waiting);
            return;
        }
        int declaredLost = lost.slots.find(flow.srcHi, flow.srcLo, flow.dstHi, flow.dstLo, k4);
        if (declaredLost != KeyedSlots.NONE && !dropped && !lost.resolved[declaredLost]) {
            fillViewFromLost(declaredLost);
            view.arrivalNodeNanos = flow.timeNanos;
            view.pair = pairSlot(lost.sourceNode[declaredLost], lost.destinationNode[declaredLost], view.family);
            counters.increment(JoinCounters.Global.LATE);
            counters.incrementPair(view.pair, JoinCounters.PerPair.LATE);
            listener.onLate(view, lost.token[declaredLost], frame - (lost.frameNanos[declaredLost] + windowNanos));
            lost.resolved[declaredLost] = true; // kept: the departure may still be reported again
            return;
        }
        if (arrivals.slots.find(flow.srcHi, flow.srcLo, flow.dstHi, flow.dstLo, k4) != KeyedSlots.NONE) {
            counters.increment(JoinCounters.Global.DUPLICATE_ARRIVALS);
            return;
        }
        if (arrivals.slots.isFull()) {
            counters.increment(JoinCounters.Global.ARRIVALS_EVICTED);
            arrivals.slots.remove(arrivals.slots.oldest(0));
        }
        int slot = arrivals.slots.insert(flow.srcHi, flow.srcLo, flow.dstHi, flow.dstLo, k4, 0);
        arrivals.node[slot] = node;
        arrivals.frameNanos[slot] = frame;
        arrivals.nodeNanos[slot] = flow.timeNanos;
        arrivals.dropped[slot] = dropped;
        arrivals.dropReason[slot] = flow.dropReason;
    }

    private void onLostEvents(NodeEvent event, int node) {
        counters.increment(JoinCounters.Global.LOST_EVENT_REPORTS);
        counters.addNode(node, JoinCounters.PerNode.LOST_EVENTS, event.lostCount);
        long reported = clocks.frameTime(node, event.timeNanos);
        long from = event.lostFirstNanos != 0
                ? clocks.frameTime(node, event.lostFirstNanos)
                : reported - lostEventsSpanNanos - clocks.lateness(node);
        long to = event.lostLastNanos != 0 ? clocks.frameTime(node, event.lostLastNanos) : reported;
        health.addSpan(node, from - slackNanos, to + slackNanos, UnverifiedReason.LOST_EVENTS);
    }

    private void onGap(NodeEvent event, int node) {
        counters.increment(JoinCounters.Global.GAPS);
        counters.incrementNode(node, JoinCounters.PerNode.GAPS);
        health.addSpan(node, clocks.frameTime(node, event.gapStartNanos) - slackNanos,
                clocks.frameTime(node, event.gapEndNanos) + slackNanos, UnverifiedReason.GAP);
    }

    private void onNodeUp(int node, boolean backfilled) {
        markUp(node, backfilled);
    }

    private void markUp(int node, boolean backfilled) {
        if (health.isUp(node)) {
            return; // already delivering: a repeated NODE_UP says nothing new
        }
        counters.increment(JoinCounters.Global.NODE_UP);
        health.markUp(node, nowNanos, backfilled, nowNanos + catchUpLimitNanos);
        counters.setNode(node, JoinCounters.PerNode.STATE, ObserverHealth.UP);
    }

    private void onNodeDown(int node, long reportedAtNanos, boolean upAnnounced) {
        if (health.state(node) != ObserverHealth.DOWN) {
            counters.increment(JoinCounters.Global.NODE_DOWN);
            counters.incrementNode(node, JoinCounters.PerNode.DOWN);
        }
        // Everything up to the watermark the stream had while it was up was received; after it, unknown.
        health.markDown(node, watermark(node, true), reportedAtNanos, upAnnounced);
        counters.setNode(node, JoinCounters.PerNode.STATE, ObserverHealth.DOWN);
    }

    // ---- verdicts ----

    private int decideLane(int lane, boolean caughtUp, int budget) {
        int decided = 0;
        health.endOverdueCatchUp(lane, nowNanos);
        byte state = health.state(lane);
        long watermark = watermark(lane, caughtUp);
        while (decided < budget) {
            int slot = pending.slots.oldest(lane);
            if (slot == KeyedSlots.NONE) {
                break;
            }
            long deadline = Math.max(pending.frameNanos[slot], placed(slot)) + windowNanos;
            UnverifiedReason unverified;
            if (watermark >= deadline && state != ObserverHealth.NEVER_SEEN) {
                decideExpired(slot, lane);
                decided++;
                continue;
            } else if (state == ObserverHealth.DOWN && nowNanos >= deadline + downGraceNanos) {
                unverified = UnverifiedReason.OBSERVER_DOWN;
            } else if (state == ObserverHealth.NEVER_SEEN && nowNanos >= deadline + downGraceNanos) {
                unverified = UnverifiedReason.NO_OBSERVER;
            } else if (nowNanos >= deadline + maxBehindNanos) {
                unverified = UnverifiedReason.BEHIND;
            } else {
                break;
            }
            fillViewFromPending(slot);
            declareUnverified(slot, unverified);
            pending.slots.remove(slot);
            decided++;
        }
        return decided;
    }

    /**
     * Frame time up to which {@code node}'s events are all here. Time alone may move it ({@code
     * idleAdvance}: nothing of the node waits on our side) only while its stream is up and has
     * delivered what it was asked to re-read; and it never enters an outage that is still open or
     * still being re-read (see ObserverHealth, "catching up").
     */
    private long watermark(int node, boolean idleAdvance) {
        boolean idle = idleAdvance && health.isUp(node) && !health.isCatchingUp(node);
        return Math.min(clocks.watermark(node, nowNanos, idle), health.openSince(node));
    }

    /**
     * Decides a pending departure whose window the destination's watermark has passed without its
     * arrival: LOST, unless the destination's view was incomplete during the window.
     */
    private void decideExpired(int slot, int lane) {
        // Check the destination's view from the earlier of the two placements (see placed()), and from
        // as early as this source's arrivals are seen to lie before its departures (a lagging source).
        long start = pending.frameNanos[slot];
        long again = placed(slot);
        long from = Math.min(start, again) + clocks.earliestArrival(pending.sourceNode[slot]) - slackNanos;
        UnverifiedReason unverified = health.incompleteDuring(lane, from, Math.max(start, again) + windowNanos);
        fillViewFromPending(slot);
        if (unverified == null) {
            declareLost(slot);
        } else {
            declareUnverified(slot, unverified);
        }
        pending.slots.remove(slot);
    }

    /**
     * The pending departure's frame time with the source's clock offset as known now. Its stored frame
     * used the estimate of when it came, which a stream's first events can put hundreds of ms off
     * (they may wait in Relay's sort buffer); times compared with each other must use the same estimate.
     */
    private long placed(int slot) {
        return clocks.frameTime(pending.sourceNode[slot], pending.firstSeenNanos[slot]);
    }

    private void decideWithArrival(int pair, int source, long departureFrame, long arrivalFrame,
            long arrivalNodeNanos, boolean dropped, int dropReason) {
        view.pair = pair;
        view.arrivalNodeNanos = arrivalNodeNanos;
        if (dropped) {
            view.dropReason = dropReason;
            counters.increment(JoinCounters.Global.DROPPED);
            counters.incrementPair(pair, JoinCounters.PerPair.DROPPED);
            listener.onDroppedAtDestination(view);
            return;
        }
        long transit = arrivalFrame - departureFrame;
        clocks.observeTransit(source, transit, nowNanos);
        counters.increment(JoinCounters.Global.MATCHED);
        counters.incrementPair(pair, JoinCounters.PerPair.MATCHED);
        counters.recordTransit(pair, transit);
        listener.onMatched(view, transit);
    }

    private void declareLost(int slot) {
        int source = pending.sourceNode[slot];
        int destination = pending.slots.lane(slot);
        view.pair = pairSlot(source, destination, view.family);
        counters.increment(JoinCounters.Global.LOST);
        counters.incrementPair(view.pair, JoinCounters.PerPair.LOST);
        long token = listener.onLost(view);
        // One entry per key: a reused tuple lost again supersedes its older loss, so one late
        // arrival resolves one alert.
        int earlier = lost.slots.find(pending.slots.k0(slot), pending.slots.k1(slot), pending.slots.k2(slot),
                pending.slots.k3(slot), pending.slots.k4(slot));
        if (earlier != KeyedSlots.NONE) {
            lost.slots.remove(earlier);
        } else if (lost.slots.isFull()) {
            lost.slots.remove(lost.slots.oldest(0));
        }
        int entry = lost.slots.insert(pending.slots.k0(slot), pending.slots.k1(slot), pending.slots.k2(slot),
                pending.slots.k3(slot), pending.slots.k4(slot), 0);
        lost.sourceNode[entry] = source;
        lost.destinationNode[entry] = destination;
        lost.frameNanos[entry] = pending.frameNanos[slot];
        lost.firstSeenNanos[entry] = pending.firstSeenNanos[slot];
        lost.token[entry] = token;
        lost.attempts[entry] = pending.attempts[slot];
        lost.resolved[entry] = false;
    }

    private void declareUnverified(int slot, UnverifiedReason reason) {
        view.pair = pairSlot(pending.sourceNode[slot], pending.slots.lane(slot), view.family);
        counters.increment(JoinCounters.Global.UNVERIFIED);
        counters.incrementPair(view.pair, JoinCounters.PerPair.unverified(reason));
        listener.onUnverified(view, reason);
    }

    private void evictOldestPending() {
        int oldest = pending.oldestOverall(nodes.size());
        counters.increment(JoinCounters.Global.PENDING_EVICTED);
        fillViewFromPending(oldest);
        declareUnverified(oldest, UnverifiedReason.CAPACITY);
        pending.slots.remove(oldest);
    }

    private int expireArrivals(int budget) {
        int expired = 0;
        long horizon = nowNanos - windowNanos - arrivalMemoryNanos;
        int slot;
        while (expired < budget && (slot = arrivals.slots.oldest(0)) != KeyedSlots.NONE
                && arrivals.frameNanos[slot] < horizon) {
            arrivals.slots.remove(slot);
            counters.increment(JoinCounters.Global.ARRIVALS_EXPIRED);
            expired++;
        }
        return expired;
    }

    private int expireLostHistory(int budget) {
        int expired = 0;
        long horizon = nowNanos - lateHorizonNanos;
        int slot;
        while (expired < budget && (slot = lost.slots.oldest(0)) != KeyedSlots.NONE && lost.frameNanos[slot] < horizon) {
            lost.slots.remove(slot);
            expired++;
        }
        return expired;
    }

    // ---- helpers ----

    private int nodeIndex(int dictionaryId) {
        int before = nodes.size();
        int index = nodes.indexOf(dictionaryId);
        if (index != NodeIndex.NONE && index >= before) {
            counters.registerNode(index, dictionaryId);
        }
        return index;
    }

    private int pairSlot(int source, int destination, int family) {
        return counters.pairSlot(source, destination, family, nodes.dictionaryId(source), nodes.dictionaryId(destination));
    }

    private void learnPlacement(NodeEvent flow) {
        if (flow.ipVersion == 0) {
            return;
        }
        boolean forwarded = flow.verdict == JoinConstants.VERDICT_FORWARDED;
        if (forwarded && flow.observationPoint == JoinConstants.POINT_TO_ENDPOINT && flow.dstEndpointId != 0) {
            topology.learn(flow.dstHi, flow.dstLo, flow.node, flow.dstNamespace, flow.dstPod, flow.dstWorkload,
                    flow.dstIdentity);
        } else if (flow.dstPod != 0) {
            topology.learn(flow.dstHi, flow.dstLo, 0, flow.dstNamespace, flow.dstPod, flow.dstWorkload,
                    flow.dstIdentity);
        }
        if (flow.srcEndpointId != 0) {
            topology.learn(flow.srcHi, flow.srcLo, flow.node, flow.srcNamespace, flow.srcPod, flow.srcWorkload,
                    flow.srcIdentity);
        } else if (flow.srcPod != 0) {
            topology.learn(flow.srcHi, flow.srcLo, 0, flow.srcNamespace, flow.srcPod, flow.srcWorkload,
                    flow.srcIdentity);
        }
    }

    private static long keyWord(NodeEvent flow, int kind) {
        boolean icmp = flow.protocol == NodeEvent.PROTO_ICMPV4 || flow.protocol == NodeEvent.PROTO_ICMPV6;
        return FlowKey.pack(flow.ipVersion, icmp ? 0 : flow.srcPort, icmp ? flow.icmpType : flow.dstPort,
                flow.protocol & 0xff, kind);
    }

    private void fillView(NodeEvent flow, int source, int destination, long srcHi, long srcLo, long k4) {
        view.sourceNode = nodes.dictionaryId(source);
        view.destinationNode = nodes.dictionaryId(destination);
        view.family = FlowKey.family(k4);
        view.protocol = FlowKey.protocol(k4);
        view.kind = FlowKey.kind(k4);
        view.sourceHi = srcHi;
        view.sourceLo = srcLo;
        view.destinationHi = flow.dstHi;
        view.destinationLo = flow.dstLo;
        view.sourcePort = FlowKey.srcPort(k4);
        view.destinationPort = FlowKey.dstPort(k4);
        view.attempts = 1;
        view.firstSeenNanos = flow.timeNanos;
        view.lastSeenNanos = flow.timeNanos;
        view.windowNanos = windowNanos;
        view.observationPoint = flow.observationPoint;
        view.traceReason = flow.traceReason;
        view.interfaceName = flow.interfaceName;
        view.arrivalNodeNanos = 0;
        view.dropReason = 0;
    }

    private void fillViewFromPending(int slot) {
        fillKey(pending.slots, slot, pending.sourceNode[slot], pending.slots.lane(slot));
        view.attempts = pending.attempts[slot];
        view.firstSeenNanos = pending.firstSeenNanos[slot];
        view.lastSeenNanos = pending.firstSeenNanos[slot] + TimeUnit.MILLISECONDS.toNanos(pending.lastSeenDeltaMillis[slot]);
        view.observationPoint = pending.observationPoint[slot];
        view.traceReason = pending.traceReason[slot];
        view.interfaceName = pending.interfaceName[slot];
    }

    private void fillViewFromLost(int slot) {
        fillKey(lost.slots, slot, lost.sourceNode[slot], lost.destinationNode[slot]);
        view.attempts = lost.attempts[slot];
        view.firstSeenNanos = lost.firstSeenNanos[slot];
        view.lastSeenNanos = lost.firstSeenNanos[slot];
        view.observationPoint = 0;
        view.traceReason = 0;
        view.interfaceName = 0;
    }

    private void fillKey(KeyedSlots slots, int slot, int source, int destination) {
        long k4 = slots.k4(slot);
        view.sourceNode = nodes.dictionaryId(source);
        view.destinationNode = nodes.dictionaryId(destination);
        view.family = FlowKey.family(k4);
        view.protocol = FlowKey.protocol(k4);
        view.kind = FlowKey.kind(k4);
        view.sourceHi = slots.k0(slot);
        view.sourceLo = slots.k1(slot);
        view.destinationHi = slots.k2(slot);
        view.destinationLo = slots.k3(slot);
        view.sourcePort = FlowKey.srcPort(k4);
        view.destinationPort = FlowKey.dstPort(k4);
        view.windowNanos = windowNanos;
        view.arrivalNodeNanos = 0;
        view.dropReason = 0;
    }
}
