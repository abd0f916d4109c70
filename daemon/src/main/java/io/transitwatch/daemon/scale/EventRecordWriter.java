package io.transitwatch.daemon.scale;

import static io.transitwatch.daemon.scale.EventRecordFormat.*;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Single-threaded: one writer per producing thread (the collector's join-side thread).
 *
 * <p>Encodes a {@link NodeEvent} (or a watermark heartbeat) into an event-topic record of
 * {@link EventRecordFormat} version 1, into a caller-owned buffer of at least
 * {@link EventRecordFormat#MAX_RECORD} bytes. Dictionary strings are kept as UTF-8 per id, so
 * writing an event allocates only when a name is seen for the first time (or its id was recycled
 * for another name).
 */
public final class EventRecordWriter {
    private final StringDictionary dictionary;
    private String[] cachedText = new String[256];
    private byte[][] cachedUtf8 = new byte[256][];
    private long truncatedStrings;

    public EventRecordWriter(StringDictionary dictionary) {
        this.dictionary = dictionary;
    }

    /**
     * Writes {@code event} (kind FLOW, LOST_EVENTS, NODE_UP, NODE_DOWN or GAP) as produced by the
     * collector of shard {@code shard}.
     *
     * @return the record's length in {@code out}
     * @throws IllegalArgumentException for a kind the event topic does not carry (node addresses and
     *     discovery snapshots stay in the process that made them)
     */
    public int writeEvent(NodeEvent event, int shard, byte[] out) {
        boolean flow = event.kind == NodeEvent.FLOW;
        if (!flow && !isStatus(event.kind)) {
            throw new IllegalArgumentException("event kind " + event.kind + " is not carried by the event topic");
        }
        int end = flow ? FLOW_END : STATUS_END;
        Arrays.fill(out, 0, end, (byte) 0);
        out[0] = (byte) VERSION;
        out[1] = (byte) TYPE_EVENT;
        putU16(out, 2, end - HEADER);
        out[OFF_KIND] = event.kind;
        out[OFF_FLAGS] = (byte) ((event.hasXlated ? FLAG_XLATED : 0) | (event.backfilled ? FLAG_BACKFILLED : 0)
                | (event.upAnnounced ? FLAG_UP_ANNOUNCED : 0));
        putU16(out, OFF_SHARD, shard);
        putLong(out, OFF_TIME, event.timeNanos);
        putLong(out, OFF_RECEIVED, event.receivedNanos);
        int at;
        if (flow) {
            out[OFF_VERDICT] = event.verdict;
            out[OFF_FLOW_TYPE] = event.flowType;
            putU16(out, OFF_OBSERVATION_POINT, event.observationPoint);
            out[OFF_TRACE_REASON] = event.traceReason;
            out[OFF_IS_REPLY] = event.isReply;
            out[OFF_IP_VERSION] = event.ipVersion;
            out[OFF_PROTOCOL] = event.protocol;
            putU16(out, OFF_SRC_PORT, event.srcPort);
            putU16(out, OFF_DST_PORT, event.dstPort);
            putU16(out, OFF_TCP_FLAGS, event.tcpFlags);
            out[OFF_SRC_LABELS] = event.srcReservedLabels;
            out[OFF_DST_LABELS] = event.dstReservedLabels;
            out[OFF_ICMP_TYPE] = (byte) event.icmpType;
            out[OFF_ICMP_CODE] = (byte) event.icmpCode;
            putInt(out, OFF_SRC_ENDPOINT, event.srcEndpointId);
            putInt(out, OFF_DST_ENDPOINT, event.dstEndpointId);
            putInt(out, OFF_SRC_IDENTITY, event.srcIdentity);
            putInt(out, OFF_DST_IDENTITY, event.dstIdentity);
            putInt(out, OFF_EVENT_TYPE, event.eventType);
            putInt(out, OFF_EVENT_SUB_TYPE, event.eventSubType);
            putInt(out, OFF_INTERFACE_INDEX, event.interfaceIndex);
            putInt(out, OFF_DROP_REASON, event.dropReason);
            putLong(out, OFF_SRC_HI, event.srcHi);
            putLong(out, OFF_SRC_LO, event.srcLo);
            putLong(out, OFF_DST_HI, event.dstHi);
            putLong(out, OFF_DST_LO, event.dstLo);
            putLong(out, OFF_XLATED_HI, event.xlatedHi);
            putLong(out, OFF_XLATED_LO, event.xlatedLo);
            putLong(out, OFF_UUID_HI, event.uuidHi);
            putLong(out, OFF_UUID_LO, event.uuidLo);
            at = string(event.node, out, end);
            at = string(event.srcNamespace, out, at);
            at = string(event.srcPod, out, at);
            at = string(event.srcWorkload, out, at);
            at = string(event.dstNamespace, out, at);
            at = string(event.dstPod, out, at);
            at = string(event.dstWorkload, out, at);
            at = string(event.interfaceName, out, at);
        } else {
            putLong(out, OFF_RESUMED_FROM, event.resumedFromNanos);
            out[OFF_LOST_SOURCE] = event.lostSource;
            putInt(out, OFF_LOST_CPU, event.lostCpu);
            putLong(out, OFF_LOST_COUNT, event.lostCount);
            putLong(out, OFF_LOST_FIRST, event.lostFirstNanos);
            putLong(out, OFF_LOST_LAST, event.lostLastNanos);
            putLong(out, OFF_GAP_START, event.gapStartNanos);
            putLong(out, OFF_GAP_END, event.gapEndNanos);
            at = string(event.node, out, end);
            at = string(event.reason, out, at);
        }
        return at;
    }

    /**
     * Writes a heartbeat of collector {@code member} (shard {@code shard} of {@code shards}): every
     * event of its nodes received before {@code watermarkNanos} (collector clock) is written before it.
     *
     * @param undeliveredSinceNanos the watermark of the collector's newest heartbeat in this partition
     *     that the broker had acknowledged, when this one's is more than {@link EventPublisher#UNDELIVERED_AFTER_NANOS}
     *     past it (its records here were held: a broker or partition outage); 0 otherwise
     * @return the record's length in {@code out}
     */
    public int writeHeartbeat(int shard, int shards, long watermarkNanos, long undeliveredSinceNanos, long sequence,
            byte[] memberUtf8, byte[] out) {
        Arrays.fill(out, 0, HEARTBEAT_END, (byte) 0);
        out[0] = (byte) VERSION;
        out[1] = (byte) TYPE_HEARTBEAT;
        putU16(out, 2, HEARTBEAT_END - HEADER);
        putU16(out, OFF_HB_SHARD, shard);
        putU16(out, OFF_HB_SHARDS, shards);
        putLong(out, OFF_HB_WATERMARK, watermarkNanos);
        putLong(out, OFF_HB_SEQUENCE, sequence);
        putLong(out, OFF_HB_UNDELIVERED_SINCE, undeliveredSinceNanos);
        return bytes(memberUtf8, out, HEARTBEAT_END);
    }

    /**
     * Writes that the view of {@code flow}'s node begins at that flow (its node-clock and receive
     * times; nothing else of the flow), written by collector shard {@code shard}.
     *
     * @return the record's length in {@code out}
     */
    public int writeViewBegins(NodeEvent flow, int shard, byte[] out) {
        Arrays.fill(out, 0, VIEW_BEGINS_END, (byte) 0);
        out[0] = (byte) VERSION;
        out[1] = (byte) TYPE_VIEW_BEGINS;
        putU16(out, 2, VIEW_BEGINS_END - HEADER);
        putU16(out, OFF_VB_SHARD, shard);
        putLong(out, OFF_VB_TIME, flow.timeNanos);
        putLong(out, OFF_VB_RECEIVED, flow.receivedNanos);
        return string(flow.node, out, VIEW_BEGINS_END);
    }

    /** Strings cut to {@link EventRecordFormat#MAX_STRING} bytes so far. */
    public long truncatedStrings() {
        return truncatedStrings;
    }

    static boolean isStatus(byte kind) {
        return kind == NodeEvent.LOST_EVENTS || kind == NodeEvent.NODE_UP || kind == NodeEvent.NODE_DOWN
                || kind == NodeEvent.GAP;
    }

    private int string(int id, byte[] out, int at) {
        return bytes(id == 0 ? null : utf8(id), out, at);
    }

    private int bytes(byte[] utf8, byte[] out, int at) {
        if (utf8 == null) {
            out[at] = 0;
            return at + 1;
        }
        int length = utf8.length;
        if (length > MAX_STRING) {
            length = MAX_STRING;
            while (length > 0 && (utf8[length] & 0xc0) == 0x80) {
                length--; // never cut inside a character: back to the start of the one that does not fit
            }
            truncatedStrings++;
        }
        out[at] = (byte) length;
        System.arraycopy(utf8, 0, out, at + 1, length);
        return at + 1 + length;
    }

    private byte[] utf8(int id) {
        String text = dictionary.get(id);
        if (text == null) {
            return null;
        }
        if (id >= cachedText.length) {
            int size = Math.max(id + 1, cachedText.length * 2);
            cachedText = Arrays.copyOf(cachedText, size);
            cachedUtf8 = Arrays.copyOf(cachedUtf8, size);
        }
        if (cachedText[id] != text) { // a recycled id names another string now
            cachedText[id] = text;
            cachedUtf8[id] = text.getBytes(StandardCharsets.UTF_8);
        }
        return cachedUtf8[id];
    }
}
