package io.transitwatch.daemon.ingest;

import io.grpc.KnownLength;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Single thread: one per stream, used by the thread delivering that stream's messages.
 *
 * <p>A reused byte array that each received message is copied into before decoding. It grows to
 * the largest message seen (a handful of kilobytes for a flow) and then stays, so steady-state
 * reading allocates nothing.
 *
 * <p>grpc-java's stream of a received message is {@link KnownLength}: it says how many bytes the
 * message has, so they are taken with one bulk copy out of the transport's buffers (a {@code memcpy}
 * from Netty's pooled direct memory), without a read loop or a probe for the end. Decoding in place
 * from those buffers instead would need a decoder over off-heap memory, and the transport's
 * {@code HasByteBuffer} view allocates a {@code ByteBuffer} per call: both cost more than copying the
 * few hundred bytes of a field-masked flow (ADR 0015).
 */
final class MessageBuffer {
    private byte[] bytes = new byte[4096];
    private int length;

    /** Reads {@code message} to its end; returns false if it was larger than {@code maxLength}. */
    boolean readFully(InputStream message, int maxLength) throws IOException {
        length = 0;
        if (message instanceof KnownLength) {
            int known = message.available();
            if (known > maxLength) {
                return false;
            }
            if (known > bytes.length) {
                bytes = new byte[Math.min(maxLength, Integer.highestOneBit(known - 1) << 1)];
            }
            while (length < known) { // one read for gRPC's buffers; a loop only for a stream that reads less
                int read = message.read(bytes, length, known - length);
                if (read < 0) {
                    return true;
                }
                length += read;
            }
            return true;
        }
        while (true) {
            if (length == bytes.length) {
                if (bytes.length >= maxLength) {
                    return false;
                }
                bytes = Arrays.copyOf(bytes, Math.min(maxLength, bytes.length * 2));
            }
            int read = message.read(bytes, length, bytes.length - length);
            if (read < 0) {
                return true;
            }
            length += read;
        }
    }

    byte[] bytes() {
        return bytes;
    }

    int length() {
        return length;
    }
}
