package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.topology.Topology;

/**
 * Single-threaded: used by the join thread only.
 *
 * <p>What time alone decides. A departure waits in its destination's lane until the destination's
 * watermark passes its deadline ({@code frame + W}, plus the destination's extra wait when its
 * clock is seen to run ahead of a peer's: {@link TransitBounds}); then it is LOST, or UNVERIFIED
 * when the destination's view was incomplete during its window, unless its arrival is found where
 * only a translation on the way put it (a service's port, the source node's address: MATCHED after
 * all). When the destination is down, was
 * never seen, or lags, the departure waits a bounded time past its deadline ({@code
 * join.down-grace}, {@code join.max-behind}) and is UNVERIFIED with that reason. Lanes are FIFO, so
 * each round looks at lane heads only. Remembered arrivals expire here too.
 */
final class Deadlines {
    private final JoinCounters counters;
    private final Topology topology;
    private final Observers observers;
    private final PendingDepartures pending;
    private final RememberedArrivals arrivals;
    private final Verdicts verdicts;
    private final ClientRequests requests;
    private final long windowNanos;
    private final long arrivalMemoryNanos;
    private final long slackNanos;
    private final long downGraceNanos;
    private final long maxBehindNanos;
    private long nowNanos;
    /** Arrivals older than this have had their expiry pass, wherever they sit in their lane. */
    private long arrivalHorizonNanos = Long.MIN_VALUE;

    Deadlines(JoinConfig config, JoinCounters counters, Topology topology, Observers observers,
            PendingDepartures pending, RememberedArrivals arrivals, Verdicts verdicts, ClientRequests requests) {
        this.counters = counters;
        this.topology = topology;
        this.observers = observers;
        this.pending = pending;
        this.arrivals = arrivals;
        this.verdicts = verdicts;
        this.requests = requests;
        this.windowNanos = config.window().toNanos();
        this.arrivalMemoryNanos = config.arrivalMemory().toNanos();
        this.slackNanos = config.watermarkSlack().toNanos();
        this.downGraceNanos = config.downGrace().toNanos();
        this.maxBehindNanos = config.maxBehind().toNanos();
    }

    void setTime(long epochNanos) {
        this.nowNanos = epochNanos;
    }

    /**
     * Decides, oldest first, up to {@code budget} departures waiting in {@code lane} (a destination
     * node) whose deadline its watermark has passed, or that waited too long for a node that is down,
     * never seen or behind. {@code caughtUp}: the hand-off ring was drained, so idle streams'
     * watermarks may advance with time.
     */
    int decideLane(int lane, boolean caughtUp, int budget) {
        int decided = 0;
        byte state = observers.beginDecisions(lane);
        long watermark = observers.watermark(lane, caughtUp);
        while (decided < budget) {
            int slot = pending.slots.oldest(lane);
            if (slot == KeyedSlots.NONE) {
                break;
            }
            long deadline = deadline(slot, lane);
            UnverifiedReason unverified;
            if (watermark >= deadline && state != ObserverHealth.NEVER_SEEN) {
                decideExpired(slot);
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
            verdicts.unverified(slot, unverified);
            pending.slots.remove(slot);
            decided++;
        }
        return decided;
    }

    /**
     * Decides pending departure {@code slot}, whose window the destination's watermark (or a late
     * arrival) has passed without its arrival under its own key: LOST, unless the destination's view
     * was incomplete during the window (UNVERIFIED) or the arrival is found translated on the way
     * (MATCHED or DROPPED_AT_DESTINATION: {@link #arrivedTranslated}, {@link #arrivedMasqueraded}).
     */
    void decideExpired(int slot) {
        int lane = pending.slots.lane(slot);
        // Check the destination's view from the earlier of the two placements (see placed()), and from
        // as early as this source's (or this pair's) arrivals are seen to lie before its departures.
        long start = pending.frameNanos[slot];
        long again = placed(slot);
        int source = pending.sourceNode[slot];
        int pair = counters.existingPairSlot(source, lane, FlowKey.family(pending.slots.k4(slot)));
        long from = Math.min(start, again) + observers.earliestArrival(source, lane, pair) - slackNanos;
        UnverifiedReason unverified = observers.incompleteDuring(lane, from, deadline(start, again, lane));
        if (unverified == null && (arrivedTranslated(slot, again, deadline(start, again, lane))
                || arrivedMasqueraded(slot, again, from, deadline(start, again, lane)))) {
            return;
        }
        if (unverified == null
                && arrivalMayBeForgotten(source, lane, pair, again, pending.arrivalHorizonWhenAdded(slot))) {
            unverified = UnverifiedReason.BEHIND; // came too late (a re-read, a lagging source) for an absence to count
        }
        if (unverified == null && requests.sentElsewhere(pending, slot)) {
            unverified = UnverifiedReason.REQUEST_UNSEEN; // translated on its way, not lost: see ClientRequests
        }
        if (unverified == null && topology.isVacantPodAddress(pending.slots.k2(slot), pending.slots.k3(slot))) {
            unverified = UnverifiedReason.NO_OBSERVER; // no pod has the address now: nothing there to report it
        }
        if (unverified == null) {
            verdicts.lost(slot);
        } else {
            verdicts.unverified(slot, unverified);
        }
        pending.slots.remove(slot);
    }

    /**
     * Decides pending departure {@code slot} MATCHED (or DROPPED_AT_DESTINATION) if it is a TCP reply
     * that arrived by {@code deadline} with its source translated back to a service's: per-packet load
     * balancing (kube-proxy replacement without socket LB for pods) gives the reply the service's port
     * at the client (hubble-api.md §4.1, §4.2), so its arrival was remembered under its key without
     * the source port ({@link RememberedArrivals#addTranslated}). Looked at only before a LOST, and
     * only while such arrivals are remembered at all.
     */
    private boolean arrivedTranslated(int slot, long placed, long deadline) {
        long k4 = pending.slots.k4(slot);
        if (FlowKey.protocol(k4) != NodeEvent.PROTO_TCP
                || FlowKey.kind(k4) == PacketKind.SYN || !arrivals.translatedSince(arrivalHorizonNanos)) {
            return false;
        }
        int arrived = arrivals.findTranslated(pending.slots, slot);
        if (!arrivedWithin(arrived, Long.MIN_VALUE, deadline)) {
            return false;
        }
        decideByArrival(slot, placed, arrived, false);
        return true;
    }

    /**
     * Decides pending departure {@code slot} MATCHED (or DROPPED_AT_DESTINATION) if its destination
     * received it between {@code from} and {@code deadline} from one of its source node's own
     * addresses: a pod's packet masqueraded on its way, as happens to pod-to-pod traffic in native
     * routing when {@code ipv4-native-routing-cidr} does not cover the destination (hubble-api.md
     * §4.1). The source reports the packet before SNAT (the pod's address, no {@code source_xlated}),
     * the destination after it (the node's address; SNAT keeps the source port when it can). When the
     * source also reports it after SNAT (bpf_host's SNAT path, §2.3 e), that report matched the arrival
     * and kept it claimed ({@link Observers#reportsEgressTwice}), or took this one's place if it came
     * second (TwoEndJoin): this one is the same packet. Without that report (the iptables path), this is
     * where the packet is found. Counted apart, so that the misconfiguration shows. Looked at only before
     * a LOST; a port SNAT changed still ends LOST, and a late arrival from the node's address gives no LATE.
     */
    private boolean arrivedMasqueraded(int slot, long placed, long from, long deadline) {
        int sourceId = observers.dictionaryId(pending.sourceNode[slot]);
        return arrivedFrom(topology.hostAddressesOf(sourceId, false), slot, placed, from, deadline)
                || arrivedFrom(topology.hostAddressesOf(sourceId, true), slot, placed, from, deadline);
    }

    private boolean arrivedFrom(long[] hosts, int slot, long placed, long from, long deadline) {
        KeyedSlots departures = pending.slots;
        for (int i = 0; i + 1 < hosts.length; i += 2) {
            int arrived = arrivals.slots.find(hosts[i], hosts[i + 1], departures.k2(slot), departures.k3(slot),
                    departures.k4(slot));
            if (!arrivedWithin(arrived, from, deadline)) {
                continue;
            }
            boolean sameReportAgain = arrivals.claimed[arrived];
            if (sameReportAgain && !observers.reportsEgressTwice(pending.sourceNode[slot])) {
                continue; // matched by another departure already
            }
            counters.increment(JoinCounters.Global.MATCHED_MASQUERADED);
            decideByArrival(slot, placed, arrived, sameReportAgain);
            return true;
        }
        return false;
    }

    /** Whether remembered arrival {@code arrived} (or NONE) is still current and came between {@code from} and {@code deadline}. */
    private boolean arrivedWithin(int arrived, long from, long deadline) {
        return arrived != KeyedSlots.NONE && !arrivalExpired(arrived) && arrivals.frameNanos[arrived] >= from
                && arrivals.frameNanos[arrived] <= deadline;
    }

    /**
     * Decides pending departure {@code slot} by remembered arrival {@code arrived}: MATCHED, or
     * DROPPED_AT_DESTINATION; the arrival is taken unless {@code keepArrival} (it stays claimed).
     */
    private void decideByArrival(int slot, long placed, int arrived, boolean keepArrival) {
        verdicts.arrived(slot, placed, arrivals.frameNanos[arrived], arrivals.nodeNanos[arrived],
                arrivals.dropped[arrived], arrivals.dropReason[arrived], !arrivals.ambiguous[arrived]);
        if (!keepArrival) {
            arrivals.slots.remove(arrived);
        }
        pending.slots.remove(slot);
    }

    /** Until when pending departure {@code slot}, in {@code lane}, waits for its arrival on the time line. */
    private long deadline(int slot, int lane) {
        return deadline(pending.frameNanos[slot], placed(slot), lane);
    }

    /** {@link #deadline(int, int)} of a departure whose stored frame and {@link #placed} frame are known. */
    private long deadline(long frame, long placed, int lane) {
        return Math.max(frame, placed) + windowNanos + observers.extraWait(lane);
    }

    /**
     * The pending departure's frame time with the source's clock offset as known now. Its stored frame
     * used the estimate of when it came, which a stream's first events can put hundreds of ms off
     * (they may wait in Relay's sort buffer); times compared with each other must use the same estimate.
     */
    long placed(int slot) {
        return observers.frameTime(pending.sourceNode[slot], pending.firstSeenNanos[slot]);
    }

    /** Makes room in a full pending table: its oldest departure is UNVERIFIED(CAPACITY). */
    void evictOldest() {
        int oldest = pending.oldestOverall(observers.count());
        counters.increment(JoinCounters.Global.PENDING_EVICTED);
        verdicts.unverified(oldest, UnverifiedReason.CAPACITY);
        pending.slots.remove(oldest);
    }

    /**
     * Whether the remembered arrival in {@code slot} is past the last expiry pass's horizon. The lane
     * expires from its head only, and a backfilled arrival is inserted behind newer ones (its frame
     * time is older than theirs), so it can outlive its horizon there; it must then neither match a
     * departure nor make a new arrival of its tuple a duplicate.
     */
    boolean arrivalExpired(int slot) {
        return arrivals.frameNanos[slot] < arrivalHorizonNanos;
    }

    /**
     * The remembered arrival of key {@code (k0 .. k4)} that a departure takes, given {@code arrived}, the first
     * one a probe found (or NONE): of a key held more than once (echo requests, {@link
     * RememberedArrivals#ambiguous}) the oldest. One past the arrival memory (an earlier packet of the key,
     * forgotten late: found before the expiry pass reached it) is forgotten here, and the next is looked at.
     */
    int currentArrival(int arrived, long k0, long k1, long k2, long k3, long k4) {
        int current = arrived;
        while (current != KeyedSlots.NONE) {
            if (arrivals.ambiguous[current]) {
                current = arrivals.slots.findLeast(k0, k1, k2, k3, k4, arrivals.frameNanos);
            }
            if (!arrivalExpired(current)) {
                return current;
            }
            arrivals.slots.remove(current);
            counters.increment(JoinCounters.Global.ARRIVALS_EXPIRED);
            current = arrivals.slots.find(k0, k1, k2, k3, k4);
        }
        return KeyedSlots.NONE;
    }

    /** Remembered arrivals before this frame time have been forgotten ({@link Long#MIN_VALUE} before the first expiry pass). */
    long arrivalHorizon() {
        return arrivalHorizonNanos;
    }

    /**
     * Whether the arrival of a departure of {@code source} to {@code destination} (pair slot {@code
     * pair}, or -1), placed at {@code placed} (with the source's offset as known now), may lie before
     * {@code horizon}, where remembered arrivals had been forgotten before the departure came: it may
     * lie as far before the departure as {@link Observers#earliestArrivalWithinWindow} says now, so its
     * absence means nothing. TwoEndJoin asks when the departure comes; a pending departure is asked
     * again when its window has passed, with the horizon of when it came, because its source may be
     * seen only later to report its arrivals that much earlier: the first departures a reconnect's
     * backfill re-reads, before the matches of the next ones show the source's frame times late.
     */
    boolean arrivalMayBeForgotten(int source, int destination, int pair, long placed, long horizon) {
        if (placed - windowNanos - slackNanos >= horizon) {
            return false; // the usual case; sound because earliestArrivalWithinWindow is never below -W
        }
        return placed + observers.earliestArrivalWithinWindow(source, destination, pair) - slackNanos < horizon;
    }

    /** Forgets remembered arrivals older than W + arrival memory, at most {@code budget}. */
    int expireArrivals(int budget) {
        arrivalHorizonNanos = nowNanos - windowNanos - arrivalMemoryNanos;
        int expired = arrivals.slots.removeOlderThan(arrivals.frameNanos, 1, arrivalHorizonNanos, budget);
        counters.add(JoinCounters.Global.ARRIVALS_EXPIRED, expired);
        return expired;
    }
}
