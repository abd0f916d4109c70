package io.transitwatch.daemon.ingest;

import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * Single thread: one per stream, used by the thread delivering that stream's messages.
 *
 * <p>A reused byte array that each received message is copied into before decoding. It grows to
 * the largest message seen (a handful of kilobytes for a flow) and then stays, so steady-state
 * reading allocates nothing.
 */
final class MessageBuffer {
    private byte[] bytes = new byte[4096];
    private int length;

    /** Reads {@code message} to its end; returns false if it was larger than {@code maxLength}. */
    boolean readFully(InputStream message, int maxLength) throws IOException {
        length = 0;
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
