package io.transitwatch.bench.scale;

import io.transitwatch.bench.e2e.Report;
import java.util.List;
import java.util.Locale;

/** Stateless. The markdown of {@link ScaleBenchmark}'s {@code report.md}: one table per phase. */
final class ScaleReport {
    private ScaleReport() {}

    static String header(String machine, String workload, ScaleBenchmark.Options options, String bootstrap) {
        return "Machine: " + machine + "\n\nWorkload (load server, direct mode: one Hubble server per node): " + workload
                + "\n\nBroker: one KRaft node (combined broker + controller) on " + bootstrap + ", JVM `"
                + options.brokerJvm() + "`; roles' JVM `" + options.roleJvm() + "`; load server JVM `"
                + options.serverJvm() + "`; events topic " + options.partitions() + " partitions; W = "
                + options.windowSeconds() + " s; producer compression " + options.compressionName()
                + "; correlators' join settings: " + (ScalePhases.CORRELATOR_JOIN.isEmpty() ? "the defaults (each partition's share, docs/scaling.md \"Sizing\")" : "`" + String.join(" ", ScalePhases.CORRELATOR_JOIN) + "`") + "\n\n";
    }

    static String collector(ScalePhases.CollectorResult r) {
        double sent = (r.serverEnd().sent() - r.serverStart().sent()) / r.seconds();
        double offered = (r.serverEnd().offered() - r.serverStart().offered()) / r.seconds();
        long skipped = r.serverEnd().skipped() - r.serverStart().skipped();
        double events = r.events() / r.seconds();
        double serverCpu = (r.serverEnd().cpuNanos() - r.serverStart().cpuNanos()) / 1e9 / r.seconds();
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "### Collector (one `transitwatch collect`, %.0f s measured)%n%n"
                        + "| offered flows/s | flows sent/s | skipped by server | events appended/s | events per flow "
                        + "| collector CPU | **events per collector CPU-s** | flows per collector CPU-s | broker CPU "
                        + "| load server CPU | load avg (1/5/15 min) |%n"
                        + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|%n",
                r.seconds()));
        double collectorCores = r.collectorCpu() / 1e9 / r.seconds();
        out.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %.3f | %.0f %% | **%s** | %s | %.0f %% | %.0f %% | %s |%n",
                Report.count(offered), Report.count(sent), Report.count(skipped), Report.count(events),
                r.events() / Math.max(1.0, sent * r.seconds()), 100 * collectorCores,
                Report.count(r.events() / (r.collectorCpu() / 1e9)), Report.count(sent * r.seconds() / (r.collectorCpu() / 1e9)),
                100 * r.brokerCpu() / 1e9 / r.seconds(), 100 * serverCpu, r.load()));
        out.append(String.format(Locale.ROOT, "%nKafka bytes per event: the events topic held %,d records in %,d bytes of "
                + "log segments after the collector stopped: **%.1f B per record on disk** (record batches as stored, "
                + "compression %s). Key + value of one record, uncompressed and without Kafka's framing: %.1f B "
                + "(average of the first 200,000 records). Records include the heartbeats (one per partition per "
                + "`scale.heartbeat-interval`) and observer status, a few hundred per second at most.%n",
                r.totalRecords(), r.bytesOnDisk(), r.bytesOnDisk() / (double) Math.max(1, r.totalRecords()),
                r.compression(), r.recordBytes()));
        return out.toString();
    }

    static String correlators(List<ScalePhases.CorrelatorResult> results) {
        StringBuilder out = new StringBuilder(String.format(Locale.ROOT,
                "### Correlators (one fresh group per row, the collector's topic from offset 0; span from %.0f %% to "
                        + "%.0f %% of it committed)%n%n"
                        + "| correlators | events in topic | span | events/s | events/s per correlator | CPU per "
                        + "correlator | **events per correlator CPU-s** | broker CPU | verdicts in pair counts | load avg (1/5/15 min) |%n"
                        + "|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|%n",
                100 * ScalePhases.SPAN_FROM, 100 * ScalePhases.SPAN_TO));
        for (ScalePhases.CorrelatorResult r : results) {
            if (!r.measured()) {
                out.append(String.format(Locale.ROOT, "| %d | %s | none: the group had all its members only after "
                        + "%.0f %% was committed (a longer collector phase fills a longer topic) | – | – | – | – | – | %s | %s |%n",
                        r.correlators(), Report.count(r.totalRecords()), 100 * ScalePhases.SPAN_TO, r.verdicts(), r.load()));
                continue;
            }
            StringBuilder cpu = new StringBuilder();
            for (long each : r.correlatorCpu()) {
                cpu.append(cpu.length() == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.0f %%", 100 * each / 1e9 / r.seconds()));
            }
            out.append(String.format(Locale.ROOT, "| %d | %s | %.1f s%s | %s | %s | %s | **%s** | %.0f %% | %s | %s |%n",
                    r.correlators(), Report.count(r.totalRecords()), r.seconds(),
                    r.settledBeforeSpan() ? "" : " (group settled late)", Report.count(r.events() / r.seconds()),
                    Report.count(r.events() / r.seconds() / r.correlators()), cpu,
                    Report.count(r.events() / (r.correlatorCpuSum() / 1e9)), 100 * r.brokerCpu() / 1e9 / r.seconds(),
                    r.verdicts(), r.load()));
        }
        if (results.size() >= 2) {
            boolean same = results.stream().allMatch(r -> r.verdicts().equals(results.get(0).verdicts()));
            out.append(same ? "\nEvery group published the same verdicts.\n"
                    : "\n**The groups published different verdicts** (see the table).\n");
        }
        ScalePhases.CorrelatorResult one = results.get(0);
        ScalePhases.CorrelatorResult more = results.get(results.size() - 1);
        if (results.size() >= 2 && one.measured() && more.measured()) {
            out.append(String.format(Locale.ROOT, "%n%d vs %d correlators: %.2f× the events/s, %.2f× the events per CPU-s.%n",
                    more.correlators(), one.correlators(),
                    (more.events() / more.seconds()) / (one.events() / one.seconds()),
                    (more.events() / (double) more.correlatorCpuSum()) / (one.events() / (double) one.correlatorCpuSum())));
        }
        return out.toString();
    }

    static String latency(ScalePhases.LatencyResult r, ScaleBenchmark.Options options) {
        AlertLatency l = r.latency();
        double goal = 1000.0 * (options.windowSeconds() + 3);
        return String.format(Locale.ROOT,
                "### Alert latency (collect → Kafka → %d correlators → alerts, read_committed)%n%n"
                        + "| offered flows/s | judged span | LOST alerts judged | lost departures offered (ground truth) "
                        + "| p50 | **p99** | max | goal W + 3 s | met? | all alerts read, by verdict | load avg (1/5/15 min) |%n"
                        + "|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|%n"
                        + "| %s | %.0f s | %,d | %,d | %.0f ms | **%.0f ms** | %.0f ms | %.0f ms | %s | %s | %s |%n%n"
                        + "Latency = the moment the alert was read − the lost departure's first-seen time (the alert's "
                        + "`first_seen` less its node's clock skew), so it includes W. Alerts of departures outside the "
                        + "judged span: %,d; negative latencies (clamped to 0): %,d; undecodable records: %,d.%n",
                r.correlators(), Report.count(r.rate()), r.seconds(), l.count(), r.expectedLost(), l.millisAt(50),
                l.millisAt(99), l.maxMillis(), goal, l.count() == 0 ? "no data" : l.millisAt(99) <= goal ? "yes" : "**no**",
                r.alertsByVerdict(), r.load(), l.outside(), l.negative(), r.undecodable());
    }
}
