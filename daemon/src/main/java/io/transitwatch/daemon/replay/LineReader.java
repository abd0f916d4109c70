package io.transitwatch.daemon.replay;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Single-threaded: one per capture, used by the replay thread.
 *
 * <p>Splits a byte stream into UTF-8 lines ({@code \n} or {@code \r\n}) without ever holding more
 * than {@code maxLineBytes} of one line: a longer line (a binary file, a capture without line
 * breaks) is skipped to its end and reported by {@link #lastLineTooLong()}, so a bad input cannot
 * make replay load a whole file into memory.
 */
final class LineReader {
    private static final int CHUNK_BYTES = 1 << 16;

    private final InputStream in;
    private final int maxLineBytes;
    private final byte[] chunk = new byte[CHUNK_BYTES];
    private byte[] line = new byte[4096];
    private int chunkPosition;
    private int chunkLimit;
    private int lineLength;
    private boolean tooLong;
    private boolean ended;
    private long lineNumber;

    LineReader(InputStream in, int maxLineBytes) {
        this.in = in;
        this.maxLineBytes = maxLineBytes;
    }

    /** The next line without its line break, or null at the end of the stream. */
    String next() throws IOException {
        if (ended) {
            return null;
        }
        lineLength = 0;
        tooLong = false;
        boolean started = false;
        while (true) {
            if (chunkPosition == chunkLimit) {
                int read = in.read(chunk);
                if (read <= 0) {
                    ended = true;
                    return started ? finish() : null;
                }
                chunkPosition = 0;
                chunkLimit = read;
            }
            started = true;
            int start = chunkPosition;
            while (chunkPosition < chunkLimit && chunk[chunkPosition] != '\n') {
                chunkPosition++;
            }
            append(start, chunkPosition - start);
            if (chunkPosition < chunkLimit) {
                chunkPosition++; // the '\n'
                return finish();
            }
        }
    }

    /** 1-based number of the line {@link #next()} returned last. */
    long lineNumber() {
        return lineNumber;
    }

    /** The line {@link #next()} returned last was longer than the limit; it was returned empty. */
    boolean lastLineTooLong() {
        return tooLong;
    }

    private void append(int offset, int length) {
        if (tooLong || length == 0) {
            return;
        }
        if (lineLength + length > maxLineBytes) {
            tooLong = true;
            return;
        }
        if (lineLength + length > line.length) {
            line = Arrays.copyOf(line, Math.min(maxLineBytes, Math.max(line.length * 2, lineLength + length)));
        }
        System.arraycopy(chunk, offset, line, lineLength, length);
        lineLength += length;
    }

    private String finish() {
        lineNumber++;
        if (tooLong) {
            return "";
        }
        int length = lineLength > 0 && line[lineLength - 1] == '\r' ? lineLength - 1 : lineLength;
        return new String(line, 0, length, StandardCharsets.UTF_8);
    }
}
