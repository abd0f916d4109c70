package io.transitwatch.bench.baseline;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.NodeEventHandler;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.PacketKind;
import io.transitwatch.daemon.topology.IpPrefix;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * Single-threaded, like the engine: one thread calls {@link #onEvent} and {@link #advance}.
 *
 * <p>The baseline of DESIGN §5: the departure/arrival join written the way a competent engineer
 * would write it first, with the JDK collections — one record key and one entry object per event,
 * a {@code HashMap<FlowKey, PendingEntry>}, a {@code PriorityQueue} of deadlines for scheduled
 * expiry (lazy deletion: a matched entry is flagged, not searched for in the queue), remembered
 * arrivals in a second map with a FIFO, learned IP placements in a {@code HashMap} of records, and
 * per node-pair statistics in a map. It is not a straw man: no O(n) removals, no strings built per
 * event, no locks, no logging.
 *
 * <p>Same rules as {@link io.transitwatch.daemon.join.JoinEngine} for what the benchmark stream
 * contains: the classification of DESIGN §3.1 (departure and arrival points, join-safe packet kinds,
 * excluded identities, destination on another node), the key of §3.2 (on-wire source after SNAT),
 * retransmissions as attempts, arrivals received before their departure, MATCHED / DROPPED on
 * arrival, LOST_IN_TRANSIT once the window has passed. It keeps time on the daemon's receive clock,
 * which is skew-free, instead of per-node clock offsets and watermarks, and it has no notion of
 * observer health (no UNVERIFIED): the stream has no outages, so the verdicts are the same.
 */
public final class HashMapJoin implements NodeEventHandler {
    /** The join key of DESIGN §3.2, one object per event. */
    record FlowKey(int family, long srcHi, long srcLo, long dstHi, long dstLo, int srcPort, int dstPort,
            int protocol, int kind) {}

    record IpAddress(long hi, long lo) {}

    record Placement(int node, int namespace, int pod, int workload, int identity) {}

    record NodePair(int sourceNode, int destinationNode, int family) {}

    static final class PendingEntry {
        final FlowKey key;
        final int sourceNode;
        final int destinationNode;
        final long receivedNanos;
        final long firstSeenNanos;
        final long deadlineNanos;
        final int observationPoint;
        final int traceReason;
        final int interfaceName;
        long lastSeenNanos;
        int attempts = 1;
        boolean decided;

        PendingEntry(FlowKey key, NodeEvent departure, int destinationNode, long deadlineNanos) {
            this.key = key;
            this.sourceNode = departure.node;
            this.destinationNode = destinationNode;
            this.receivedNanos = departure.receivedNanos;
            this.firstSeenNanos = departure.timeNanos;
            this.lastSeenNanos = departure.timeNanos;
            this.deadlineNanos = deadlineNanos;
            this.observationPoint = departure.observationPoint;
            this.traceReason = departure.traceReason;
            this.interfaceName = departure.interfaceName;
        }

        long deadlineNanos() {
            return deadlineNanos;
        }
    }

    record RememberedArrival(FlowKey key, int node, long receivedNanos, long nodeNanos, boolean dropped,
            int dropReason, long forgetAtNanos) {}

    static final class PairStats {
        long departures;
        long matched;
        long lost;
        long dropped;
        long transitNanosSum;
        final long[] transitBuckets = new long[JoinCounters.DELAY_BUCKETS_NANOS.length + 1];
    }

    /** Told of each LOST verdict as {@link #advance} decides it (the end-to-end harness times them). */
    @FunctionalInterface
    public interface LostListener {
        /** @param firstSeenNanos the departure's {@code Flow.time}, on its node's clock */
        void onLost(int sourceNode, long firstSeenNanos, long decidedAtNanos);
    }

    private final JoinConfig config;
    private final long windowNanos;
    private final long arrivalMemoryNanos;
    private final List<IpPrefix> podCidrs = new ArrayList<>();
    private final List<Integer> podCidrNodes = new ArrayList<>();
    private final Map<FlowKey, PendingEntry> pending = new HashMap<>();
    private final PriorityQueue<PendingEntry> expiry =
            new PriorityQueue<>(Comparator.comparingLong(PendingEntry::deadlineNanos));
    private final Map<FlowKey, RememberedArrival> arrivals = new HashMap<>();
    private final ArrayDeque<RememberedArrival> arrivalExpiry = new ArrayDeque<>();
    private final Map<IpAddress, Placement> placements = new HashMap<>();
    private final Map<NodePair, PairStats> pairs = new HashMap<>();

    private LostListener lostListener = (sourceNode, firstSeenNanos, decidedAtNanos) -> { };
    private long matched;
    private long lost;
    private long dropped;
    private long departures;
    private long retransmissions;
    private long ignored;
    private long lostAttempts;

    /**
     * @param podCidrs pod CIDRs per node dictionary id, as in the configuration
     */
    public HashMapJoin(JoinConfig config, Map<Integer, List<String>> podCidrs) {
        this.config = config;
        this.windowNanos = config.window().toNanos();
        this.arrivalMemoryNanos = config.arrivalMemory().toNanos();
        podCidrs.forEach((node, cidrs) -> cidrs.forEach(cidr -> {
            this.podCidrs.add(IpPrefix.parse(cidr));
            this.podCidrNodes.add(node);
        }));
    }

    @Override
    public void onEvent(NodeEvent event, boolean endOfBatch) {
        if (event.kind != NodeEvent.FLOW || event.ipVersion == 0) {
            return;
        }
        learnPlacements(event);
        boolean forwarded = event.verdict == JoinConstants.VERDICT_FORWARDED;
        boolean droppedHere = event.verdict == JoinConstants.VERDICT_DROPPED;
        int point = event.observationPoint;
        boolean departure = forwarded && config.departurePoints().contains(point);
        boolean arrival = (forwarded && config.arrivalPoints().contains(point)) || droppedHere;
        int kind = PacketKind.of(event);
        if ((!departure && !arrival) || !config.joinSafeKinds().contains(kind)) {
            ignored++;
            return;
        }
        if (departure) {
            onDeparture(event, kind);
        } else {
            onArrival(event, kind, droppedHere);
        }
    }

    public void setLostListener(LostListener listener) {
        this.lostListener = listener;
    }

    /** Declares LOST every pending departure whose window ended by {@code nowNanos}; forgets old arrivals. */
    public int advance(long nowNanos) {
        int work = 0;
        while (!expiry.isEmpty() && expiry.peek().deadlineNanos <= nowNanos) {
            PendingEntry entry = expiry.poll();
            work++;
            if (entry.decided) {
                continue; // matched earlier; lazily dropped from the queue here
            }
            pending.remove(entry.key);
            entry.decided = true;
            lost++;
            lostAttempts += entry.attempts;
            pairStats(entry.sourceNode, entry.destinationNode, entry.key.family()).lost++;
            lostListener.onLost(entry.sourceNode, entry.firstSeenNanos, nowNanos);
        }
        while (!arrivalExpiry.isEmpty() && arrivalExpiry.peekFirst().forgetAtNanos() <= nowNanos) {
            RememberedArrival old = arrivalExpiry.pollFirst();
            arrivals.remove(old.key(), old);
            work++;
        }
        return work;
    }

    private void onDeparture(NodeEvent event, int kind) {
        if (config.excludedDestinationIdentities().contains(event.dstIdentity)) {
            ignored++;
            return;
        }
        int destinationNode = nodeOf(event.dstHi, event.dstLo);
        if (destinationNode == 0 || destinationNode == event.node) {
            ignored++;
            return;
        }
        FlowKey key = new FlowKey(event.ipVersion,
                event.hasXlated ? event.xlatedHi : event.srcHi, event.hasXlated ? event.xlatedLo : event.srcLo,
                event.dstHi, event.dstLo, icmp(event) ? 0 : event.srcPort,
                icmp(event) ? event.icmpType : event.dstPort, event.protocol & 0xff, kind);
        boolean retransmission = kind == PacketKind.SYN
                && event.traceReason == JoinConstants.TRACE_REASON_ESTABLISHED;
        PendingEntry waiting = pending.get(key);
        if (waiting != null) {
            if (retransmission) {
                retransmissions++;
                waiting.attempts++;
                waiting.lastSeenNanos = event.timeNanos;
            }
            return;
        }
        if (retransmission) {
            ignored++; // a retransmission of nothing we are waiting for
            return;
        }
        departures++;
        pairStats(event.node, destinationNode, event.ipVersion).departures++;
        RememberedArrival arrived = arrivals.remove(key);
        if (arrived != null) {
            decide(event.node, destinationNode, event.ipVersion, event.receivedNanos, arrived.receivedNanos(),
                    arrived.dropped());
            return;
        }
        PendingEntry entry = new PendingEntry(key, event, destinationNode, event.receivedNanos + windowNanos);
        pending.put(key, entry);
        expiry.add(entry);
    }

    private void onArrival(NodeEvent event, int kind, boolean droppedHere) {
        if (nodeOf(event.srcHi, event.srcLo) == event.node) {
            ignored++; // same-node traffic never has a departure
            return;
        }
        FlowKey key = new FlowKey(event.ipVersion, event.srcHi, event.srcLo, event.dstHi, event.dstLo,
                icmp(event) ? 0 : event.srcPort, icmp(event) ? event.icmpType : event.dstPort,
                event.protocol & 0xff, kind);
        PendingEntry waiting = pending.remove(key);
        if (waiting != null) {
            waiting.decided = true;
            decide(waiting.sourceNode, waiting.destinationNode, key.family(), waiting.receivedNanos,
                    event.receivedNanos, droppedHere);
            return;
        }
        if (!arrivals.containsKey(key)) {
            RememberedArrival remembered = new RememberedArrival(key, event.node, event.receivedNanos,
                    event.timeNanos, droppedHere, event.dropReason,
                    event.receivedNanos + windowNanos + arrivalMemoryNanos);
            arrivals.put(key, remembered);
            arrivalExpiry.addLast(remembered);
        }
    }

    private void decide(int sourceNode, int destinationNode, int family, long departedNanos, long arrivedNanos,
            boolean droppedThere) {
        PairStats stats = pairStats(sourceNode, destinationNode, family);
        if (droppedThere) {
            dropped++;
            stats.dropped++;
            return;
        }
        matched++;
        stats.matched++;
        long transit = Math.max(0, arrivedNanos - departedNanos);
        stats.transitNanosSum += transit;
        int bucket = 0;
        while (bucket < JoinCounters.DELAY_BUCKETS_NANOS.length && transit > JoinCounters.DELAY_BUCKETS_NANOS[bucket]) {
            bucket++;
        }
        stats.transitBuckets[bucket]++;
    }

    private PairStats pairStats(int sourceNode, int destinationNode, int family) {
        return pairs.computeIfAbsent(new NodePair(sourceNode, destinationNode, family), pair -> new PairStats());
    }

    /** The node an address lives on: configured pod CIDRs first, then what the streams taught us; 0 if unknown. */
    private int nodeOf(long hi, long lo) {
        for (int i = 0; i < podCidrs.size(); i++) {
            if (podCidrs.get(i).contains(hi, lo)) {
                return podCidrNodes.get(i);
            }
        }
        Placement placement = placements.get(new IpAddress(hi, lo));
        return placement == null ? 0 : placement.node();
    }

    /** DESIGN §3.4: a local endpoint places its IP on the observing node; names are kept for alerts. */
    private void learnPlacements(NodeEvent event) {
        boolean toEndpoint = event.verdict == JoinConstants.VERDICT_FORWARDED
                && event.observationPoint == JoinConstants.POINT_TO_ENDPOINT && event.dstEndpointId != 0;
        if (toEndpoint || event.dstPod != 0) {
            learn(event.dstHi, event.dstLo, toEndpoint ? event.node : 0, event.dstNamespace, event.dstPod,
                    event.dstWorkload, event.dstIdentity);
        }
        if (event.srcEndpointId != 0 || event.srcPod != 0) {
            learn(event.srcHi, event.srcLo, event.srcEndpointId != 0 ? event.node : 0, event.srcNamespace,
                    event.srcPod, event.srcWorkload, event.srcIdentity);
        }
    }

    private void learn(long hi, long lo, int node, int namespace, int pod, int workload, int identity) {
        IpAddress ip = new IpAddress(hi, lo);
        Placement known = placements.get(ip);
        int placedOn = node != 0 ? node : known == null ? 0 : known.node();
        placements.put(ip, new Placement(placedOn, namespace, pod, workload, identity));
    }

    private static boolean icmp(NodeEvent event) {
        return event.protocol == NodeEvent.PROTO_ICMPV4 || event.protocol == NodeEvent.PROTO_ICMPV6;
    }

    public long matched() {
        return matched;
    }

    public long lost() {
        return lost;
    }

    public long dropped() {
        return dropped;
    }

    public long departures() {
        return departures;
    }

    public long retransmissions() {
        return retransmissions;
    }

    public long ignored() {
        return ignored;
    }

    /** Sum of attempts over the departures declared lost. */
    public long lostAttempts() {
        return lostAttempts;
    }

    public int pendingCount() {
        return pending.size();
    }
}
