package io.transitwatch.bench.e2e;

import java.time.Duration;

/**
 * Thread-safe: started and closed by the harness thread; its counters are read from any thread.
 *
 * <p>A consumer of the load server's flows under measurement: TransitWatch's real daemon
 * ({@link DaemonPipeline}) or the typical protobuf-java + HashMap implementation
 * ({@link BaselinePipeline}). Both count the flows their join processed and the verdicts it reached,
 * and time their LOST verdicts the same way ({@link VerdictLatency}).
 */
interface Pipeline extends AutoCloseable {
    /** What a thread of the pipeline does, for CPU accounting. */
    enum Role { JOIN, INGEST, SINK, OTHER }

    /**
     * Where the flows come from and what the pipeline must know about the cluster.
     *
     * @param target {@link LoadServer#target()}
     * @param podCidrs the {@code topology.pod-cidrs} value
     */
    record Target(LoadServer.Mode mode, String target, String podCidrs, Duration window) {}

    static Pipeline start(String kind, Target target) {
        return switch (kind) {
            case "transitwatch" -> DaemonPipeline.start(target);
            case "baseline" -> BaselinePipeline.start(target, false);
            case "baseline-batched" -> BaselinePipeline.start(target, true);
            default -> throw new IllegalArgumentException(
                    "pipeline is transitwatch, baseline or baseline-batched, not " + kind);
        };
    }

    String name();

    /** Flows the join has processed so far. */
    long joinedFlows();

    long matched();

    long lost();

    /** Departures decided UNVERIFIED (TransitWatch only: after lost events, the baseline has no such verdict). */
    default long unverified() {
        return 0;
    }

    VerdictLatency latency();

    /** The pipeline's own counters, one line, for the run's log. */
    String diagnostics();

    Role roleOf(String threadName);

    @Override
    void close();
}
