package io.transitwatch.bench.scale;

import io.transitwatch.bench.e2e.Arguments;
import io.transitwatch.bench.e2e.EndToEndBenchmark;
import io.transitwatch.bench.e2e.LoadServer;
import io.transitwatch.bench.e2e.Report;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.scale.PairCount;
import io.transitwatch.sinks.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Benchmark-thread only. The three phases of {@link ScaleBenchmark}, each on its own topics of the
 * one broker. The spans are measured between samples of the processes' CPU time, the topics' end
 * offsets or the group's committed offsets, and the load server's counters; the waits in between are
 * the measured spans themselves, not decisions.
 */
final class ScalePhases {
    private static final long SAMPLE_MILLIS = 200;
    private static final long FIRST_EVENTS_TIMEOUT_NANOS = TimeUnit.SECONDS.toNanos(90);
    private static final long STALL_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** The correlator span: from this share of the topic committed (JIT, group join, fetch ramp-up before it) ... */
    static final double SPAN_FROM = 0.10;
    /** ... to this share (the tail, where fewer partitions are left, after it). */
    static final double SPAN_TO = 0.95;
    /** Alerts are read this long after the last judged departure's verdict was due (W after it). */
    private static final long SETTLE_SECONDS = 10;

    /**
     * The correlators' join settings beyond the workload's: none. A correlator runs one join per
     * assigned partition with the partition's share of the pending and arrival tables
     * ({@code PartitionShare}) and the whole {@code join.max-nodes} / {@code join.max-pairs}, as the
     * chart runs it by default, so the figures are those of the default configuration.
     */
    static final List<String> CORRELATOR_JOIN = List.of();

    private final ScaleBenchmark.Options options;
    private final ChildJvms jvms;
    private final KafkaMeter kafka;
    private final EndToEndBenchmark.Child server;
    private final String target;
    private final String podCidrs;
    private final long messagesPerLap;
    private final long lostPerLap;
    /** When the collector phase's last record was written (System.nanoTime), or 0. */
    private long prefillEndedNanos;

    ScalePhases(ScaleBenchmark.Options options, ChildJvms jvms, KafkaMeter kafka, EndToEndBenchmark.Child server,
            Arguments ready) {
        this.options = options;
        this.jvms = jvms;
        this.kafka = kafka;
        this.server = server;
        this.target = ready.get("target", null);
        this.podCidrs = ready.get("pod-cidrs", null);
        this.messagesPerLap = ready.longValue("messages", 1);
        this.lostPerLap = ready.longValue("lost-per-lap", 0);
    }

    record CollectorResult(String topic, double seconds, LoadServer.Stats serverStart, LoadServer.Stats serverEnd,
            long events, long collectorCpu, long brokerCpu, long totalRecords, long bytesOnDisk,
            double recordBytes, String compression, String load) {}

    record CorrelatorResult(int correlators, long totalRecords, double seconds, long events, long[] correlatorCpu,
            long brokerCpu, boolean settledBeforeSpan, Map<String, Long> verdicts, String load) {
        /** Whether there was a span: the group settled before {@link #SPAN_TO} of the topic was committed. */
        boolean measured() {
            return seconds > 0;
        }

        long correlatorCpuSum() {
            return Arrays.stream(correlatorCpu).sum();
        }
    }

    record LatencyResult(AlertLatency latency, int correlators, long rate, double seconds, long flowsSent,
            long expectedLost, Map<String, Long> alertsByVerdict, long undecodable, String load) {}

    /** Phase 1: one collector at {@code --collector-rate} into a fresh events topic. */
    CollectorResult collector() throws IOException, InterruptedException {
        Topics topics = createTopics("collect");
        rate(options.collectorRate());
        jvms.startRole("collector", options.roleJvm(), "collect", collectorSettings(topics));
        awaitEvents(topics.events);
        Thread.sleep(TimeUnit.SECONDS.toMillis(options.warmupSeconds()));
        long start = System.nanoTime();
        LoadServer.Stats serverStart = server.stats();
        long collectorStart = jvms.cpuNanos("collector");
        long brokerStart = jvms.cpuNanos("broker");
        long eventsStart = kafka.endOffsets(topics.events, options.partitions());
        Thread.sleep(TimeUnit.SECONDS.toMillis(options.measureSeconds()));
        long eventsEnd = kafka.endOffsets(topics.events, options.partitions());
        long collectorCpu = jvms.cpuNanos("collector") - collectorStart;
        long brokerCpu = jvms.cpuNanos("broker") - brokerStart;
        LoadServer.Stats serverEnd = server.stats();
        double seconds = (System.nanoTime() - start) / 1e9;
        String load = Report.loadAverage();
        jvms.stop("collector"); // flushes the producer: the topic is complete before it is measured
        prefillEndedNanos = System.nanoTime();
        long total = kafka.endOffsets(topics.events, options.partitions());
        return new CollectorResult(topics.events, seconds, serverStart, serverEnd, eventsEnd - eventsStart,
                collectorCpu, brokerCpu, total, kafka.bytesOnDisk(topics.events),
                kafka.averageRecordBytes(topics.events, options.partitions(), 200_000), options.compressionName(), load);
    }

    /**
     * Phase 2: {@code count} correlators of a fresh group read {@code events} (the collector phase's
     * topic) from its first offset, committed for the group beforehand: without a committed offset a
     * new member starts W + grace + skew back from now, which is what production wants and not a
     * throughput measurement. The correlators get an empty observers topic: the collector's ends with
     * its streams' NODE_DOWN at its stop, after every event, which a rebuild seeds into each join
     * before a replay that starts older than it (never so in production, where a replay starts
     * W + grace + skew back); the event topic carries every node's status in each partition anyway.
     */
    CorrelatorResult correlators(int count, CollectorResult prefilled) throws IOException, InterruptedException {
        awaitBeyondReplay();
        Topics topics = createTopics("correlate-" + count);
        String events = prefilled.topic();
        String group = "scale-bench-" + count + "-" + System.currentTimeMillis();
        long total = kafka.endOffsets(events, options.partitions());
        kafka.commitStart(group, events, options.partitions());
        List<String> names = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String name = "correlator-" + count + "-" + i;
            names.add(name);
            jvms.startRole(name, options.roleJvm(), "correlate", correlatorSettings(topics, events, topics.observers,
                    group, name));
        }
        Sample first = null;
        Sample last = null;
        Sample previous = null;
        long lastProgress = System.nanoTime();
        while (last == null && (previous == null || previous.committed < SPAN_TO * total)) {
            Thread.sleep(SAMPLE_MILLIS);
            Sample sample = new Sample(System.nanoTime(), kafka.committed(group, events), cpu(names),
                    jvms.cpuNanos("broker"), first == null && kafka.groupSettled(group, count, options.partitions()));
            if (previous != null && sample.committed > previous.committed) {
                lastProgress = sample.nanos;
            } else if (sample.nanos - lastProgress > STALL_NANOS) {
                throw new IllegalStateException("the correlators committed nothing for " + STALL_NANOS / 1_000_000_000
                        + " s at " + sample.committed + " of " + total + "; see " + jvms.log(names.get(0)));
            }
            if (first == null && sample.settled && sample.committed >= SPAN_FROM * total) {
                first = sample;
            }
            if (first != null && sample.committed >= SPAN_TO * total && sample.nanos > first.nanos) {
                last = sample;
            }
            previous = sample;
        }
        String load = Report.loadAverage();
        awaitAllDecided(group, events, total);
        for (String name : names) {
            jvms.stop(name);
        }
        Map<String, Long> verdicts = sums(kafka.readCommitted(topics.pairCounts, 3));
        if (last == null) { // the group settled only after SPAN_TO of the topic was committed: no span
            return new CorrelatorResult(count, total, 0, 0, new long[count], 0, false, verdicts, load);
        }
        long[] cpu = new long[count];
        for (int i = 0; i < count; i++) {
            cpu[i] = last.cpu[i] - first.cpu[i];
        }
        return new CorrelatorResult(count, total, (last.nanos - first.nanos) / 1e9, last.committed - first.committed,
                cpu, last.broker - first.broker, first.committed < 2 * SPAN_FROM * total, verdicts, load);
    }

    /** Phase 3: collect → Kafka → correlate at {@code --latency-rate}; the alerts' latency as an operator reads them. */
    LatencyResult latency() throws IOException, InterruptedException {
        Topics topics = createTopics("latency");
        String group = "scale-bench-latency-" + System.currentTimeMillis();
        List<String> names = new ArrayList<>();
        for (int i = 0; i < options.latencyCorrelators(); i++) {
            String name = "latency-correlator-" + i;
            names.add(name);
            jvms.startRole(name, options.roleJvm(), "correlate",
                    correlatorSettings(topics, topics.events, topics.observers, group, name));
        }
        long deadline = System.nanoTime() + FIRST_EVENTS_TIMEOUT_NANOS;
        while (!kafka.groupSettled(group, names.size(), options.partitions())) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the correlators did not form group " + group + "; see "
                        + jvms.log(names.get(0)));
            }
            Thread.sleep(SAMPLE_MILLIS);
        }
        rate(options.latencyRate());
        jvms.startRole("latency-collector", options.roleJvm(), "collect", collectorSettings(topics));
        awaitEvents(topics.events);
        long from = Clock.SYSTEM.epochNanos()
                + TimeUnit.SECONDS.toNanos(options.latencyWarmupSeconds());
        long until = from + TimeUnit.SECONDS.toNanos(options.latencySeconds());
        long readUntil = until + TimeUnit.SECONDS.toNanos(options.windowSeconds() + SETTLE_SECONDS);
        AlertLatency latency = new AlertLatency(from, until);
        Map<String, Long> verdicts = new TreeMap<>();
        LoadServer.Stats[] span = new LoadServer.Stats[2];
        long undecodable;
        try (AlertTail alerts = new AlertTail(kafka.bootstrapServers(), topics.alerts, 3)) {
            while (Clock.SYSTEM.epochNanos() < readUntil) {
                long now = Clock.SYSTEM.epochNanos();
                if (span[0] == null && now >= from) {
                    span[0] = server.stats();
                }
                if (span[1] == null && now >= until) {
                    span[1] = server.stats();
                }
                alerts.poll((alert, readNanos) -> {
                    verdicts.merge(alert.verdict().name(), 1L, Long::sum);
                    if (alert.verdict() == Verdict.LOST_IN_TRANSIT) {
                        latency.record(alert.source().node(), alert.firstSeen(), readNanos);
                    }
                });
            }
            undecodable = alerts.undecodable();
        }
        String load = Report.loadAverage();
        jvms.stop("latency-collector");
        for (String name : names) {
            jvms.stop(name);
        }
        long sent = span[1].sent() - span[0].sent();
        return new LatencyResult(latency, names.size(), options.latencyRate(), options.latencySeconds(), sent,
                sent * lostPerLap / Math.max(1, messagesPerLap), verdicts, undecodable, load);
    }

    /**
     * Waits, if need be, until the prefilled topic's last record is older than a correlator's replay
     * ({@code join.window + join.down-grace + join.max-behind}, as the roles run them). Otherwise a
     * partition that moves when the second member joins is rebuilt by replaying the topic from its
     * start, muted: CPU that commits nothing, and a rebalance cost rather than throughput.
     */
    private void awaitBeyondReplay() throws InterruptedException {
        Settings roles = ConfigLoader.load(null, Map.of(), List.of("join.window=" + options.windowSeconds() + "s"));
        long replay = roles.duration(ConfigKeys.JOIN_WINDOW).plus(roles.duration(ConfigKeys.JOIN_DOWN_GRACE))
                .plus(roles.duration(ConfigKeys.JOIN_MAX_BEHIND)).plusSeconds(5).toNanos();
        long wait = prefillEndedNanos + replay - System.nanoTime();
        if (wait > 0) {
            System.out.printf(Locale.ROOT, "waiting %.0f s until the events topic is older than a correlator's"
                    + " replay%n", wait / 1e9);
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    /**
     * After the span, lets the group read the rest of the topic and decide what it holds, so that the
     * verdicts of every row are those of the whole topic and comparable: until every offset is
     * committed, then {@code scale.collector-timeout} and a second more, after which the collector
     * whose heartbeats ended with the topic has left every partition's time and the departures that
     * waited for it are decided (UNVERIFIED) and committed.
     */
    private void awaitAllDecided(String group, String events, long total) throws InterruptedException {
        long last = -1;
        long lastProgress = System.nanoTime();
        for (long committed; (committed = kafka.committed(group, events)) < total; ) {
            if (committed > last) {
                last = committed;
                lastProgress = System.nanoTime();
            } else if (System.nanoTime() - lastProgress > STALL_NANOS) {
                throw new IllegalStateException("the correlators stopped at " + committed + " of " + total
                        + " committed offsets");
            }
            Thread.sleep(SAMPLE_MILLIS);
        }
        Settings roles = ConfigLoader.load(null, Map.of(), List.of());
        Thread.sleep(roles.duration(ConfigKeys.SCALE_COLLECTOR_TIMEOUT).plusSeconds(1).toMillis());
    }

    private record Sample(long nanos, long committed, long[] cpu, long broker, boolean settled) {}

    private long[] cpu(List<String> names) {
        return names.stream().mapToLong(jvms::cpuNanos).toArray();
    }

    private void rate(long flowsPerSecond) throws IOException {
        server.send("rate " + flowsPerSecond);
        server.readLineStartingWith("OK");
    }

    private void awaitEvents(String events) throws InterruptedException {
        long deadline = System.nanoTime() + FIRST_EVENTS_TIMEOUT_NANOS;
        while (kafka.endOffsets(events, options.partitions()) == 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("no event reached " + events + " within "
                        + FIRST_EVENTS_TIMEOUT_NANOS / 1_000_000_000 + " s; see the collector's log");
            }
            Thread.sleep(SAMPLE_MILLIS);
        }
    }

    /**
     * The verdicts of {@code pairCounts} (the pair-counts topic's values, decoded as the incident stage
     * decodes them), summed by name; counters that stayed 0 are left out, and a value that is not a
     * pair count is counted as {@code undecodable}.
     */
    static Map<String, Long> sums(List<String> pairCounts) {
        Map<String, Long> sums = new TreeMap<>();
        for (String value : pairCounts) {
            try {
                PairCount count = PairCount.fromJson(value.getBytes(StandardCharsets.UTF_8));
                add(sums, "matched", count.matched());
                add(sums, "lost", count.lost());
                add(sums, "dropped", count.dropped());
                add(sums, "late", count.late());
                add(sums, "unverified", count.unverified());
                add(sums, "answered", count.answered());
                add(sums, "noReply", count.noReply());
                add(sums, "refused", count.refused());
            } catch (IOException notAPairCount) {
                add(sums, "undecodable", 1);
            }
        }
        return sums;
    }

    private static void add(Map<String, Long> sums, String name, long value) {
        if (value != 0) {
            sums.merge(name, value, Long::sum);
        }
    }

    private record Topics(String events, String observers, String alerts, String incidents, String pairCounts) {}

    private Topics createTopics(String prefix) {
        Topics topics = new Topics(prefix + ".events", prefix + ".observers", prefix + ".alerts",
                prefix + ".incidents", prefix + ".pair-counts");
        kafka.createTopic(topics.events, options.partitions(), false);
        kafka.createTopic(topics.observers, 1, true);
        kafka.createTopic(topics.alerts, 3, false);
        kafka.createTopic(topics.incidents, 1, false);
        kafka.createTopic(topics.pairCounts, 3, false);
        return topics;
    }

    private List<String> common(Topics topics, String events, String observers) {
        List<String> settings = new ArrayList<>(List.of("kafka.bootstrap-servers=" + kafka.bootstrapServers(),
                "scale.topic.events=" + events, "scale.topic.observers=" + observers,
                "scale.topic.pair-counts=" + topics.pairCounts, "kafka.topic.alerts=" + topics.alerts,
                "kafka.topic.incidents=" + topics.incidents, "join.window=" + options.windowSeconds() + "s",
                "topology.pod-cidrs=" + podCidrs, "http.port=-1"));
        if (!options.compression().isEmpty()) {
            settings.add("kafka.producer.compression.type=" + options.compression());
        }
        return settings;
    }

    private List<String> collectorSettings(Topics topics) {
        List<String> settings = common(topics, topics.events, topics.observers);
        settings.addAll(List.of("hubble.mode=direct", "hubble.nodes=" + target, "hubble.backoff.initial=200ms",
                "scale.shards=1", "scale.shard-index=0", "scale.member-id=collector-0"));
        return settings;
    }

    private List<String> correlatorSettings(Topics topics, String events, String observers, String group,
            String member) {
        List<String> settings = common(topics, events, observers);
        settings.addAll(List.of("scale.correlator-group=" + group, "scale.member-id=" + member));
        settings.addAll(CORRELATOR_JOIN);
        return settings;
    }
}
