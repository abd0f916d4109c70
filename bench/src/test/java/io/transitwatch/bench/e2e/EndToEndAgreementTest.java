package io.transitwatch.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The end-to-end benchmark compares like with like: one lap of the workload, sent once by the load
 * server at a low rate over real gRPC, is joined by the real daemon and by the baseline pipeline
 * into the same verdicts, which are the workload's ground truth; nothing is skipped. No timing is
 * asserted: the test only waits (bounded) for the verdicts to be reached.
 */
class EndToEndAgreementTest {
    /**
     * Low enough that a cold JVM on a busy machine keeps up: a pipeline that falls seconds behind
     * its input is not what this test is about (and both joins then judge pairs that were received
     * out of order differently, see docs/benchmarks.md).
     */
    private static final long RATE = 30_000;
    private static final Duration WINDOW = Duration.ofSeconds(1);

    @ParameterizedTest
    @EnumSource(LoadServer.Mode.class)
    void loadServerAndBothPipelinesAgreeOnTheVerdicts(LoadServer.Mode mode) throws InterruptedException {
        Workload workload = Workload.generate(180_000, 7); // 3.6 s of traffic: losses only in its first 0.6 s
        long expected = workload.matchedPerLap() + workload.lostPerLap();
        try (LoadServer server = new LoadServer(workload, mode, RATE, Long.MAX_VALUE, true, 1)) {
            Pipeline.Target target = new Pipeline.Target(mode, server.target(), workload.podCidrsSetting(), WINDOW);
            long[] daemon = runOnce(server, "transitwatch", target, expected);
            long[] baseline = runOnce(server, "baseline", target, expected);
            LoadServer.Stats stats = server.stats();
            assertAll(
                    () -> assertEquals(2L * workload.messageCount(), stats.sent(), "messages sent, one lap per run"),
                    () -> assertEquals(0, stats.skipped(), "messages skipped"),
                    () -> assertEquals(workload.messageCount(), daemon[0], "flows joined by TransitWatch"),
                    () -> assertEquals(workload.matchedPerLap(), daemon[1], "TransitWatch matched"),
                    () -> assertEquals(workload.lostPerLap(), daemon[2], "TransitWatch lost"),
                    () -> assertEquals(0, daemon[3], "TransitWatch unverified"),
                    () -> assertEquals(workload.lostPerLap(), daemon[4], "TransitWatch LOST alerts timed"),
                    () -> assertEquals(workload.messageCount(), baseline[0], "flows joined by the baseline"),
                    () -> assertEquals(workload.matchedPerLap(), baseline[1], "baseline matched"),
                    () -> assertEquals(workload.lostPerLap(), baseline[2], "baseline lost"),
                    () -> assertEquals(workload.lostPerLap(), baseline[4], "baseline LOST verdicts timed"));
        }
    }

    /** {joined, matched, lost, unverified, latency samples} once every departure is decided (or after 60 s). */
    private static long[] runOnce(LoadServer server, String kind, Pipeline.Target target, long expected)
            throws InterruptedException {
        server.setRate(RATE); // a new schedule: this run's lap starts now
        try (Pipeline pipeline = Pipeline.start(kind, target)) {
            pipeline.latency().reset();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pipeline.matched() + pipeline.lost() + pipeline.unverified() < expected
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(WINDOW.toMillis()); // anything counted twice would show up by now
            return new long[] {pipeline.joinedFlows(), pipeline.matched(), pipeline.lost(), pipeline.unverified(),
                    pipeline.latency().sinceReset().getTotalCount()};
        }
    }
}
