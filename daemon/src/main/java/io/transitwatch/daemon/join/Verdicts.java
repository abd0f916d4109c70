package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.concurrent.TimeUnit;

/**
 * Single-threaded: used by the join thread only; the listener is called on it.
 *
 * <p>Where every verdict leaves the join, and the only place: each one fills the {@link
 * DepartureView}, counts itself globally and per (source, destination, family) pair, and calls the
 * {@link VerdictListener}, always together, so that the metrics and the alerts cannot disagree. A
 * LOST verdict is also remembered ({@link LostHistory}) so that a late arrival resolves it and a
 * retransmission counts as an attempt.
 */
final class Verdicts {
    private final VerdictListener listener;
    private final JoinCounters counters;
    private final Observers observers;
    private final PendingDepartures pending;
    private final LostHistory lost;
    private final RoundTrips trips;
    private final DepartureView view = new DepartureView();
    private final DepartureView.PendingSource pendingSource = this::fillPendingDeparture;
    private final long windowNanos;

    Verdicts(VerdictListener listener, JoinCounters counters, Observers observers, PendingDepartures pending,
            LostHistory lost, RoundTrips trips, long windowNanos) {
        this.listener = listener;
        this.trips = trips;
        this.counters = counters;
        this.observers = observers;
        this.pending = pending;
        this.lost = lost;
        this.windowNanos = windowNanos;
    }

    /** Dense slot of the (source, destination, family) pair in the counters; -1 when the pair table is full. */
    int pairSlot(int source, int destination, int family) {
        return counters.pairSlot(source, destination, family, observers.dictionaryId(source),
                observers.dictionaryId(destination));
    }

    /** Pending departure {@code slot} met its arrival, at {@code arrivalFrame} on the time line. */
    void arrived(int slot, long departureFrame, long arrivalFrame, long arrivalNodeNanos, boolean dropped,
            int dropReason, boolean sampleTransit) {
        int source = pending.sourceNode[slot];
        int destination = pending.slots.lane(slot);
        clearVerdictFields();
        view.family = FlowKey.family(pending.slots.k4(slot));
        view.fillOnRead(pendingSource, slot); // valid during the listener's call: the slot is removed after it
        decide(pairSlot(source, destination, view.family), source, destination, departureFrame, arrivalFrame,
                pending.firstSeenNanos[slot], arrivalNodeNanos, dropped, dropReason, sampleTransit);
    }

    /** Departure {@code flow} (not pending: its arrival was processed first) met its remembered arrival. */
    void arrivedBefore(NodeEvent flow, int source, int destination, long srcHi, long srcLo, long k4, int pair,
            long departureFrame, long arrivalFrame, long arrivalNodeNanos, boolean dropped, int dropReason,
            boolean sampleTransit) {
        fillFromFlow(flow, source, destination, srcHi, srcLo, k4);
        decide(pair, source, destination, departureFrame, arrivalFrame, flow.timeNanos, arrivalNodeNanos, dropped,
                dropReason, sampleTransit);
    }

    /**
     * {@code sampleTransit}: the arrival is known to be the departure's packet, so its transit is what the
     * two nodes' clocks disagree by, at most ({@link TransitBounds}); false when it may be another packet
     * of the key ({@link RememberedArrivals#ambiguous}).
     */
    private void decide(int pair, int source, int destination, long departureFrame, long arrivalFrame,
            long departureNodeNanos, long arrivalNodeNanos, boolean dropped, int dropReason, boolean sampleTransit) {
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
        if (sampleTransit) {
            observers.observeTransit(source, destination, pair, transit, arrivalNodeNanos - departureNodeNanos);
        }
        counters.increment(JoinCounters.Global.MATCHED);
        counters.incrementNode(source, JoinCounters.PerNode.SENT_MATCHED);
        counters.incrementPair(pair, JoinCounters.PerPair.MATCHED);
        counters.recordTransit(view.family, transit);
        listener.onMatched(view, transit);
    }

    /** Pending departure {@code slot} never arrived while its destination's view was complete. */
    void lost(int slot) {
        fillFromPending(slot);
        view.pair = pairSlot(pending.sourceNode[slot], pending.slots.lane(slot), view.family);
        counters.increment(JoinCounters.Global.LOST);
        counters.incrementNode(pending.sourceNode[slot], JoinCounters.PerNode.SENT_LOST);
        counters.incrementPair(view.pair, JoinCounters.PerPair.LOST);
        lost.record(pending, slot, listener.onLost(view));
    }

    /** Pending departure {@code slot} cannot be judged, for {@code reason}. */
    void unverified(int slot, UnverifiedReason reason) {
        fillFromPending(slot);
        view.pair = pairSlot(pending.sourceNode[slot], pending.slots.lane(slot), view.family);
        report(pending.sourceNode[slot], reason);
    }

    /** Departure {@code flow} cannot be judged the moment it is seen, for {@code reason}. */
    void unverifiedOnSight(NodeEvent flow, int source, int destination, long srcHi, long srcLo, long k4, int pair,
            UnverifiedReason reason) {
        fillFromFlow(flow, source, destination, srcHi, srcLo, k4);
        view.pair = pair;
        report(source, reason);
    }

    private void report(int source, UnverifiedReason reason) {
        counters.increment(JoinCounters.Global.UNVERIFIED);
        counters.incrementNode(source, JoinCounters.PerNode.SENT_UNVERIFIED);
        counters.incrementPair(view.pair, JoinCounters.PerPair.unverified(reason));
        listener.onUnverified(view, reason);
    }

    /** The arrival of a departure declared lost (entry {@code entry} of the history) came after all. */
    void late(int entry, NodeEvent arrival, long arrivalFrame) {
        clearVerdictFields();
        fillKey(lost.slots, entry, lost.sourceNode[entry], lost.destinationNode[entry]);
        view.attempts = lost.attempts[entry];
        view.firstSeenNanos = lost.firstSeenNanos[entry];
        view.lastSeenNanos = lost.firstSeenNanos[entry];
        view.observationPoint = 0;
        view.traceReason = 0;
        view.interfaceName = 0;
        view.arrivalNodeNanos = arrival.timeNanos;
        view.pair = pairSlot(lost.sourceNode[entry], lost.destinationNode[entry], view.family);
        counters.increment(JoinCounters.Global.LATE);
        counters.incrementPair(view.pair, JoinCounters.PerPair.LATE);
        listener.onLate(view, lost.token[entry], arrivalFrame - (lost.frameNanos[entry] + windowNanos));
        lost.resolved[entry] = true; // kept: the departure may still be reported again
    }

    // ---- round trips (DESIGN §3.7): judged on the client's node, not counted per pair ----

    /** Attempt {@code slot} was answered: its reply reached the client {@code replyAfterNanos} after it left. */
    void answered(int slot, long replyNodeNanos, long replyAfterNanos) {
        fillFromRoundTrip(slot, replyNodeNanos);
        counters.increment(JoinCounters.Global.ANSWERED);
        counters.incrementNode(trips.slots.lane(slot), JoinCounters.PerNode.ANSWERED);
        listener.onAnswered(view, replyAfterNanos);
    }

    /** Attempt {@code slot} was refused: a TCP RST or an ICMP destination unreachable came back. */
    void refused(int slot, long replyNodeNanos) {
        fillFromRoundTrip(slot, replyNodeNanos);
        counters.increment(JoinCounters.Global.REFUSED);
        counters.incrementNode(trips.slots.lane(slot), JoinCounters.PerNode.REFUSED);
        listener.onRefused(view);
    }

    /** Attempt {@code slot} got no reply within the window while its client node's view was complete. */
    void noReply(int slot) {
        fillFromRoundTrip(slot, 0);
        counters.increment(JoinCounters.Global.NO_REPLY);
        counters.incrementNode(trips.slots.lane(slot), JoinCounters.PerNode.NO_REPLY);
        listener.onNoReply(view);
    }

    /** Attempt {@code slot} cannot be judged: its client node's view was incomplete, for {@code reason}. */
    void roundTripUnverified(int slot, UnverifiedReason reason) {
        fillFromRoundTrip(slot, 0);
        counters.increment(JoinCounters.Global.UNVERIFIED);
        counters.incrementNode(trips.slots.lane(slot), JoinCounters.PerNode.ROUND_TRIPS_UNVERIFIED);
        listener.onUnverified(view, reason);
    }

    private void fillFromRoundTrip(int slot, long replyNodeNanos) {
        KeyedSlots slots = trips.slots;
        long k4 = slots.k4(slot);
        view.filledNow();
        view.pair = -1;
        view.sourceNode = observers.dictionaryId(slots.lane(slot));
        view.destinationNode = trips.destinationNode[slot];
        view.family = FlowKey.family(k4);
        view.protocol = FlowKey.protocol(k4);
        view.kind = trips.kind[slot];
        view.sourceHi = slots.k0(slot);
        view.sourceLo = slots.k1(slot);
        view.destinationHi = trips.destinationHi[slot];
        view.destinationLo = trips.destinationLo[slot];
        view.sourcePort = FlowKey.srcPort(k4);
        view.destinationPort = trips.destinationPort[slot];
        view.windowNanos = windowNanos;
        view.dropReason = 0;
        view.arrivalNodeNanos = replyNodeNanos;
        view.attempts = trips.attempts[slot];
        view.firstSeenNanos = trips.firstSeenNanos[slot];
        view.lastSeenNanos = trips.firstSeenNanos[slot] + TimeUnit.MILLISECONDS.toNanos(trips.lastSeenDeltaMillis[slot]);
        view.observationPoint = trips.observationPoint[slot];
        view.traceReason = trips.traceReason[slot];
        view.interfaceName = trips.interfaceName[slot];
        view.roundTrip = true;
        view.destinationIdentity = trips.destinationIdentity[slot];
        view.destinationReservedLabels = trips.destinationReservedLabels[slot];
    }

    private void fillFromFlow(NodeEvent flow, int source, int destination, long srcHi, long srcLo, long k4) {
        clearVerdictFields();
        fillKey(source, destination, srcHi, srcLo, flow.dstHi, flow.dstLo, k4);
        view.attempts = 1;
        view.firstSeenNanos = flow.timeNanos;
        view.lastSeenNanos = flow.timeNanos;
        view.observationPoint = flow.observationPoint;
        view.traceReason = flow.traceReason;
        view.interfaceName = flow.interfaceName;
    }

    private void fillFromPending(int slot) {
        clearVerdictFields();
        fillPendingDeparture(slot);
    }

    /** The departure's own fields, from pending departure {@code slot}; the verdict's fields are the caller's. */
    private void fillPendingDeparture(int slot) {
        fillKey(pending.slots, slot, pending.sourceNode[slot], pending.slots.lane(slot));
        view.attempts = pending.attempts[slot];
        view.firstSeenNanos = pending.firstSeenNanos[slot];
        view.lastSeenNanos = pending.firstSeenNanos[slot] + TimeUnit.MILLISECONDS.toNanos(pending.lastSeenDeltaMillis[slot]);
        view.observationPoint = pending.observationPoint[slot];
        view.traceReason = pending.traceReason[slot];
        view.interfaceName = pending.interfaceName[slot];
    }

    private void fillKey(KeyedSlots slots, int slot, int source, int destination) {
        fillKey(source, destination, slots.k0(slot), slots.k1(slot), slots.k2(slot), slots.k3(slot), slots.k4(slot));
    }

    /** What only some verdicts set: cleared before a departure's verdict, and no fields left to copy on read. */
    private void clearVerdictFields() {
        view.filledNow();
        view.arrivalNodeNanos = 0;
        view.dropReason = 0;
        view.roundTrip = false;
        view.destinationIdentity = 0;
        view.destinationReservedLabels = 0;
    }

    /** The key, the nodes and the window of the view; the evidence fields are the caller's. */
    private void fillKey(int source, int destination, long srcHi, long srcLo, long dstHi, long dstLo, long k4) {
        view.sourceNode = observers.dictionaryId(source);
        view.destinationNode = observers.dictionaryId(destination);
        view.family = FlowKey.family(k4);
        view.protocol = FlowKey.protocol(k4);
        view.kind = FlowKey.kind(k4);
        view.sourceHi = srcHi;
        view.sourceLo = srcLo;
        view.destinationHi = dstHi;
        view.destinationLo = dstLo;
        view.sourcePort = FlowKey.srcPort(k4);
        view.destinationPort = FlowKey.dstPort(k4);
        view.windowNanos = windowNanos;
    }
}
