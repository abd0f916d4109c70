package io.transitwatch.bench.decode;

import io.transitwatch.bench.CpuMeteredState;
import io.transitwatch.bench.JoinBenchmark;
import io.transitwatch.bench.TransitStream;
import io.transitwatch.bench.baseline.ProtoFlowConverter;
import io.transitwatch.daemon.decode.FlowDecoder;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.proto.observer.GetFlowsResponse;
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
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding alone: serialized {@code GetFlowsResponse} messages to the join's view of them, per
 * message (one op = one flow). The messages are the {@link JoinBenchmark}'s stream (about 1M
 * realistic trace flows of a six-node cluster), serialized with the generated classes in both
 * {@link FlowMessages.Shape shapes}: field-masked, as the daemon requests them, and full, as a server
 * without field-mask support (or a client that asks for none) sends them.
 *
 * <ul>
 *   <li>{@link #flowDecoder}: the daemon's {@link FlowDecoder}, straight from the bytes into a
 *       reused {@link NodeEvent} slot, names interned (DESIGN §5).</li>
 *   <li>{@link #protobufParseFrom}: the baseline of DESIGN §5, {@code GetFlowsResponse.parseFrom}
 *       of the whole message, and nothing more (the flow's fields are not even read, which flatters
 *       the baseline); each message object goes to a {@link Blackhole}.</li>
 * </ul>
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms4g", "-Xmx4g"})
public class DecodeBenchmark {
    /** Messages per benchmark invocation. */
    public static final int BATCH = 1024;

    @State(Scope.Thread)
    public static class Messages extends CpuMeteredState {
        @Param({"MASKED", "FULL"})
        public FlowMessages.Shape shape;

        @Param("1048576")
        public int lapEvents;

        EncodedStream encoded;
        DecodeReplay replay;
        FlowDecoder decoder;
        DecodeReplay.MessageDecoder intoSlot;
        final NodeEvent slot = new NodeEvent();
        int cursor;
        long parsed;

        @Setup(Level.Trial)
        public void setUp() {
            encoded = EncodedStream.encode(TransitStream.generate(lapEvents, JoinBenchmark.SEED), shape);
            replay = new DecodeReplay(encoded);
            decoder = new FlowDecoder(encoded.dictionary());
            intoSlot = (buffer, offset, length, event) -> decoder.decode(buffer, offset, length, event);
            System.out.printf("%n%s%n", encoded);
        }

        @Override
        protected long eventsSoFar() {
            return replay.delivered() + parsed;
        }

        @Override
        protected String meterLabel() {
            return shape.toString();
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public long flowDecoder(Messages m) {
        return m.replay.decodeOnly(m.intoSlot, m.slot, BATCH);
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void protobufParseFrom(Messages m, Blackhole blackhole) {
        byte[] bytes = m.encoded.bytes();
        int i = m.cursor;
        int count = m.encoded.messageCount();
        for (int n = 0; n < BATCH; n++) {
            GetFlowsResponse response = ProtoFlowConverter.parse(bytes, m.encoded.offset(i), m.encoded.length(i));
            blackhole.consume(response);
            if (++i == count) {
                i = 0;
            }
        }
        m.cursor = i;
        m.parsed += BATCH;
    }
}
