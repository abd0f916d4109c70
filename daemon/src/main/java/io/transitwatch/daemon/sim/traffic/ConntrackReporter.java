package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.sim.MonitorFlags;
import io.transitwatch.proto.flow.TraceReason;
import java.util.HashMap;
import java.util.Map;

/**
 * Single-threaded: owned by the traffic thread. One node's conntrack-driven trace aggregation under
 * {@code monitorAggregation: medium} (hubble-api.md §3.2): a packet is reported when it creates a
 * CT entry, carries a flag of {@code monitor-aggregation-flags} not yet seen in its direction (agent
 * default {@code syn,fin,rst}; Helm's {@code all} adds each direction's first ACK and first PSH
 * segment, DESIGN §3.8), carries FIN or RST (always), or comes more than
 * {@link #REPORT_INTERVAL_NANOS} after the last report in its direction.
 *
 * <p>A CT entry belongs to one endpoint's view of one conversation: the client's egress entry on
 * the client's node, the server's ingress entry on the server's node (two distinct entries even on
 * the same node). Each keeps separate state for the original and the reply direction.
 */
final class ConntrackReporter {
    static final long REPORT_INTERVAL_NANOS = 5_000_000_000L;
    static final int FIN = 1;
    static final int SYN = 1 << 1;
    static final int RST = 1 << 2;
    static final int PSH = 1 << 3;
    static final int ACK = 1 << 4;
    private static final int AGENT_DEFAULT_FLAGS = SYN | FIN | RST;
    private static final int ALL_FLAGS = SYN | FIN | RST | PSH | ACK;

    private final Map<Long, Entry> entries = new HashMap<>();
    private final int reportFlags;

    ConntrackReporter(MonitorFlags flags) {
        this.reportFlags = flags.reportsFirstData() ? ALL_FLAGS : AGENT_DEFAULT_FLAGS;
    }

    /**
     * Runs the CT lookup for one packet and says how Hubble reports it.
     *
     * @param entryKey identifies the CT entry (conversation and owning side)
     * @param reply    the packet travels in the entry's reply direction
     * @return the trace reason of the emitted event, or {@code null} when aggregation suppresses it
     */
    TraceReason lookup(long entryKey, boolean reply, int tcpFlags, long nowNanos) {
        Entry entry = entries.get(entryKey);
        if (entry == null) {
            entry = new Entry();
            entries.put(entryKey, entry);
            entry.record(reply, tcpFlags, nowNanos, true);
            return reply ? TraceReason.REPLY : TraceReason.NEW;
        }
        boolean newFlags = (tcpFlags & reportFlags & ~entry.seenFlags(reply)) != 0;
        boolean closing = (tcpFlags & (FIN | RST)) != 0;
        boolean intervalDue = nowNanos > entry.lastReport(reply) + REPORT_INTERVAL_NANOS;
        boolean report = newFlags || closing || intervalDue;
        entry.record(reply, tcpFlags, nowNanos, report);
        if (!report) {
            return null;
        }
        return reply ? TraceReason.REPLY : TraceReason.ESTABLISHED;
    }

    /** The conversation is over: its entries are garbage-collected. */
    void forget(long entryKey) {
        entries.remove(entryKey);
    }

    int size() {
        return entries.size();
    }

    private static final class Entry {
        private int originalFlags;
        private int replyFlags;
        private long originalLastReport = Long.MIN_VALUE / 2;
        private long replyLastReport = Long.MIN_VALUE / 2;

        int seenFlags(boolean reply) {
            return reply ? replyFlags : originalFlags;
        }

        long lastReport(boolean reply) {
            return reply ? replyLastReport : originalLastReport;
        }

        void record(boolean reply, int flags, long nowNanos, boolean reported) {
            if (reply) {
                replyFlags |= flags;
                replyLastReport = reported ? nowNanos : replyLastReport;
            } else {
                originalFlags |= flags;
                originalLastReport = reported ? nowNanos : originalLastReport;
            }
        }
    }
}
