package io.transitwatch.bench.e2e;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.lifecycle.Daemon;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Thread-safe like {@link Pipeline}.
 *
 * <p>TransitWatch as it runs in production: {@link Daemon#start} with ordinary settings (relay
 * mode, or direct mode with a static node list, pointing at the load server; the workload's pod
 * CIDRs; the stdout sink; HTTP off). Its stdout is an {@link AlertProbe} that times each
 * LOST_IN_TRANSIT alert line as it arrives and otherwise discards the output.
 */
final class DaemonPipeline implements Pipeline {
    private final Daemon daemon;
    private final VerdictLatency latency;

    private DaemonPipeline(Daemon daemon, VerdictLatency latency) {
        this.daemon = daemon;
        this.latency = latency;
    }

    static DaemonPipeline start(Target target) {
        List<String> sets = new ArrayList<>();
        if (target.mode() == LoadServer.Mode.RELAY) {
            sets.add("hubble.mode=relay");
            sets.add("hubble.relay.address=" + target.target());
        } else {
            sets.add("hubble.mode=direct");
            sets.add("hubble.nodes=" + target.target());
        }
        sets.add("topology.pod-cidrs=" + target.podCidrs());
        sets.add("join.window=" + target.window().toMillis() + "ms");
        sets.add("sinks=stdout");
        sets.add("stdout.alerts=every"); // every LOST alert is timed, not only an incident's first few
        sets.add("http.port=-1");
        sets.add("hubble.backoff.initial=200ms");
        Settings settings = ConfigLoader.load(null, Map.of(), sets);
        VerdictLatency latency = new VerdictLatency(target.window().toNanos());
        PrintStream stdout = new PrintStream(new AlertProbe(latency), false, StandardCharsets.UTF_8);
        return new DaemonPipeline(Daemon.start(settings, Clock.SYSTEM, stdout), latency);
    }

    @Override
    public String name() {
        return "TransitWatch";
    }

    @Override
    public long joinedFlows() {
        return daemon.counters().get(JoinCounters.Global.FLOWS);
    }

    @Override
    public long matched() {
        return daemon.counters().get(JoinCounters.Global.MATCHED);
    }

    @Override
    public long lost() {
        return daemon.counters().get(JoinCounters.Global.LOST);
    }

    @Override
    public long unverified() {
        return daemon.counters().get(JoinCounters.Global.UNVERIFIED);
    }

    @Override
    public String diagnostics() {
        StringBuilder line = new StringBuilder("join counters:");
        for (JoinCounters.Global counter : JoinCounters.Global.values()) {
            long value = daemon.counters().get(counter);
            if (value != 0) {
                line.append(' ').append(counter).append('=').append(value);
            }
        }
        daemon.ingest().state().nodes().forEach(node -> line.append("; ").append(node));
        return line.toString();
    }

    @Override
    public VerdictLatency latency() {
        return latency;
    }

    @Override
    public Role roleOf(String thread) {
        if (thread.startsWith("transitwatch-join")) {
            return Role.JOIN;
        }
        if (thread.startsWith("transitwatch-ingest")) {
            return Role.INGEST;
        }
        return thread.startsWith("transitwatch-sink") ? Role.SINK : Role.OTHER;
    }

    @Override
    public void close() {
        daemon.close();
    }

    /**
     * Confined to the stdout sink's thread. Splits what the sink writes into lines and records the
     * latency of each LOST_IN_TRANSIT alert when its line is complete; everything else is dropped.
     */
    static final class AlertProbe extends OutputStream {
        private final VerdictLatency latency;
        private byte[] line = new byte[2048];
        private int length;

        AlertProbe(VerdictLatency latency) {
            this.latency = latency;
        }

        @Override
        public void write(int b) {
            if (b == '\n') {
                onLine(new String(line, 0, length, StandardCharsets.UTF_8));
                length = 0;
                return;
            }
            if (length == line.length) {
                line = java.util.Arrays.copyOf(line, length * 2);
            }
            line[length++] = (byte) b;
        }

        @Override
        public void write(byte[] bytes, int offset, int count) {
            for (int i = offset; i < offset + count; i++) {
                write(bytes[i]);
            }
        }

        private void onLine(String text) {
            // incidents carry a verdict too: only alert lines are timed
            if (!text.startsWith("{\"schema\":\"transitwatch.alert/v1\"")
                    || !text.contains("\"verdict\":\"LOST_IN_TRANSIT\"")) {
                return;
            }
            Instant now = Instant.now();
            Instant firstSeen = Instant.parse(field(text, "\"first_seen\":\""));
            String node = field(text, "\"source\":{\"node\":\"");
            latency.record(node, firstSeen.getEpochSecond() * 1_000_000_000L + firstSeen.getNano(),
                    now.getEpochSecond() * 1_000_000_000L + now.getNano());
        }

        private static String field(String text, String prefix) {
            int start = text.indexOf(prefix) + prefix.length();
            return text.substring(start, text.indexOf('"', start));
        }
    }
}
