package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Which ACK / PSH departures are a connection's <i>first data</i> (DESIGN §3.8). Cilium reports a
 * TCP segment when it carries a flag its conntrack entry has not yet seen in that direction
 * (hubble-api.md §3.2), so the first ACK-only and the first PSH segment of each direction are
 * reported on both nodes, like the SYN; every later segment only on an unaligned 5 s interval, with
 * the same flags, and must never be joined. This table mirrors the source node's conntrack: a
 * handshake departure (SYN from the client, SYN-ACK from the server) opens an entry for its direction
 * holding the flags seen so far, and each report of it again refreshes the entry (a handshake
 * retransmitted for 14 s before its SYN-ACK got through is followed by first data all the same); a
 * later segment of that direction is first data only when it carries a flag not yet seen, and its
 * flags are then seen. A segment of a direction whose handshake the join did not see (before the
 * stream started, or longer ago than the memory) is not first data.
 *
 * <p>Keyed by the direction's tuple with packet kind {@link PacketKind#NONE}; one FIFO lane. A
 * segment is first data only within the memory ({@code W + arrival memory}) of its handshake, by
 * their own times: whether a segment is judged must not depend on when the join's expiry passes ran
 * (the single process runs them on its clock, a partition of the scaled mode on its collectors'
 * heartbeats, and both must give the same verdicts). The expiry pass frees an entry only a grace
 * later, so that a segment delivered up to that late still finds its handshake; a handshake
 * backfilled after its node's reconnect, inserted behind newer ones (other nodes') where the pass,
 * which looks at the lane head only, does not reach it in time, is judged by the same rule.
 * Allocates nothing.
 */
final class FirstData {
    private static final int DATA_FLAGS = NodeEvent.TCP_ACK | NodeEvent.TCP_PSH;

    private final KeyedSlots slots;
    /**
     * Two words per slot, side by side so that a segment's check reads one cache line: the handshake's
     * frame time ({@code [2 * slot]}) and the TCP flags its direction has seen since ({@code [2 * slot + 1]}).
     */
    private final long[] handshakes;
    private final long memoryNanos;
    /** How much longer than the memory an entry is kept for segments delivered late. */
    private final long graceNanos;
    private final Observers observers;

    /** Index work so far (see {@link SlotIndex#workSteps()}). */
    long workSteps() {
        return slots.indexWorkSteps();
    }

    FirstData(int capacity, long memoryNanos, long graceNanos, Observers observers) {
        this.slots = new KeyedSlots(capacity, 1);
        this.handshakes = new long[2 * capacity];
        this.memoryNanos = memoryNanos;
        this.graceNanos = graceNanos;
        this.observers = observers;
    }

    /**
     * A SYN or SYN-ACK departure, every report of it, retransmissions and re-reports included: whether
     * a report repeats a departure the join already has depends on what the join has decided of it
     * (pending, lost, or neither because it was judged at a stream's first moments), and that must not
     * decide which data segments are first. A report within the memory of the direction's last one,
     * before that direction carried data the handshake packet itself does not, is the same handshake
     * reported again (a client retransmitting its SYN, a server answering it, every 5 s aggregation
     * interval): it refreshes the time and keeps the flags seen. Otherwise it opens the direction anew
     * (a new connection on the tuple: Cilium's conntrack resets the flags it has seen when a SYN
     * reopens a closing entry), its flags the only ones seen.
     */
    void handshake(long srcHi, long srcLo, long dstHi, long dstLo, NodeEvent flow, long frame) {
        long key = directionKey(flow);
        long seen = flow.tcpFlags;
        int known = slots.find(srcHi, srcLo, dstHi, dstLo, key);
        if (known != KeyedSlots.NONE) {
            if (frame <= handshakes[2 * known]) {
                return; // a duplicate report, or one of an older packet read late: nothing new to learn
            }
            long earlier = handshakes[2 * known + 1];
            boolean sameHandshake = frame - handshakes[2 * known] <= memoryNanos
                    && (earlier & DATA_FLAGS & ~flow.tcpFlags) == 0;
            if (sameHandshake) {
                seen |= earlier;
            }
            // Goes to the back of the lane: refreshed in place, it would hold the lane out of time
            // order and keep older handshakes from expiring behind it.
            slots.remove(known);
        } else if (slots.isFull()) {
            slots.remove(slots.oldest(0));
        }
        int slot = slots.insert(srcHi, srcLo, dstHi, dstLo, key, 0);
        handshakes[2 * slot] = frame;
        handshakes[2 * slot + 1] = seen;
    }

    /**
     * Whether the ACK / PSH departure {@code flow} of {@code node}, at frame time {@code frame}, carries
     * a flag its direction had not seen since the handshake: the segment both nodes report. Its flags
     * are seen from now on either way. A segment more than the memory after its handshake finds it
     * forgotten (removed now): not first data. Nor is one whose node's own view was incomplete since
     * the handshake (lost events, a gap): the segment that was first may be among what it lost, and
     * this one an interval report that the destination never reports.
     */
    boolean isFirst(long srcHi, long srcLo, long dstHi, long dstLo, NodeEvent flow, long frame, int node) {
        int slot = slots.find(srcHi, srcLo, dstHi, dstLo, directionKey(flow));
        if (slot == KeyedSlots.NONE) {
            return false;
        }
        if (frame - handshakes[2 * slot] > memoryNanos) {
            slots.remove(slot);
            return false;
        }
        long fresh = flow.tcpFlags & DATA_FLAGS & ~handshakes[2 * slot + 1];
        handshakes[2 * slot + 1] |= flow.tcpFlags;
        // after the handshake, not at it: a stream whose first event was the handshake is complete from there
        return fresh != 0 && observers.incompleteDuring(node, handshakes[2 * slot] + 1, frame) == null;
    }

    /** Frees the entries of handshakes older than the memory and the grace, oldest first, at most {@code budget}. */
    int expire(long nowNanos, int budget) {
        return slots.removeOlderThan(handshakes, 2, nowNanos - memoryNanos - graceNanos, budget);
    }

    int size() {
        return slots.size();
    }

    private static long directionKey(NodeEvent flow) {
        return FlowKey.pack(flow.ipVersion, flow.srcPort, flow.dstPort, flow.protocol & 0xff, PacketKind.NONE);
    }
}
