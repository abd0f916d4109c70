package io.transitwatch.bench.decode;

import io.transitwatch.bench.TransitStream;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.io.ByteArrayOutputStream;

/**
 * Immutable after {@link #encode}. A {@link TransitStream} lap as the serialized
 * {@code GetFlowsResponse} messages the Hubble servers would have sent, back to back in one byte
 * array (as gRPC hands them to the ingest, one message per call), with the daemon's receive time of
 * each message beside it (a receive time is not part of a message).
 */
public final class EncodedStream {
    private final FlowMessages.Shape shape;
    private final StringDictionary dictionary;
    private final byte[] bytes;
    private final int[] offsets;
    private final int[] lengths;
    private final long[] receivedNanos;
    private final long lapNanos;

    private EncodedStream(FlowMessages.Shape shape, StringDictionary dictionary, byte[] bytes, int[] offsets,
            int[] lengths, long[] receivedNanos, long lapNanos) {
        this.shape = shape;
        this.dictionary = dictionary;
        this.bytes = bytes;
        this.offsets = offsets;
        this.lengths = lengths;
        this.receivedNanos = receivedNanos;
        this.lapNanos = lapNanos;
    }

    public static EncodedStream encode(TransitStream stream, FlowMessages.Shape shape) {
        NodeEvent[] events = stream.events();
        ByteArrayOutputStream out = new ByteArrayOutputStream(events.length * (shape == FlowMessages.Shape.FULL ? 1300 : 320));
        int[] offsets = new int[events.length];
        int[] lengths = new int[events.length];
        long[] received = new long[events.length];
        for (int i = 0; i < events.length; i++) {
            byte[] message = FlowMessages.encode(events[i], stream.dictionary(), shape);
            offsets[i] = out.size();
            lengths[i] = message.length;
            received[i] = events[i].receivedNanos;
            out.writeBytes(message);
        }
        return new EncodedStream(shape, stream.dictionary(), out.toByteArray(), offsets, lengths, received,
                stream.lapNanos());
    }

    public FlowMessages.Shape shape() {
        return shape;
    }

    /** The dictionary the names were drawn from; a decoder must intern into the same one. */
    public StringDictionary dictionary() {
        return dictionary;
    }

    public int messageCount() {
        return offsets.length;
    }

    public double averageMessageBytes() {
        return (double) bytes.length / offsets.length;
    }

    byte[] bytes() {
        return bytes;
    }

    int offset(int message) {
        return offsets[message];
    }

    int length(int message) {
        return lengths[message];
    }

    long receivedNanos(int message) {
        return receivedNanos[message];
    }

    long lapNanos() {
        return lapNanos;
    }

    @Override
    public String toString() {
        return String.format("EncodedStream[%s, %,d messages, %.0f B average]", shape, offsets.length,
                averageMessageBytes());
    }
}
