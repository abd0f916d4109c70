package io.transitwatch.bench;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinDutyCycle;
import io.transitwatch.daemon.join.JoinEngine;
import java.lang.management.ManagementFactory;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The join benchmark with round trips and first data on ({@code JoinBenchmark.ringBufferEngine
 * -p roundTrips=true}) measures a join that gets them right: over several laps of that stream, run
 * through the daemon's duty cycle, the engine's verdicts equal the stream's ground truth, and a
 * steady-state lap allocates nothing on the join thread (issue #11: 0 B/event with them on). No timing.
 */
class RoundTripStreamTest {
    private static final int LAPS = 3;
    private static final int LAP_EVENTS = 1 << 19;

    private static TransitStream stream;
    private static VerdictTally verdicts;
    private static JoinCounters counters;
    private static JoinEngine engine;
    private static long steadyLapEvents;
    private static long steadyLapAllocatedBytes;

    @BeforeAll
    static void playTheRoundTripStream() {
        stream = TransitStream.generate(LAP_EVENTS, JoinBenchmark.SEED, true);
        JoinConfig config = JoinConfig.defaults().withFirstData(true);
        verdicts = new VerdictTally();
        counters = new JoinCounters(config.maxNodes(), config.maxPairs());
        engine = JoinBenchmark.newEngine(stream, config, verdicts, counters);
        StreamReplay replay = new StreamReplay(stream);
        JoinDutyCycle cycle = new JoinDutyCycle(replay.source(), engine, JoinBenchmark.BATCH);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long now = TransitStream.T0;
        long allocatedBefore = 0;
        long deliveredBefore = 0;
        long lapCycles = replay.lapLength() / JoinBenchmark.BATCH;
        for (long turn = 0; turn < LAPS * lapCycles; turn++) {
            if (turn == (LAPS - 1) * lapCycles) {
                allocatedBefore = threads.getCurrentThreadAllocatedBytes();
                deliveredBefore = replay.delivered();
            }
            now = replay.clockAfter(JoinBenchmark.BATCH);
            cycle.run(now);
        }
        steadyLapAllocatedBytes = threads.getCurrentThreadAllocatedBytes() - allocatedBefore;
        steadyLapEvents = replay.delivered() - deliveredBefore;
        // The rest of the last lap, then quiet streams: everything still waiting is decided by time alone.
        long end = (long) LAPS * replay.lapLength();
        while (replay.delivered() < end) {
            int batch = (int) Math.min(JoinBenchmark.BATCH, end - replay.delivered());
            now = replay.clockAfter(batch);
            new JoinDutyCycle(replay.source(), engine, batch).run(now);
        }
        long later = now + 2 * (config.window().toNanos() + config.maxBehind().toNanos());
        cycle.settle(later);
    }

    @Test
    void verdictsEqualTheGroundTruth() {
        assertAll(
                () -> assertTrue(stream.answeredPerLap() > 1000, "round trips answered per lap: " + stream.answeredPerLap()),
                () -> assertTrue(stream.noReplyPerLap() > 5, "round trips unanswered per lap: " + stream.noReplyPerLap()),
                () -> assertEquals(LAPS * stream.matchedPerLap(), verdicts.matched, "matched, first data included"),
                () -> assertEquals(LAPS * stream.lostPerLap(), verdicts.lost, "lost"),
                () -> assertEquals(LAPS * stream.answeredPerLap(), verdicts.answered, "answered"),
                () -> assertEquals(LAPS * stream.noReplyPerLap(), verdicts.noReply, "no reply"),
                () -> assertEquals(0, verdicts.refused, "refused"),
                () -> assertEquals(0, verdicts.unverified, "unverified: the stream has no outages"),
                () -> assertEquals(0, verdicts.late, "late"),
                () -> assertTrue(counters.get(JoinCounters.Global.DEPARTURES) > LAPS * stream.matchedPerLap(),
                        "first-data departures are joined"),
                () -> assertEquals(0, engine.pendingCount(), "pending after the drain"),
                () -> assertEquals(0, engine.roundTripCount(), "round trips waiting after the drain"));
    }

    @Test
    void aSteadyStateLapAllocatesNothing() {
        // 0 B/event; the bound leaves room for a JIT or class-loading residue, not for anything per event.
        assertTrue(steadyLapAllocatedBytes < 16 * 1024,
                "allocated " + steadyLapAllocatedBytes + " bytes over " + steadyLapEvents + " events");
    }
}
