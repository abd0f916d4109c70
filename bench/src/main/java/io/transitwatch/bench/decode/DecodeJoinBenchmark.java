package io.transitwatch.bench.decode;

import io.transitwatch.bench.CpuMeteredState;
import io.transitwatch.bench.JoinBenchmark;
import io.transitwatch.bench.TransitStream;
import io.transitwatch.bench.VerdictTally;
import io.transitwatch.bench.baseline.HashMapJoin;
import io.transitwatch.bench.baseline.ProtoFlowConverter;
import io.transitwatch.daemon.decode.FlowDecoder;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinDutyCycle;
import io.transitwatch.daemon.join.JoinEngine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Decode + join on one core, per flow (one op = one serialized {@code GetFlowsResponse}): the whole
 * per-flow path of the join thread's side of the daemon minus the ring (DESIGN §5: ≥ 1,000,000
 * flows/s with field-masked flows, 0 B per flow). The {@link JoinBenchmark}'s stream, serialized,
 * is decoded message by message into one reused slot and handed to the join, with the same duty
 * cycle and lap replay (see {@link DecodeReplay}).
 *
 * <ul>
 *   <li>{@link #flowDecoderThenEngine}: {@link FlowDecoder} into the slot, then the {@link JoinEngine}.</li>
 *   <li>{@link #parseFromThenHashMapJoin}: the baseline, {@code GetFlowsResponse.parseFrom} plus
 *       getters ({@link ProtoFlowConverter}), then {@link HashMapJoin}.</li>
 * </ul>
 * Both run on both message shapes; the daemon's configuration is {@code MASKED}.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class DecodeJoinBenchmark {
    static final int BATCH = JoinBenchmark.BATCH;

    @State(Scope.Thread)
    public static class EngineState extends CpuMeteredState {
        @Param({"MASKED", "FULL"})
        public FlowMessages.Shape shape;

        @Param("1048576")
        public int lapEvents;

        DecodeReplay replay;
        DecodeReplay.MessageDecoder decoder;
        final NodeEvent slot = new NodeEvent();
        final VerdictTally verdicts = new VerdictTally();
        JoinEngine engine;
        JoinDutyCycle cycle;

        @Setup(Level.Trial)
        public void setUp() {
            TransitStream stream = TransitStream.generate(lapEvents, JoinBenchmark.SEED);
            EncodedStream encoded = EncodedStream.encode(stream, shape);
            JoinConfig config = JoinConfig.defaults();
            engine = JoinBenchmark.newEngine(stream, config, verdicts,
                    new JoinCounters(config.maxNodes(), config.maxPairs()));
            FlowDecoder flowDecoder = new FlowDecoder(encoded.dictionary());
            decoder = (buffer, offset, length, event) -> flowDecoder.decode(buffer, offset, length, event);
            replay = new DecodeReplay(encoded);
            cycle = new JoinDutyCycle(replay.source(decoder, slot), engine, BATCH);
            JoinBenchmark.playLap(this::dutyCycle, replay.lapLength());
            System.out.printf("%n%s%n", encoded);
        }

        @Override
        protected long eventsSoFar() {
            return replay.delivered();
        }

        @Override
        protected String meterLabel() {
            return "decode+engine";
        }

        /** One turn of the daemon's join loop ({@link JoinDutyCycle}), decoding as the ingest does. */
        public int dutyCycle() {
            return cycle.run(replay.clockAfter(BATCH));
        }

        @TearDown(Level.Trial)
        public void report() {
            System.out.printf("%n[decode+engine] %,d flows: %s%n", replay.delivered(), verdicts);
        }
    }

    @State(Scope.Thread)
    public static class BaselineState extends CpuMeteredState {
        @Param({"MASKED", "FULL"})
        public FlowMessages.Shape shape;

        @Param("1048576")
        public int lapEvents;

        DecodeReplay replay;
        DecodeReplay.MessageDecoder decoder;
        final NodeEvent slot = new NodeEvent();
        HashMapJoin join;

        @Setup(Level.Trial)
        public void setUp() {
            TransitStream stream = TransitStream.generate(lapEvents, JoinBenchmark.SEED);
            EncodedStream encoded = EncodedStream.encode(stream, shape);
            join = JoinBenchmark.newBaseline(stream, JoinConfig.defaults());
            ProtoFlowConverter converter = new ProtoFlowConverter(encoded.dictionary());
            decoder = converter::decode;
            replay = new DecodeReplay(encoded);
            JoinBenchmark.playLap(this::dutyCycle, replay.lapLength());
            System.out.printf("%n%s%n", encoded);
        }

        @Override
        protected long eventsSoFar() {
            return replay.delivered();
        }

        @Override
        protected String meterLabel() {
            return "parseFrom+hashmap";
        }

        public int dutyCycle() {
            long now = replay.clockAfter(BATCH);
            replay.deliver(decoder, slot, join, BATCH);
            return join.advance(now);
        }

        @TearDown(Level.Trial)
        public void report() {
            System.out.printf("%n[parseFrom+hashmap] %,d flows: matched=%d lost=%d%n", replay.delivered(),
                    join.matched(), join.lost());
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int flowDecoderThenEngine(EngineState state) {
        return state.dutyCycle();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int parseFromThenHashMapJoin(BaselineState state) {
        return state.dutyCycle();
    }
}
