package io.transitwatch.daemon.scale;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/**
 * Stateless: constants and big-endian accessors of the event topic's binary records, version 1
 * (docs/event-topic.md is the specification; this class is its one implementation).
 *
 * <p>Every record starts with the same four bytes: format version, record type, and the length of
 * the fixed part that follows them. A reader skips fixed fields it does not know (a longer fixed
 * part of the same version) and ignores strings after the ones it knows, so fields are added at
 * the end without a version bump; anything else bumps the version, and a reader counts and skips
 * records of a version it does not know.
 */
public final class EventRecordFormat {
    /** The format version this code writes and reads. */
    public static final int VERSION = 1;

    /** A classified join event of one node (flow, lost events, node up / down, gap). */
    public static final int TYPE_EVENT = 1;
    /** A collector's watermark heartbeat: everything of its nodes received up to the watermark is written. */
    public static final int TYPE_HEARTBEAT = 2;
    /**
     * A node's view begins: the time of its first flow after its stream came up, written into every
     * partition, so that each partition's join sees the node's view begin where the single process does.
     */
    public static final int TYPE_VIEW_BEGINS = 3;

    static final int HEADER = 4;

    // ---- common to every event record ----
    static final int OFF_KIND = 4;
    static final int OFF_FLAGS = 5;
    static final int OFF_SHARD = 6;
    static final int OFF_TIME = 8;
    static final int OFF_RECEIVED = 16;
    static final int OFF_VERDICT = 24;
    static final int OFF_FLOW_TYPE = 25;
    static final int OFF_OBSERVATION_POINT = 26;
    static final int OFF_TRACE_REASON = 28;
    static final int OFF_IS_REPLY = 29;
    static final int OFF_IP_VERSION = 30;
    static final int OFF_PROTOCOL = 31;
    static final int OFF_SRC_PORT = 32;
    static final int OFF_DST_PORT = 34;
    static final int OFF_TCP_FLAGS = 36;
    static final int OFF_SRC_LABELS = 38;
    static final int OFF_DST_LABELS = 39;

    // ---- FLOW block ----
    static final int OFF_ICMP_TYPE = 40;
    static final int OFF_ICMP_CODE = 41;
    static final int OFF_SRC_ENDPOINT = 44;
    static final int OFF_DST_ENDPOINT = 48;
    static final int OFF_SRC_IDENTITY = 52;
    static final int OFF_DST_IDENTITY = 56;
    static final int OFF_EVENT_TYPE = 60;
    static final int OFF_EVENT_SUB_TYPE = 64;
    static final int OFF_INTERFACE_INDEX = 68;
    static final int OFF_DROP_REASON = 72;
    static final int OFF_SRC_HI = 80;
    static final int OFF_SRC_LO = 88;
    static final int OFF_DST_HI = 96;
    static final int OFF_DST_LO = 104;
    static final int OFF_XLATED_HI = 112;
    static final int OFF_XLATED_LO = 120;
    static final int OFF_UUID_HI = 128;
    static final int OFF_UUID_LO = 136;
    /** End of a FLOW record's fixed part in version 1; its strings follow. */
    static final int FLOW_END = 144;
    /** Strings of a FLOW record, in order: node, source namespace, pod, workload, destination namespace, pod, workload, interface. */
    static final int FLOW_STRINGS = 8;

    // ---- status block (LOST_EVENTS, NODE_UP, NODE_DOWN, GAP) ----
    /** NODE_UP: {@code resumedFromNanos}, in the flow block's place (a status record's bytes 24-39 were reserved, 0). */
    static final int OFF_RESUMED_FROM = 24;
    static final int OFF_LOST_SOURCE = 40;
    static final int OFF_LOST_CPU = 44;
    static final int OFF_LOST_COUNT = 48;
    static final int OFF_LOST_FIRST = 56;
    static final int OFF_LOST_LAST = 64;
    static final int OFF_GAP_START = 72;
    static final int OFF_GAP_END = 80;
    /** End of a status record's fixed part in version 1; its strings follow. */
    static final int STATUS_END = 88;
    /** Strings of a status record, in order: node, reason. */
    static final int STATUS_STRINGS = 2;

    // ---- heartbeat ----
    static final int OFF_HB_SHARD = 4;
    static final int OFF_HB_SHARDS = 6;
    static final int OFF_HB_WATERMARK = 8;
    static final int OFF_HB_SEQUENCE = 16;
    static final int OFF_HB_UNDELIVERED_SINCE = 24;
    /** End of the fixed part of a heartbeat written before the undelivered-since field; readers take it as 0. */
    static final int HEARTBEAT_MIN_END = 24;
    /** End of a heartbeat's fixed part in version 1 as written now; one string follows: the collector's member name. */
    static final int HEARTBEAT_END = 32;

    // ---- view begins ----
    static final int OFF_VB_SHARD = 4;
    static final int OFF_VB_TIME = 8;
    static final int OFF_VB_RECEIVED = 16;
    /** End of a view-begins record's fixed part in version 1; one string follows: the node's name. */
    static final int VIEW_BEGINS_END = 24;

    // flag bits of OFF_FLAGS
    static final int FLAG_XLATED = 1;
    static final int FLAG_BACKFILLED = 1 << 1;
    static final int FLAG_UP_ANNOUNCED = 1 << 2;

    /** Longest string a record carries, in UTF-8 bytes (one length byte); longer ones are cut at a character boundary. */
    public static final int MAX_STRING = 255;
    /** Largest record this version writes. */
    public static final int MAX_RECORD = FLOW_END + FLOW_STRINGS * (1 + MAX_STRING);

    private static final VarHandle LONG = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INT = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle SHORT = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.BIG_ENDIAN);

    private EventRecordFormat() {}

    static long getLong(byte[] b, int at) {
        return (long) LONG.get(b, at);
    }

    static void putLong(byte[] b, int at, long v) {
        LONG.set(b, at, v);
    }

    static int getInt(byte[] b, int at) {
        return (int) INT.get(b, at);
    }

    static void putInt(byte[] b, int at, int v) {
        INT.set(b, at, v);
    }

    static int getU16(byte[] b, int at) {
        return ((short) SHORT.get(b, at)) & 0xffff;
    }

    static void putU16(byte[] b, int at, int v) {
        SHORT.set(b, at, (short) v);
    }

    static int getU8(byte[] b, int at) {
        return b[at] & 0xff;
    }
}
