package io.transitwatch.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The end-to-end benchmark compares like with like: one lap of the workload, sent once by the load
 * server at a low rate over real gRPC (after each node's first, ignored, flow: the streams connect
 * before the traffic starts), is joined by the real daemon and by the baseline pipeline into the
 * same verdicts, which are the workload's ground truth: every lost departure is found, by both, and
 * nothing else is. Nothing is skipped. No timing is asserted: the test only waits (bounded) for the
 * verdicts to be reached.
 */
class EndToEndAgreementIT {
    /**
     * Low enough that a cold JVM on a busy machine keeps up: a pipeline that falls seconds behind
     * its input is not what this test is about.
     */
    private static final long RATE = 30_000;
    /**
     * The daemon's default window. Both joins declare LOST a departure whose arrival has not come a
     * window after it; with W = 5 s a stall of the loaded machine (GC, a descheduled pacer) would
     * have to last seconds to turn a late arrival into a false LOST.
     */
    private static final Duration WINDOW = Duration.ofSeconds(5);
    /** How long to go on watching once every departure is decided: anything counted twice shows by then. */
    private static final long SETTLE_MILLIS = 1_000;

    @ParameterizedTest
    @EnumSource(LoadServer.Mode.class)
    void loadServerAndBothPipelinesAgreeOnTheVerdicts(LoadServer.Mode mode) throws InterruptedException {
        Workload workload = Workload.generate(180_000, 7); // 3.6 s of traffic: losses only in its first 0.6 s
        long expected = workload.matchedPerLap() + workload.lostPerLap();
        long flows = workload.messageCount() + workload.connectMessageCount();
        try (LoadServer server = new LoadServer(workload, mode, RATE, Long.MAX_VALUE, true, 1)) {
            Pipeline.Target target = new Pipeline.Target(mode, server.target(), workload.podCidrsSetting(), WINDOW);
            long[] daemon = runOnce(server, "transitwatch", target, expected);
            long[] baseline = runOnce(server, "baseline", target, expected);
            LoadServer.Stats stats = server.stats();
            assertAll(
                    () -> assertTrue(workload.lostPerLap() >= 20, "the workload loses departures: " + workload),
                    () -> assertEquals(2 * flows, stats.sent(), "messages sent, connect + one lap per run"),
                    () -> assertEquals(0, stats.skipped(), "messages skipped"),
                    () -> assertEquals(flows, daemon[0], "flows joined by TransitWatch"),
                    () -> assertEquals(flows, baseline[0], "flows joined by the baseline"),
                    () -> assertEquals(baseline[2], daemon[2], "both pipelines found the same number of LOST"),
                    () -> assertEquals(baseline[1], daemon[1], "both pipelines matched the same number"),
                    () -> assertEquals(workload.lostPerLap(), daemon[2], "TransitWatch lost (ground truth)"),
                    () -> assertEquals(workload.matchedPerLap(), daemon[1], "TransitWatch matched (ground truth)"),
                    () -> assertEquals(0, daemon[3], "TransitWatch unverified"),
                    () -> assertEquals(workload.lostPerLap(), daemon[4], "TransitWatch LOST alerts timed"),
                    () -> assertEquals(workload.lostPerLap(), baseline[2], "baseline lost (ground truth)"),
                    () -> assertEquals(workload.matchedPerLap(), baseline[1], "baseline matched (ground truth)"),
                    () -> assertEquals(workload.lostPerLap(), baseline[4], "baseline LOST verdicts timed"));
        }
    }

    /** {joined, matched, lost, unverified, latency samples} once every departure is decided (or after 60 s). */
    private static long[] runOnce(LoadServer server, String kind, Pipeline.Target target, long expected)
            throws InterruptedException {
        server.setRate(RATE); // a new schedule: this run's lap starts when its streams are open
        try (Pipeline pipeline = Pipeline.start(kind, target)) {
            pipeline.latency().reset();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (pipeline.matched() + pipeline.lost() + pipeline.unverified() < expected
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            Thread.sleep(SETTLE_MILLIS);
            return new long[] {pipeline.joinedFlows(), pipeline.matched(), pipeline.lost(), pipeline.unverified(),
                    pipeline.latency().sinceReset().getTotalCount()};
        }
    }
}
