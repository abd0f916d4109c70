package io.transitwatch.bench.decode;

import io.transitwatch.bench.StreamReplay;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.NodeEventHandler;

/**
 * Single-threaded: one benchmark thread owns a replay and its slot.
 *
 * <p>Replays an {@link EncodedStream} lap after lap the way the ingest feeds the join: each message
 * is decoded into one reused slot, stamped with its receive time, and handed to the join. The bytes
 * never change, so the decoded slot is moved to its lap afterwards, exactly as {@link StreamReplay}
 * moves a pre-built slot: times advance by whole laps and the client port rotates, so the join sees
 * the same endless, ever-newer stream in both benchmarks.
 */
public final class DecodeReplay {
    /** Bytes of one message into the slot; the daemon's {@code FlowDecoder}, or the protobuf baseline. */
    @FunctionalInterface
    public interface MessageDecoder {
        void decode(byte[] buffer, int offset, int length, NodeEvent slot);
    }

    private final EncodedStream stream;
    private final byte[] bytes;
    private final int count;
    private int next;
    private long laps;
    private long lapOffsetNanos;
    private int portShift;

    public DecodeReplay(EncodedStream stream) {
        this.stream = stream;
        this.bytes = stream.bytes();
        this.count = stream.messageCount();
    }

    /** The daemon's clock once the next {@code messages} are in (fewer than a lap). */
    public long clockAfter(int messages) {
        int last = next + messages - 1;
        return last < count
                ? stream.receivedNanos(last) + lapOffsetNanos
                : stream.receivedNanos(last - count) + lapOffsetNanos + stream.lapNanos();
    }

    /** Decodes the next {@code messages} one by one into {@code slot} and hands each to {@code handler}. */
    public void deliver(MessageDecoder decoder, NodeEvent slot, NodeEventHandler handler, int messages) {
        int i = next;
        for (int n = 0; n < messages; n++) {
            decoder.decode(bytes, stream.offset(i), stream.length(i), slot);
            slot.receivedNanos = stream.receivedNanos(i) + lapOffsetNanos;
            slot.timeNanos += lapOffsetNanos;
            if (portShift != 0) {
                StreamReplay.shiftClientPort(slot, portShift);
            }
            handler.onEvent(slot, n == messages - 1);
            if (++i == count) {
                i = 0;
                laps++;
                lapOffsetNanos += stream.lapNanos();
                portShift = (portShift + StreamReplay.PORT_SHIFT_PER_LAP) % StreamReplay.EPHEMERAL_COUNT;
            }
        }
        next = i;
    }

    /** The replay as a join event source: every poll decodes a full batch of messages into {@code slot}. */
    public io.transitwatch.daemon.join.EventSource source(MessageDecoder decoder, NodeEvent slot) {
        return (handler, limit) -> {
            deliver(decoder, slot, handler, limit);
            return limit;
        };
    }

    /** Decodes the next {@code messages} into {@code slot} with no join behind (decoder alone). */
    public long decodeOnly(MessageDecoder decoder, NodeEvent slot, int messages) {
        long checksum = 0;
        int i = next;
        for (int n = 0; n < messages; n++) {
            decoder.decode(bytes, stream.offset(i), stream.length(i), slot);
            checksum += slot.timeNanos + slot.srcLo + slot.dstLo + slot.srcPort + slot.dstPort + slot.node;
            if (++i == count) {
                i = 0;
                laps++;
            }
        }
        next = i;
        return checksum;
    }

    /** Messages delivered since the replay started. */
    public long delivered() {
        return laps * count + next;
    }

    public int lapLength() {
        return count;
    }
}
