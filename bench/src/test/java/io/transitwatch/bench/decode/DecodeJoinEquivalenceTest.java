package io.transitwatch.bench.decode;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.bench.JoinBenchmark;
import io.transitwatch.bench.TransitStream;
import io.transitwatch.bench.VerdictTally;
import io.transitwatch.bench.baseline.HashMapJoin;
import io.transitwatch.bench.baseline.ProtoFlowConverter;
import io.transitwatch.daemon.decode.FlowDecoder;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.EventSource;
import io.transitwatch.daemon.join.JoinDutyCycle;
import io.transitwatch.daemon.join.JoinEngine;
import org.junit.jupiter.api.Test;

/**
 * {@link DecodeJoinBenchmark} compares like with like: the benchmark's stream, serialized (field-masked),
 * decoded by the daemon's decoder into the engine and by {@code parseFrom} into the HashMap join, over
 * two laps, gives both the same verdicts, and the stream's ground truth. (That full messages decode
 * to the same slots as masked ones is {@link FlowMessagesRoundTripTest}'s business.)
 */
class DecodeJoinEquivalenceTest {
    private static final int LAPS = 2;

    @Test
    void decoderPlusEngineAndParseFromPlusBaselineAgree() {
        TransitStream stream = TransitStream.generate(1 << 20, JoinBenchmark.SEED);
        JoinConfig config = JoinConfig.defaults();
        VerdictTally verdicts = new VerdictTally();
        JoinEngine engine = JoinBenchmark.newEngine(stream, config, verdicts,
                new JoinCounters(config.maxNodes(), config.maxPairs()));
        HashMapJoin baseline = JoinBenchmark.newBaseline(stream, config);
        EncodedStream masked = EncodedStream.encode(stream, FlowMessages.Shape.MASKED);
        FlowDecoder decoder = new FlowDecoder(masked.dictionary());
        ProtoFlowConverter converter = new ProtoFlowConverter(masked.dictionary());
        DecodeReplay engineReplay = new DecodeReplay(masked);
        DecodeReplay baselineReplay = new DecodeReplay(masked);
        NodeEvent engineSlot = new NodeEvent();
        NodeEvent baselineSlot = new NodeEvent();

        EventSource decoded = engineReplay.source((b, o, l, e) -> decoder.decode(b, o, l, e), engineSlot);
        long remaining = (long) LAPS * masked.messageCount();
        long now = TransitStream.T0;
        while (remaining > 0) {
            int batch = (int) Math.min(JoinBenchmark.BATCH, remaining);
            now = engineReplay.clockAfter(batch);
            new JoinDutyCycle(decoded, engine, batch).run(now); // the daemon's duty cycle
            baselineReplay.deliver(converter::decode, baselineSlot, baseline, batch);
            baseline.advance(now);
            remaining -= batch;
        }
        long later = now + 2 * (config.window().toNanos() + config.maxBehind().toNanos());
        engine.advance(later, true, Integer.MAX_VALUE);
        baseline.advance(later);

        assertAll(
                () -> assertEquals(LAPS * stream.matchedPerLap(), verdicts.matched, "engine matched"),
                () -> assertEquals(LAPS * stream.lostPerLap(), verdicts.lost, "engine lost"),
                () -> assertEquals(LAPS * stream.lostAttemptsPerLap(), verdicts.lostAttempts, "engine lost attempts"),
                () -> assertEquals(0, verdicts.unverified, "engine unverified"),
                () -> assertEquals(verdicts.matched, baseline.matched(), "baseline matched"),
                () -> assertEquals(verdicts.lost, baseline.lost(), "baseline lost"),
                () -> assertEquals(verdicts.lostAttempts, baseline.lostAttempts(), "baseline lost attempts"));
    }
}
