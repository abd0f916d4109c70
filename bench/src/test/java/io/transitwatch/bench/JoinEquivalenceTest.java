package io.transitwatch.bench;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.bench.baseline.HashMapJoin;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.EventSource;
import io.transitwatch.daemon.join.JoinDutyCycle;
import io.transitwatch.daemon.join.JoinEngine;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The comparison in {@link JoinBenchmark} is apples to apples: on the benchmark's own stream, over
 * several laps (so the per-lap rebase of times and ports is covered), the engine and the HashMap
 * baseline reach the same verdicts, and both match the stream's ground truth. No timing here.
 */
class JoinEquivalenceTest {
    private static final int LAPS = 3;

    private static TransitStream stream;
    private static VerdictTally engineVerdicts;
    private static JoinCounters engineCounters;
    private static JoinEngine engine;
    private static HashMapJoin baseline;

    @BeforeAll
    static void playTheBenchmarkStreamThroughBoth() {
        stream = TransitStream.generate(1 << 20, JoinBenchmark.SEED);
        JoinConfig config = JoinConfig.defaults();
        engineVerdicts = new VerdictTally();
        engineCounters = new JoinCounters(config.maxNodes(), config.maxPairs());
        engine = JoinBenchmark.newEngine(stream, config, engineVerdicts, engineCounters);
        baseline = JoinBenchmark.newBaseline(stream, config);
        StreamReplay replay = new StreamReplay(stream);

        // The engine runs the daemon's duty cycle; the baseline gets every event the engine gets, in step.
        EventSource both = (engineHandler, limit) -> {
            replay.deliver((event, endOfBatch) -> {
                engineHandler.onEvent(event, endOfBatch);
                baseline.onEvent(event, endOfBatch);
            }, limit);
            return limit;
        };
        long remaining = (long) LAPS * replay.lapLength();
        long now = TransitStream.T0;
        while (remaining > 0) {
            int batch = (int) Math.min(JoinBenchmark.BATCH, remaining);
            now = replay.clockAfter(batch);
            new JoinDutyCycle(both, engine, batch).run(now);
            baseline.advance(now);
            remaining -= batch;
        }
        // The streams stay connected but go quiet: everything still pending is decided by time alone.
        long later = now + 2 * (config.window().toNanos() + config.maxBehind().toNanos());
        engine.advance(later, true, Integer.MAX_VALUE);
        baseline.advance(later);
    }

    @Test
    void engineAndBaselineReachTheSameVerdicts() {
        assertAll(
                () -> assertEquals(baseline.matched(), engineVerdicts.matched, "matched"),
                () -> assertEquals(baseline.lost(), engineVerdicts.lost, "lost"),
                () -> assertEquals(baseline.dropped(), engineVerdicts.dropped, "dropped at destination"),
                () -> assertEquals(baseline.lostAttempts(), engineVerdicts.lostAttempts, "attempts of lost departures"),
                () -> assertEquals(baseline.retransmissions(), engineCounters.get(JoinCounters.Global.RETRANSMISSIONS),
                        "retransmissions"),
                () -> assertEquals(baseline.departures(), engineCounters.get(JoinCounters.Global.DEPARTURES),
                        "departures"));
    }

    @Test
    void bothMatchTheStreamsGroundTruth() {
        assertAll(
                () -> assertEquals(LAPS * stream.matchedPerLap(), engineVerdicts.matched, "matched"),
                () -> assertEquals(LAPS * stream.lostPerLap(), engineVerdicts.lost, "lost"),
                () -> assertEquals(LAPS * stream.lostAttemptsPerLap(), engineVerdicts.lostAttempts, "lost attempts"),
                () -> assertEquals(LAPS * stream.retransmissionsPerLap(), baseline.retransmissions(), "retransmissions"),
                () -> assertEquals(0, engineVerdicts.unverified, "unverified: the stream has no outages"),
                () -> assertEquals(stream.nodeNames().length, engineCounters.get(JoinCounters.Global.NODE_UP), "nodes up"),
                () -> assertEquals(stream.nodeNames().length,
                        engineCounters.get(JoinCounters.Global.IGNORED_OBSERVATION_POINT), "first flows ignored"),
                () -> assertEquals(0, engineVerdicts.late, "late"),
                () -> assertEquals(0, engine.pendingCount(), "engine pending after the drain"),
                () -> assertEquals(0, baseline.pendingCount(), "baseline pending after the drain"));
    }

    @Test
    void theStreamIsWhatTheBenchmarkSays() {
        long events = stream.events().length;
        double lossRatio = (double) stream.lostPerLap() / (stream.lostPerLap() + stream.matchedPerLap());
        assertAll(
                () -> assertTrue(Math.abs(events - (1 << 20)) < (1 << 20) / 1000, "about 1M events per lap: " + events),
                () -> assertTrue(lossRatio > 0.003 && lossRatio < 0.01, "under 1% of departures lost: " + lossRatio),
                () -> assertTrue(stream.lapNanos() > 15 * TransitStream.S, "a lap spans more than W + memory"),
                () -> assertEquals(stream.nodeNames().length, stream.connectFlows().length, "one first flow per node"),
                () -> assertTrue(stream.connectedAtNanos() + JoinConfig.defaults().watermarkSlack().toNanos()
                        < stream.events()[0].receivedNanos, "every stream delivered before the lap, by more than the slack"));
    }
}
