package io.transitwatch.daemon.scale;

import static io.transitwatch.daemon.scale.EventRecordFormat.*;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;

/**
 * Single-threaded: one reader per consuming thread (a correlator's join thread).
 *
 * <p>Decodes event-topic records ({@link EventRecordFormat}) into a {@link NodeEvent} slot, strings
 * interned into the reader's {@link StringDictionary}, or into the reader's heartbeat fields.
 * Allocates nothing once every name was seen. A record it cannot read is counted by reason and
 * reported as {@link #MALFORMED}, never thrown: bad input is skipped, the stream goes on.
 */
public final class EventRecordReader {
    /** {@link #read} result: the slot holds an event. */
    public static final int EVENT = TYPE_EVENT;
    /** {@link #read} result: {@link #heartbeatShard()} and the other heartbeat fields hold a heartbeat. */
    public static final int HEARTBEAT = TYPE_HEARTBEAT;
    /**
     * {@link #read} result: the slot holds a node's first flow after its stream came up, reduced to
     * its node and times (a FLOW without addresses: see {@link EventRecordFormat#TYPE_VIEW_BEGINS}).
     */
    public static final int VIEW_BEGINS = TYPE_VIEW_BEGINS;
    /** {@link #read} result: the record was skipped (counted in {@link #malformed}). */
    public static final int MALFORMED = -1;

    /** Why a record was skipped. */
    public enum Malformed {
        /** Shorter than its header, its fixed part or its strings say. */
        TRUNCATED,
        /** A format version this reader does not know (written by a newer or an incompatible collector). */
        UNKNOWN_VERSION,
        /** A record type this reader does not know. */
        UNKNOWN_TYPE,
        /** An event kind the topic does not carry, or a fixed part shorter than version 1's for it. */
        BAD_KIND,
        /** Field values no collector writes (IP version other than 0, 4, 6). */
        BAD_VALUE
    }

    private static final Malformed[] REASONS = Malformed.values();

    private final StringDictionary dictionary;
    private final long[] malformed = new long[REASONS.length];
    private final StringDictionary.Memo[] memos = new StringDictionary.Memo[FLOW_STRINGS];
    private int heartbeatShard;
    private int heartbeatShards;
    private long heartbeatWatermarkNanos;
    private long heartbeatSequence;
    private long heartbeatUndeliveredSinceNanos;
    private int heartbeatMember;
    private int eventShard;

    public EventRecordReader(StringDictionary dictionary) {
        this.dictionary = dictionary;
        for (int i = 0; i < memos.length; i++) {
            memos[i] = new StringDictionary.Memo();
        }
    }

    /**
     * Reads the record at {@code buffer[offset, offset + length)}.
     *
     * @param slot filled (after {@link NodeEvent#clear()}) when the record is an event or a view begins
     * @return {@link #EVENT}, {@link #HEARTBEAT}, {@link #VIEW_BEGINS} or {@link #MALFORMED}
     */
    public int read(byte[] buffer, int offset, int length, NodeEvent slot) {
        if (buffer == null || length < HEADER) {
            return skip(Malformed.TRUNCATED);
        }
        if (getU8(buffer, offset) != VERSION) {
            return skip(Malformed.UNKNOWN_VERSION);
        }
        int type = getU8(buffer, offset + 1);
        int fixedEnd = HEADER + getU16(buffer, offset + 2);
        if (fixedEnd > length) {
            return skip(Malformed.TRUNCATED);
        }
        if (type == TYPE_HEARTBEAT) {
            return readHeartbeat(buffer, offset, length, fixedEnd);
        }
        if (type == TYPE_VIEW_BEGINS) {
            return readViewBegins(buffer, offset, length, fixedEnd, slot);
        }
        if (type != TYPE_EVENT) {
            return skip(Malformed.UNKNOWN_TYPE);
        }
        byte kind = buffer[offset + OFF_KIND];
        boolean flow = kind == NodeEvent.FLOW;
        if (!flow && !EventRecordWriter.isStatus(kind) || fixedEnd < (flow ? FLOW_END : STATUS_END)) {
            return skip(Malformed.BAD_KIND);
        }
        int ipVersion = flow ? buffer[offset + OFF_IP_VERSION] : 0;
        if (ipVersion != 0 && ipVersion != 4 && ipVersion != 6) {
            return skip(Malformed.BAD_VALUE);
        }
        // Strings first: a truncated record must leave the slot as the caller handed it, not half filled.
        int strings = flow ? FLOW_STRINGS : STATUS_STRINGS;
        int end = offset + length;
        for (int i = 0, at = offset + fixedEnd; i < strings; i++) {
            if (at >= end || at + 1 + getU8(buffer, at) > end) {
                return skip(Malformed.TRUNCATED);
            }
            at += 1 + getU8(buffer, at);
        }
        slot.clear();
        slot.kind = kind;
        int flags = buffer[offset + OFF_FLAGS];
        slot.hasXlated = (flags & FLAG_XLATED) != 0;
        slot.backfilled = (flags & FLAG_BACKFILLED) != 0;
        slot.upAnnounced = (flags & FLAG_UP_ANNOUNCED) != 0;
        eventShard = getU16(buffer, offset + OFF_SHARD);
        slot.timeNanos = getLong(buffer, offset + OFF_TIME);
        slot.receivedNanos = getLong(buffer, offset + OFF_RECEIVED);
        int at = offset + fixedEnd;
        if (flow) {
            readFlow(buffer, offset, slot);
            at = string(buffer, at, 0);
            slot.node = lastId;
            at = string(buffer, at, 1);
            slot.srcNamespace = lastId;
            at = string(buffer, at, 2);
            slot.srcPod = lastId;
            at = string(buffer, at, 3);
            slot.srcWorkload = lastId;
            at = string(buffer, at, 4);
            slot.dstNamespace = lastId;
            at = string(buffer, at, 5);
            slot.dstPod = lastId;
            at = string(buffer, at, 6);
            slot.dstWorkload = lastId;
            string(buffer, at, 7);
            slot.interfaceName = lastId;
        } else {
            slot.resumedFromNanos = getLong(buffer, offset + OFF_RESUMED_FROM);
            slot.lostSource = buffer[offset + OFF_LOST_SOURCE];
            slot.lostCpu = getInt(buffer, offset + OFF_LOST_CPU);
            slot.lostCount = getLong(buffer, offset + OFF_LOST_COUNT);
            slot.lostFirstNanos = getLong(buffer, offset + OFF_LOST_FIRST);
            slot.lostLastNanos = getLong(buffer, offset + OFF_LOST_LAST);
            slot.gapStartNanos = getLong(buffer, offset + OFF_GAP_START);
            slot.gapEndNanos = getLong(buffer, offset + OFF_GAP_END);
            at = string(buffer, at, 0);
            slot.node = lastId;
            string(buffer, at, 1);
            slot.reason = lastId;
        }
        return EVENT;
    }

    private static void readFlow(byte[] buffer, int offset, NodeEvent slot) {
        slot.verdict = buffer[offset + OFF_VERDICT];
        slot.flowType = buffer[offset + OFF_FLOW_TYPE];
        slot.observationPoint = (short) getU16(buffer, offset + OFF_OBSERVATION_POINT);
        slot.traceReason = buffer[offset + OFF_TRACE_REASON];
        slot.isReply = buffer[offset + OFF_IS_REPLY];
        slot.ipVersion = buffer[offset + OFF_IP_VERSION];
        slot.protocol = buffer[offset + OFF_PROTOCOL];
        slot.srcPort = getU16(buffer, offset + OFF_SRC_PORT);
        slot.dstPort = getU16(buffer, offset + OFF_DST_PORT);
        slot.tcpFlags = (short) getU16(buffer, offset + OFF_TCP_FLAGS);
        slot.srcReservedLabels = buffer[offset + OFF_SRC_LABELS];
        slot.dstReservedLabels = buffer[offset + OFF_DST_LABELS];
        slot.icmpType = getU8(buffer, offset + OFF_ICMP_TYPE);
        slot.icmpCode = getU8(buffer, offset + OFF_ICMP_CODE);
        slot.srcEndpointId = getInt(buffer, offset + OFF_SRC_ENDPOINT);
        slot.dstEndpointId = getInt(buffer, offset + OFF_DST_ENDPOINT);
        slot.srcIdentity = getInt(buffer, offset + OFF_SRC_IDENTITY);
        slot.dstIdentity = getInt(buffer, offset + OFF_DST_IDENTITY);
        slot.eventType = getInt(buffer, offset + OFF_EVENT_TYPE);
        slot.eventSubType = getInt(buffer, offset + OFF_EVENT_SUB_TYPE);
        slot.interfaceIndex = getInt(buffer, offset + OFF_INTERFACE_INDEX);
        slot.dropReason = getInt(buffer, offset + OFF_DROP_REASON);
        slot.srcHi = getLong(buffer, offset + OFF_SRC_HI);
        slot.srcLo = getLong(buffer, offset + OFF_SRC_LO);
        slot.dstHi = getLong(buffer, offset + OFF_DST_HI);
        slot.dstLo = getLong(buffer, offset + OFF_DST_LO);
        slot.xlatedHi = getLong(buffer, offset + OFF_XLATED_HI);
        slot.xlatedLo = getLong(buffer, offset + OFF_XLATED_LO);
        slot.uuidHi = getLong(buffer, offset + OFF_UUID_HI);
        slot.uuidLo = getLong(buffer, offset + OFF_UUID_LO);
    }

    private int readViewBegins(byte[] buffer, int offset, int length, int fixedEnd, NodeEvent slot) {
        if (fixedEnd < VIEW_BEGINS_END) {
            return skip(Malformed.BAD_KIND);
        }
        int at = offset + fixedEnd;
        if (at >= offset + length || at + 1 + getU8(buffer, at) > offset + length) {
            return skip(Malformed.TRUNCATED);
        }
        slot.clear();
        // A flow without an IP version: the join reads only its node and times (clock, first event);
        // it is never classified, keyed, answered or learned from (FlowClassifier, Placements).
        slot.kind = NodeEvent.FLOW;
        eventShard = getU16(buffer, offset + OFF_VB_SHARD);
        slot.timeNanos = getLong(buffer, offset + OFF_VB_TIME);
        slot.receivedNanos = getLong(buffer, offset + OFF_VB_RECEIVED);
        string(buffer, at, 0);
        slot.node = lastId;
        return VIEW_BEGINS;
    }

    private int readHeartbeat(byte[] buffer, int offset, int length, int fixedEnd) {
        if (fixedEnd < HEARTBEAT_MIN_END) {
            return skip(Malformed.BAD_KIND);
        }
        int at = offset + fixedEnd;
        if (at >= offset + length || at + 1 + getU8(buffer, at) > offset + length) {
            return skip(Malformed.TRUNCATED);
        }
        heartbeatShard = getU16(buffer, offset + OFF_HB_SHARD);
        heartbeatShards = getU16(buffer, offset + OFF_HB_SHARDS);
        heartbeatWatermarkNanos = getLong(buffer, offset + OFF_HB_WATERMARK);
        heartbeatSequence = getLong(buffer, offset + OFF_HB_SEQUENCE);
        heartbeatUndeliveredSinceNanos =
                fixedEnd >= HEARTBEAT_END ? getLong(buffer, offset + OFF_HB_UNDELIVERED_SINCE) : 0;
        string(buffer, at, 0);
        heartbeatMember = lastId;
        return HEARTBEAT;
    }

    private int lastId;

    /** Interns the length-prefixed string at {@code at} into {@link #lastId}; returns the offset after it. */
    private int string(byte[] buffer, int at, int memo) {
        int length = getU8(buffer, at);
        lastId = length == 0 ? 0 : dictionary.intern(buffer, at + 1, length, memos[memo]);
        return at + 1 + length;
    }

    private int skip(Malformed reason) {
        malformed[reason.ordinal()]++;
        return MALFORMED;
    }

    /** Records skipped for {@code reason} since the start. */
    public long malformed(Malformed reason) {
        return malformed[reason.ordinal()];
    }

    /** Records skipped for any reason since the start. */
    public long malformedTotal() {
        long total = 0;
        for (long n : malformed) {
            total += n;
        }
        return total;
    }

    /** The shard of the collector that wrote the last event read. */
    public int eventShard() {
        return eventShard;
    }

    public int heartbeatShard() {
        return heartbeatShard;
    }

    public int heartbeatShards() {
        return heartbeatShards;
    }

    /** Collector clock, epoch nanoseconds: everything the collector received before it is written. */
    public long heartbeatWatermarkNanos() {
        return heartbeatWatermarkNanos;
    }

    public long heartbeatSequence() {
        return heartbeatSequence;
    }

    /**
     * Since when (the watermark of its newest heartbeat here the broker had acknowledged) the collector's
     * records to this partition were held undelivered when it wrote this heartbeat; 0 when they were not.
     */
    public long heartbeatUndeliveredSinceNanos() {
        return heartbeatUndeliveredSinceNanos;
    }

    /** The string of dictionary id {@code id} (a member name, a node), or null when it is not held. */
    public String name(int id) {
        return dictionary.get(id);
    }

    /** Dictionary id of the heartbeat's collector member name (0 when it had none). */
    public int heartbeatMember() {
        return heartbeatMember;
    }
}
