package io.transitwatch.daemon.replay;

import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.zip.GZIPInputStream;

/**
 * Immutable; {@link #open()} may be called from any thread, once.
 *
 * <p>One capture to replay: a file, or standard input ({@code -}). Compressed captures are read
 * through gzip when they start with gzip's magic bytes, whatever their name says, so
 * {@code events.log.1} rotated and compressed by Hubble's exporter reads like {@code x.json.gz}.
 *
 * @param name what reports call it: the path as given, or {@code stdin}
 */
public record CaptureInput(String name, Opener opener) {
    /** The argument that names standard input. */
    public static final String STDIN = "-";
    private static final String STDIN_NAME = "stdin";

    private static final int BUFFER_BYTES = 1 << 16;
    private static final int GZIP_MAGIC_1 = 0x1f;
    private static final int GZIP_MAGIC_2 = 0x8b;

    /** Opens the raw bytes of the capture. */
    @FunctionalInterface
    public interface Opener {
        InputStream open() throws IOException;
    }

    public CaptureInput {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(opener, "opener");
    }

    /** {@code -} reads {@code stdin} (and never closes it); anything else is a file path. */
    public static CaptureInput of(String argument, InputStream stdin) {
        if (STDIN.equals(argument)) {
            return new CaptureInput(STDIN_NAME, () -> new FilterInputStream(stdin) {
                @Override
                public void close() {
                    // standard input belongs to the process, not to this capture
                }
            });
        }
        Path path = Path.of(argument);
        return new CaptureInput(argument, () -> Files.newInputStream(path));
    }

    /** The capture's bytes, decompressed when they are gzip. */
    public InputStream open() throws IOException {
        InputStream raw = opener.open();
        try {
            BufferedInputStream in = new BufferedInputStream(raw, BUFFER_BYTES);
            in.mark(2);
            int first = in.read();
            int second = in.read();
            in.reset();
            return first == GZIP_MAGIC_1 && second == GZIP_MAGIC_2 ? new GZIPInputStream(in, BUFFER_BYTES) : in;
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }
}
