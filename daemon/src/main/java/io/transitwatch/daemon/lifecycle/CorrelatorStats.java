package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.http.RoleView.RoleMetric;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Single writer, many readers: the correlator thread counts, any thread (its HTTP port, tests, the
 * closing log line) reads. What {@code transitwatch correlate} has done since its start, and the
 * metrics its HTTP port shows of it.
 */
final class CorrelatorStats {
    private final Clock clock;
    private final AtomicLong alertsCommitted = new AtomicLong();
    private final AtomicLong pairCountsCommitted = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong aborted = new AtomicLong();
    private final AtomicLong rebuilt = new AtomicLong();
    private final AtomicLong collectorsGone = new AtomicLong();
    private final AtomicLong collectorRestarts = new AtomicLong();
    private volatile int assignedPartitions;
    /** The lowest time of the assigned partitions that have one (their live collectors' lowest heartbeat), else MIN_VALUE. */
    private volatile long oldestFrontierNanos = Long.MIN_VALUE;

    CorrelatorStats(Clock clock) {
        this.clock = clock;
    }

    // ---- writer side (the correlator thread) ----

    void committed(int alerts, int pairCounts) {
        transactions.incrementAndGet();
        alertsCommitted.addAndGet(alerts);
        pairCountsCommitted.addAndGet(pairCounts);
    }

    void aborted() {
        aborted.incrementAndGet();
    }

    void rebuilt() {
        rebuilt.incrementAndGet();
    }

    /** Adds collectors newly declared gone and newly restarted; returns the gone ones so far. */
    long collectorChanges(long gone, long restarts) {
        collectorRestarts.addAndGet(restarts);
        return collectorsGone.addAndGet(gone);
    }

    /** After each poll: how many partitions are assigned and the oldest of their times (MIN_VALUE: none has one). */
    void partitions(int assigned, long oldestFrontierNanos) {
        this.assignedPartitions = assigned;
        this.oldestFrontierNanos = oldestFrontierNanos;
    }

    // ---- readers (any thread); the rest is in the metrics ----

    long transactions() {
        return transactions.get();
    }

    /** Partitions (re)built by replay. */
    long partitionsRebuilt() {
        return rebuilt.get();
    }

    List<RoleMetric> metrics() {
        return List.of(
                RoleMetric.counter("transitwatch_correlator_alerts_committed",
                        "Alerts written in committed transactions", alertsCommitted.get()),
                RoleMetric.counter("transitwatch_correlator_transactions",
                        "Kafka transactions committed", transactions.get()),
                RoleMetric.counter("transitwatch_correlator_transactions_aborted",
                        "Kafka transactions aborted (their partitions are replayed)", aborted.get()),
                RoleMetric.counter("transitwatch_correlator_collectors_declared_gone",
                        "Collectors declared gone in a partition (behind the others by more than "
                                + "scale.collector-timeout): their nodes' windows turn UNVERIFIED", collectorsGone.get()),
                RoleMetric.counter("transitwatch_correlator_collector_restarts",
                        "Collector restarts seen in a partition (heartbeat sequence reset)", collectorRestarts.get()),
                RoleMetric.counter("transitwatch_correlator_partitions_rebuilt",
                        "Partitions rebuilt by replay after an assignment", rebuilt.get()),
                RoleMetric.gauge("transitwatch_correlator_partitions_assigned",
                        "Partitions of scale.topic.events this correlator joins", assignedPartitions),
                RoleMetric.gauge("transitwatch_correlator_decision_lag_seconds",
                        "How far the oldest assigned partition's time (its live collectors' lowest heartbeat "
                                + "watermark) trails this correlator's clock; grows while every collector of a "
                                + "partition is silent or the correlator lags; NaN before the first heartbeat",
                        decisionLagSeconds()));
    }

    /** The closing log line's account. */
    String summary() {
        return "committed " + transactions.get() + " transactions (" + aborted.get() + " aborted) with "
                + alertsCommitted.get() + " alerts and " + pairCountsCommitted.get()
                + " pair counts; partitions (re)built " + rebuilt.get();
    }

    private double decisionLagSeconds() {
        long oldest = oldestFrontierNanos;
        return oldest == Long.MIN_VALUE ? Double.NaN : (clock.epochNanos() - oldest) / 1e9;
    }
}
