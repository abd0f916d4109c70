package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;

/**
 * Single-threaded: used by the join thread only.
 *
 * <p>Departures that report again a packet the join already has (DESIGN §3.1): a SYN retransmitted
 * with {@code trace_reason} ESTABLISHED, a duplicate report, a SYN-ACK answering a retransmitted SYN.
 * They add an attempt to the entry of their key and never start a new one.
 */
final class RepeatedReports {
    private final JoinCounters counters;
    private final PendingDepartures pending;
    private final LostHistory lost;

    RepeatedReports(JoinCounters counters, PendingDepartures pending, LostHistory lost) {
        this.counters = counters;
        this.pending = pending;
        this.lost = lost;
    }

    /**
     * Whether the departure reports again a packet the join already has: a retransmitted SYN (an
     * attempt of the pending or lost entry of its key), a duplicate report, or a SYN-ACK answering a
     * retransmitted SYN after its tuple was declared lost. Counted. {@code waiting}: the pending entry
     * of its key, or {@link KeyedSlots#NONE} (the caller probed for it with the key's {@code hash}).
     */
    boolean isRepeated(NodeEvent flow, int kind, int hash, long srcHi, long srcLo, long k4, int waiting) {
        boolean retransmission = kind == PacketKind.SYN && flow.traceReason == JoinConstants.TRACE_REASON_ESTABLISHED;
        if (waiting != KeyedSlots.NONE) {
            if (retransmission) {
                counters.increment(JoinCounters.Global.RETRANSMISSIONS);
                pending.retransmitted(waiting, flow.timeNanos);
            } else {
                counters.increment(JoinCounters.Global.DUPLICATE_DEPARTURES);
            }
            return true;
        }
        if (retransmission || kind == PacketKind.SYN_ACK && lost.holdsSynAcks()) {
            int declaredLost = lost.find(hash, srcHi, srcLo, flow.dstHi, flow.dstLo, k4);
            if (declaredLost != KeyedSlots.NONE) {
                // A SYN-ACK is reported again, with the same reason (REPLY), when the server answers a
                // retransmitted SYN after the 5 s report interval: while its tuple is in the lost history
                // it is that handshake's retransmission, not a new departure (a new connection on the
                // tuple would start with a SYN); also when its own arrival, processed first, already
                // resolved the loss as LATE.
                counters.increment(JoinCounters.Global.RETRANSMISSIONS);
                lost.attempts[declaredLost]++;
                return true;
            }
            if (retransmission) {
                counters.increment(JoinCounters.Global.IGNORED_ORPHAN_RETRANSMISSION);
                return true;
            }
        }
        return false;
    }
}
