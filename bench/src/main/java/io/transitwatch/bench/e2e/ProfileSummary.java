package io.transitwatch.bench.e2e;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * Stateless. Summarizes a JFR recording's {@code jdk.ExecutionSample} events (Java code on CPU;
 * threads in native code, e.g. in a socket read, are not sampled) by thread role: the top frames
 * (where the samples were taken) and the share of each code area (the package of the top frame).
 * What {@code jfr print --events jdk.ExecutionSample} shows, aggregated.
 */
final class ProfileSummary {
    private static final int TOP = 10;

    private ProfileSummary() {}

    /** {@code ProfileSummary FILE.jfr}: prints the Markdown summary. */
    public static void main(String[] args) throws IOException {
        System.out.print(summarize(read(Path.of(args[0]))));
    }

    /** One {@code jdk.ExecutionSample} with a stack: the sampled thread's role and its frames, top first. */
    record Sample(String role, List<RecordedFrame> frames) {}

    /** The recording's execution samples that have a stack, read once for every summary of them. */
    static List<Sample> read(Path recording) throws IOException {
        List<Sample> samples = new ArrayList<>();
        for (RecordedEvent event : RecordingFile.readAllEvents(recording)) {
            if (!event.getEventType().getName().equals("jdk.ExecutionSample")) {
                continue;
            }
            RecordedStackTrace stack = event.getStackTrace();
            if (stack != null && !stack.getFrames().isEmpty()) {
                samples.add(new Sample(role(event.getThread("sampledThread").getJavaName()), stack.getFrames()));
            }
        }
        return samples;
    }

    static String summarize(List<Sample> samples) {
        Map<String, Map<String, Integer>> frames = new LinkedHashMap<>();
        Map<String, Map<String, Integer>> areas = new LinkedHashMap<>();
        Map<String, Integer> totals = new HashMap<>();
        for (Sample sample : samples) {
            RecordedFrame top = sample.frames().get(0);
            String type = top.getMethod().getType().getName();
            frames.computeIfAbsent(sample.role(), r -> new HashMap<>())
                    .merge(shortName(type) + "." + top.getMethod().getName(), 1, Integer::sum);
            areas.computeIfAbsent(sample.role(), r -> new HashMap<>()).merge(area(type), 1, Integer::sum);
            totals.merge(sample.role(), 1, Integer::sum);
        }
        StringBuilder md = new StringBuilder();
        for (String role : List.of("join", "ingest", "sink", "other")) {
            if (!totals.containsKey(role)) {
                continue;
            }
            int total = totals.get(role);
            md.append(String.format(Locale.ROOT, "- **%s threads** (%d samples): top frames %s; by area %s%n", role,
                    total, top(frames.get(role), total), top(areas.get(role), total)));
        }
        return md.toString();
    }

    /**
     * Share of {@code role}'s samples with a frame of a class whose name starts with {@code prefix}
     * anywhere in the stack: for the daemon's ingest thread and {@code io.transitwatch.daemon.}, the
     * part of its Java time spent in TransitWatch's own code (copying the message out of gRPC's
     * buffers, decoding it, handing it off) rather than in gRPC's and Netty's framing. Code below our
     * frames (a JDK copy our decoder calls) counts as ours; stacks are read from the top, so the
     * recording's depth limit cuts only the event loop's frames below them.
     */
    static double shareWithFrame(List<Sample> samples, String role, String prefix) {
        int total = 0;
        int withFrame = 0;
        for (Sample sample : samples) {
            if (sample.role().equals(role)) {
                total++;
                if (sample.frames().stream().anyMatch(frame -> frame.getMethod().getType().getName().startsWith(prefix))) {
                    withFrame++;
                }
            }
        }
        return total == 0 ? Double.NaN : withFrame / (double) total;
    }

    private static String top(Map<String, Integer> counts, int total) {
        StringBuilder text = new StringBuilder();
        counts.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()).limit(TOP)
                .forEach(entry -> text.append(text.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT,
                        "`%s` %.0f%%", entry.getKey(), 100.0 * entry.getValue() / total)));
        return text.toString();
    }

    private static String role(String thread) {
        if (thread == null) {
            return "other";
        }
        if (thread.contains("-join")) {
            return "join";
        }
        if (thread.contains("-ingest")) {
            return "ingest";
        }
        return thread.contains("-sink") ? "sink" : "other";
    }

    /** The code area of a class: its library, or the TransitWatch package. */
    private static String area(String type) {
        if (type.startsWith("io.grpc.netty.shaded.io.netty")) {
            return "netty";
        }
        if (type.startsWith("io.grpc")) {
            return "grpc";
        }
        if (type.startsWith("com.google.protobuf") || type.startsWith("io.transitwatch.proto")) {
            return "protobuf";
        }
        if (type.startsWith("io.transitwatch.")) {
            String[] parts = type.split("\\.");
            return parts.length > 3 ? parts[2] + "." + parts[3] : type;
        }
        if (type.startsWith("com.lmax.disruptor")) {
            return "disruptor";
        }
        int lastDot = type.lastIndexOf('.');
        return lastDot < 0 ? type : type.substring(0, lastDot);
    }

    private static String shortName(String type) {
        return type.substring(type.lastIndexOf('.') + 1);
    }
}
