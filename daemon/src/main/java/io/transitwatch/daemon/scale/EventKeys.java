package io.transitwatch.daemon.scale;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.join.PacketKind;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.PrefixTable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.List;

/**
 * Single-threaded: one per producing thread (the two key buffers are reused for every event).
 *
 * <p>Which event-topic records a classified event becomes, and their Kafka keys, chosen so that
 * every pair of events the single-process join matches shares a partition under any partitioner
 * that is a function of the key (DESIGN §8, docs/event-topic.md):
 * <ul>
 *   <li>a <b>two-end</b> departure or arrival (DESIGN §3.1): the <i>tuple key</i>, the join's key
 *       without the packet kind and with its two endpoints in a fixed order — on-wire source
 *       ({@code source_xlated} if set) of a departure, source of an arrival — so that the departure
 *       and its arrival, and both directions of a connection (SYN, SYN-ACK and the first data that
 *       needs their handshake, DESIGN §3.8) land together;
 *   <li>a departure to a destination that reports no arrival (an excluded identity, or outside every
 *       configured pod CIDR: the join's round-trip rule, DESIGN §3.7): the <i>client key</i>
 *       (family, protocol, source IP — not xlated —, source port; ICMP without port);
 *   <li>a flow delivered to a local endpoint as a reply: the client key of its destination, where
 *       the round trip it may answer is; when it is also a two-end arrival, the tuple key as well
 *       (two records when the two keys fall into different partitions);
 *   <li>stream health (lost events, node up / down, gap): every partition, in the node's order;
 *   <li>anything else: no record (the join would ignore it; the collector counts it).
 * </ul>
 * Only configured pod CIDRs decide "outside": a collector sees one shard of the nodes, so it cannot
 * learn placements as the single process does (docs/event-topic.md, "Limits").
 */
public final class EventKeys {
    /** {@link #route} bit: the record goes out with {@link #tupleKey()}. */
    public static final int TUPLE = 1;
    /** {@link #route} bit: the record goes out with {@link #clientKey()}. */
    public static final int CLIENT = 2;
    /** {@link #route} result: the record goes to every partition (stream health). */
    public static final int EVERY_PARTITION = 4;
    /** {@link #route} result: no record. */
    public static final int NONE = 0;

    static final byte TUPLE_TAG = 'T';
    static final byte CLIENT_TAG = 'C';
    /** Tag, family, protocol, two endpoints of 16 address bytes and a port each. */
    public static final int TUPLE_KEY_LENGTH = 3 + 2 * 18;
    /** Tag, family, protocol, one endpoint. */
    public static final int CLIENT_KEY_LENGTH = 3 + 18;
    private static final int MAX_POINT = 128;

    private final boolean[] departurePoint = new boolean[MAX_POINT + 1];
    private final boolean[] arrivalPoint = new boolean[MAX_POINT + 1];
    private final boolean[] joinSafe = new boolean[PacketKind.COUNT];
    private final int[] excludedIdentities;
    private final PrefixTable podCidrs;
    private final byte[] tupleKey = new byte[TUPLE_KEY_LENGTH];
    private final byte[] clientKey = new byte[CLIENT_KEY_LENGTH];

    /**
     * @param config the join's configuration, as the correlators use it (points, join-safe kinds,
     *     identities without arrival events)
     * @param podCidrs every configured pod CIDR (empty: every destination is joined end to end
     *     unless its identity is excluded, as in the join)
     */
    public EventKeys(JoinConfig config, Collection<IpPrefix> podCidrs) {
        config.departurePoints().forEach(p -> departurePoint[Math.min(p, MAX_POINT)] = p <= MAX_POINT);
        config.arrivalPoints().forEach(p -> arrivalPoint[Math.min(p, MAX_POINT)] = p <= MAX_POINT);
        config.joinSafeKinds().forEach(k -> joinSafe[k] = true);
        this.excludedIdentities = config.excludedDestinationIdentities().stream().mapToInt(Integer::intValue)
                .sorted().toArray();
        List<IpPrefix> prefixes = new ArrayList<>(podCidrs);
        this.podCidrs = new PrefixTable(prefixes, Collections.nCopies(prefixes.size(), 1));
    }

    /**
     * Which records {@code event} becomes: {@link #NONE}, {@link #EVERY_PARTITION}, or a combination
     * of {@link #TUPLE} and {@link #CLIENT}, whose keys are then in {@link #tupleKey()} and
     * {@link #clientKey()} until the next call.
     */
    public int route(NodeEvent event) {
        if (EventRecordWriter.isStatus(event.kind)) {
            return EVERY_PARTITION;
        }
        if (event.kind != NodeEvent.FLOW || event.ipVersion == 0) {
            return NONE;
        }
        int point = Math.min(event.observationPoint & 0xffff, MAX_POINT);
        boolean forwarded = event.verdict == JoinConstants.VERDICT_FORWARDED;
        boolean dropped = event.verdict == JoinConstants.VERDICT_DROPPED;
        int kind = PacketKind.of(event);
        boolean safe = joinSafe[kind];
        int route = NONE;
        if (forwarded && departurePoint[point]) {
            if (!safe) {
                return NONE;
            }
            if (isExcluded(event.dstIdentity) || (!podCidrs.isEmpty() && podCidrs.lookup(event.dstHi, event.dstLo) == 0)) {
                writeClientKey(event, event.srcHi, event.srcLo, event.srcPort);
                return CLIENT;
            }
            long srcHi = event.hasXlated ? event.xlatedHi : event.srcHi;
            long srcLo = event.hasXlated ? event.xlatedLo : event.srcLo;
            writeTupleKey(event, srcHi, srcLo);
            return TUPLE;
        }
        if (safe && ((forwarded && arrivalPoint[point]) || dropped)) {
            writeTupleKey(event, event.srcHi, event.srcLo);
            route = TUPLE;
        }
        if (forwarded && event.observationPoint == JoinConstants.POINT_TO_ENDPOINT
                && (event.traceReason == JoinConstants.TRACE_REASON_REPLY || event.isReply == 1)) {
            writeClientKey(event, event.dstHi, event.dstLo, event.dstPort);
            route |= CLIENT;
        }
        return route;
    }

    /** The tuple key of the last {@link #route} that returned {@link #TUPLE}; reused, copy it to keep it. */
    public byte[] tupleKey() {
        return tupleKey;
    }

    /** The client key of the last {@link #route} that returned {@link #CLIENT}; reused, copy it to keep it. */
    public byte[] clientKey() {
        return clientKey;
    }

    private boolean isExcluded(int identity) {
        return (identity & JoinConstants.LOCAL_IDENTITY_FLAG) != 0 || Arrays.binarySearch(excludedIdentities, identity) >= 0;
    }

    private static boolean isIcmp(NodeEvent event) {
        return event.protocol == NodeEvent.PROTO_ICMPV4 || event.protocol == NodeEvent.PROTO_ICMPV6;
    }

    private void writeTupleKey(NodeEvent event, long srcHi, long srcLo) {
        boolean icmp = isIcmp(event);
        int srcPort = icmp ? 0 : event.srcPort;
        int dstPort = icmp ? 0 : event.dstPort; // the echo type differs per direction; the address pair suffices
        tupleKey[0] = TUPLE_TAG;
        tupleKey[1] = event.ipVersion;
        tupleKey[2] = event.protocol;
        if (compare(srcHi, srcLo, srcPort, event.dstHi, event.dstLo, dstPort) <= 0) {
            endpoint(tupleKey, 3, srcHi, srcLo, srcPort);
            endpoint(tupleKey, 21, event.dstHi, event.dstLo, dstPort);
        } else {
            endpoint(tupleKey, 3, event.dstHi, event.dstLo, dstPort);
            endpoint(tupleKey, 21, srcHi, srcLo, srcPort);
        }
    }

    private void writeClientKey(NodeEvent event, long hi, long lo, int port) {
        clientKey[0] = CLIENT_TAG;
        clientKey[1] = event.ipVersion;
        clientKey[2] = event.protocol;
        endpoint(clientKey, 3, hi, lo, isIcmp(event) ? 0 : port);
    }

    private static int compare(long aHi, long aLo, int aPort, long bHi, long bLo, int bPort) {
        int c = Long.compareUnsigned(aHi, bHi);
        if (c == 0) {
            c = Long.compareUnsigned(aLo, bLo);
        }
        return c != 0 ? c : Integer.compare(aPort, bPort);
    }

    private static void endpoint(byte[] key, int at, long hi, long lo, int port) {
        EventRecordFormat.putLong(key, at, hi);
        EventRecordFormat.putLong(key, at + 8, lo);
        EventRecordFormat.putU16(key, at + 16, port);
    }
}
