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
 * holding the flags seen so far; a later segment of that direction is first data only when it
 * carries a flag not yet seen, and its flags are then seen. A segment of a direction whose handshake
 * the join did not see (before the stream started, or longer ago than the memory) is not first data.
 *
 * <p>Keyed by the direction's tuple with packet kind {@link PacketKind#NONE}; one FIFO lane, expired
 * {@code W + arrival memory} after the handshake. A handshake backfilled after its node's reconnect
 * is inserted behind newer ones (other nodes'), where the expiry pass, which looks at the lane head
 * only, does not reach it in time: {@link #isFirst} forgets it once it is past the last pass's
 * horizon. Allocates nothing.
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
    /** Handshakes before this have had their expiry pass, wherever they sit in the lane. */
    private long horizonNanos = Long.MIN_VALUE;

    /** Index work so far (see {@link SlotIndex#workSteps()}). */
    long workSteps() {
        return slots.indexWorkSteps();
    }

    FirstData(int capacity, long memoryNanos) {
        this.slots = new KeyedSlots(capacity, 1);
        this.handshakes = new long[2 * capacity];
        this.memoryNanos = memoryNanos;
    }

    /** A SYN or SYN-ACK departure (first report) opens its direction: its flags are the ones seen. */
    void handshake(long srcHi, long srcLo, long dstHi, long dstLo, NodeEvent flow, long frame) {
        long key = directionKey(flow);
        int known = slots.find(srcHi, srcLo, dstHi, dstLo, key);
        if (known != KeyedSlots.NONE) {
            // A new handshake on the tuple goes to the back of the lane: refreshed in place, it would
            // hold the lane out of time order and keep older handshakes from expiring behind it.
            slots.remove(known);
        } else if (slots.isFull()) {
            slots.remove(slots.oldest(0));
        }
        int slot = slots.insert(srcHi, srcLo, dstHi, dstLo, key, 0);
        handshakes[2 * slot] = frame;
        handshakes[2 * slot + 1] = flow.tcpFlags;
    }

    /**
     * Whether the ACK / PSH departure {@code flow} carries a flag its direction had not seen since the
     * handshake: the segment both nodes report. Its flags are seen from now on either way. A handshake
     * past the last expiry pass's horizon is forgotten now: not first data.
     */
    boolean isFirst(long srcHi, long srcLo, long dstHi, long dstLo, NodeEvent flow) {
        int slot = slots.find(srcHi, srcLo, dstHi, dstLo, directionKey(flow));
        if (slot == KeyedSlots.NONE) {
            return false;
        }
        if (handshakes[2 * slot] < horizonNanos) {
            slots.remove(slot);
            return false;
        }
        long fresh = flow.tcpFlags & DATA_FLAGS & ~handshakes[2 * slot + 1];
        handshakes[2 * slot + 1] |= flow.tcpFlags;
        return fresh != 0;
    }

    /** Forgets handshakes older than the memory, oldest first, at most {@code budget}. */
    int expire(long nowNanos, int budget) {
        horizonNanos = nowNanos - memoryNanos;
        return slots.removeOlderThan(handshakes, 2, horizonNanos, budget);
    }

    int size() {
        return slots.size();
    }

    private static long directionKey(NodeEvent flow) {
        return FlowKey.pack(flow.ipVersion, flow.srcPort, flow.dstPort, flow.protocol & 0xff, PacketKind.NONE);
    }
}
