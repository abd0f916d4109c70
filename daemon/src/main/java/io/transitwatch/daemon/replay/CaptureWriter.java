package io.transitwatch.daemon.replay;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.transitwatch.daemon.sim.EmissionListener;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;

/**
 * Confined to one writing thread at a time — the simulator's traffic thread while it records — and
 * closed once that thread has stopped (after {@code Simulator.close()}).
 *
 * <p>Writes Hubble events as {@code hubble observe -o jsonpb} does: one {@code GetFlowsResponse} per
 * line in proto3 JSON with proto field names, {@code {"flow":{…},"node_name":…,"time":…}}, streamed
 * as they come (memory stays bounded however long the run), gzip-compressed when the file name ends
 * in {@code .gz}. {@code transitwatch replay} reads it back. A write error does not disturb the
 * simulator: the first one stops the recording and is thrown by {@link #close()}.
 */
public final class CaptureWriter implements EmissionListener, AutoCloseable {
    private static final JsonFormat.Printer JSONPB =
            JsonFormat.printer().preservingProtoFieldNames().omittingInsignificantWhitespace();
    private static final int BUFFER_CHARS = 1 << 16;

    private final Path path;
    private final Writer out;
    private long written;
    private IOException failure;

    private CaptureWriter(Path path, Writer out) {
        this.path = path;
        this.out = out;
    }

    /** Creates or truncates {@code path}. */
    public static CaptureWriter open(Path path) throws IOException {
        OutputStream file = Files.newOutputStream(path);
        try {
            OutputStream bytes = path.getFileName().toString().endsWith(".gz")
                    ? new GZIPOutputStream(file, BUFFER_CHARS) : file;
            return new CaptureWriter(path, new BufferedWriter(new OutputStreamWriter(bytes, StandardCharsets.UTF_8),
                    BUFFER_CHARS));
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** The same line for one event, as {@code hubble observe -o jsonpb} prints it. */
    public static String jsonpb(GetFlowsResponse event) {
        try {
            return JSONPB.print(event);
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not printable as JSON: " + e.getMessage(), e); // only for Any fields
        }
    }

    @Override
    public void onEmitted(GetFlowsResponse event) {
        if (failure != null) {
            return;
        }
        try {
            out.write(jsonpb(event));
            out.write('\n');
            written++;
        } catch (IOException e) {
            failure = e;
        }
    }

    public Path path() {
        return path;
    }

    /** Events written so far. */
    public long written() {
        return written;
    }

    /** Flushes and closes the file (finishing the gzip stream); throws the first write error, if any. */
    @Override
    public void close() throws IOException {
        try {
            out.close();
        } catch (IOException e) {
            if (failure == null) {
                failure = e;
            }
        }
        if (failure != null) {
            throw new IOException("recording to " + path + " failed: " + failure.getMessage(), failure);
        }
    }
}
