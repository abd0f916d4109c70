package io.transitwatch.bench;

import io.transitwatch.bench.baseline.HashMapJoin;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.NodeEventHandler;
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
 * Join alone, in steady state: how many hand-off events per second one core turns into verdicts, and
 * how many bytes that allocates per event (DESIGN §5: ≥ 20,000,000 events/s, 0 B/event). One op is
 * one event; both methods run the same {@link TransitStream} (about 1M events per 21 s lap from six
 * nodes, 1% lost, ±2 s clock skew) through the same duty cycle as {@link io.transitwatch.daemon.join.JoinLoop}:
 * read the clock, hand over a batch of {@value #BATCH} events, then decide what is due.
 *
 * <ul>
 *   <li>{@link #ringBufferEngine}: the daemon's {@link JoinEngine} with {@link JoinConfig#defaults()},
 *       pod CIDRs configured, a counting verdict listener.</li>
 *   <li>{@link #hashMapBaseline}: {@link HashMapJoin}, the HashMap + PriorityQueue join of the
 *       DESIGN's baseline, on an identical copy of the stream.</li>
 * </ul>
 *
 * <p>Each trial first plays one whole lap (untimed), so the join's tables, the topology's learned
 * placements and the JIT are in steady state; laps then repeat forever with times and client ports
 * moved on (see {@link StreamReplay}). The events are pre-built {@link NodeEvent} slots, a lap of
 * them is about 240 MB, so each event is read from memory, not from cache, as a slot of a large
 * hand-off ring would be. Run with {@code -prof gc} and read {@code gc.alloc.rate.norm} (B/op =
 * bytes per event).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms3g", "-Xmx3g"})
public class JoinBenchmark {
    /** Events handed over per duty cycle; {@code advance} runs after each batch. */
    public static final int BATCH = 1024;
    /** Verdicts decided at most per duty cycle, as in the join loop. */
    public static final int DECISION_BUDGET = JoinDutyCycle.DECISION_BUDGET;
    public static final long SEED = 0x7A41_5EED_2026L;

    /** The engine in its daemon configuration, fed the stream. */
    @State(Scope.Thread)
    public static class EngineState extends CpuMeteredState {
        @Param("1048576")
        public int lapEvents;

        /** {@code false}: a diagnostic without per-event placement learning (see TransitStream#withoutEndpointDetails). */
        @Param("true")
        public boolean endpointDetails;

        /**
         * {@code true}: issue #11's work on too, a stream with round trips to the API server and first
         * data after each handshake ({@link TransitStream#generate(int, long, boolean)}), joined with
         * first data join-safe; it must allocate nothing either.
         */
        @Param("false")
        public boolean roundTrips;

        TransitStream stream;
        StreamReplay replay;
        VerdictTally verdicts;
        JoinCounters counters;
        JoinEngine engine;
        JoinDutyCycle cycle;

        @Setup(Level.Trial)
        public void setUp() {
            stream = TransitStream.generate(lapEvents, SEED, roundTrips);
            if (!endpointDetails) {
                stream.withoutEndpointDetails();
            }
            replay = new StreamReplay(stream);
            verdicts = new VerdictTally();
            JoinConfig config = JoinConfig.defaults().withFirstData(roundTrips);
            counters = new JoinCounters(config.maxNodes(), config.maxPairs());
            engine = newEngine(stream, config, verdicts, counters);
            cycle = new JoinDutyCycle(replay.source(), engine, BATCH);
            playLap(this::dutyCycle, replay.lapLength());
        }

        @Override
        protected long eventsSoFar() {
            return replay.delivered();
        }

        @Override
        protected String meterLabel() {
            return "engine";
        }

        /** One turn of the daemon's join loop ({@link JoinDutyCycle}) at the clock of the batch's last event. */
        public int dutyCycle() {
            return cycle.run(replay.clockAfter(BATCH));
        }

        @TearDown(Level.Trial)
        public void report() {
            System.out.printf("%n[engine] %s; %.2f laps: %s, pending now %d%n", stream, laps(replay), verdicts,
                    engine.pendingCount());
        }
    }

    /** The HashMap + PriorityQueue baseline, fed its own copy of the same stream. */
    @State(Scope.Thread)
    public static class BaselineState extends CpuMeteredState {
        @Param("1048576")
        public int lapEvents;

        TransitStream stream;
        StreamReplay replay;
        HashMapJoin join;

        @Setup(Level.Trial)
        public void setUp() {
            stream = TransitStream.generate(lapEvents, SEED);
            replay = new StreamReplay(stream);
            join = newBaseline(stream, JoinConfig.defaults());
            playLap(this::dutyCycle, replay.lapLength());
        }

        @Override
        protected long eventsSoFar() {
            return replay.delivered();
        }

        @Override
        protected String meterLabel() {
            return "baseline";
        }

        public int dutyCycle() {
            long now = replay.clockAfter(BATCH);
            replay.deliver(join, BATCH);
            return join.advance(now);
        }

        @TearDown(Level.Trial)
        public void report() {
            System.out.printf("%n[baseline] %s; %.2f laps: matched=%d lost=%d lostAttempts=%d, pending now %d%n",
                    stream, laps(replay), join.matched(), join.lost(), join.lostAttempts(), join.pendingCount());
        }
    }

    /**
     * The floor under both joins: the same replay and duty cycle with a handler that only reads the
     * fields the join reads. What is left of an event's cost after subtracting this is the join's.
     */
    @State(Scope.Thread)
    public static class ReplayOnlyState extends CpuMeteredState implements NodeEventHandler {
        @Param("1048576")
        public int lapEvents;

        StreamReplay replay;
        long checksum;

        @Setup(Level.Trial)
        public void setUp() {
            replay = new StreamReplay(TransitStream.generate(lapEvents, SEED));
            playLap(this::dutyCycle, replay.lapLength());
        }

        @Override
        protected long eventsSoFar() {
            return replay.delivered();
        }

        @Override
        protected String meterLabel() {
            return "replay only";
        }

        public int dutyCycle() {
            long now = replay.clockAfter(BATCH);
            replay.deliver(this, BATCH);
            return (int) (checksum ^ now);
        }

        @Override
        public void onEvent(NodeEvent event, boolean endOfBatch) {
            checksum += event.node + event.timeNanos + event.receivedNanos + event.observationPoint + event.srcHi
                    + event.srcLo + event.dstHi + event.dstLo + event.srcPort + event.dstPort + event.tcpFlags
                    + event.srcEndpointId + event.dstEndpointId + event.srcPod + event.dstPod + event.dstIdentity
                    + event.interfaceName;
        }
    }

    /**
     * The physical limit of this work on one core: the replay of {@link ReplayOnlyState} (the same
     * event bytes read, the same three writes per event), plus, per event, the join's unavoidable
     * memory traffic: a hash of the key, one random line of an index as large as the engine's
     * pending index (512 KB at the default 65,536 slots) read and written, and one random line of a
     * key table as large as its keys (2.6 MB) read and written. No decision, no second probe, no
     * topology, no counters: a join cannot do less per event, so every figure reads as a fraction of it.
     */
    @State(Scope.Thread)
    public static class PhysicalLimitState extends CpuMeteredState implements NodeEventHandler {
        @Param("1048576")
        public int lapEvents;

        StreamReplay replay;
        int[] index;
        long[] keys;
        long checksum;

        @Setup(Level.Trial)
        public void setUp() {
            replay = new StreamReplay(TransitStream.generate(lapEvents, SEED));
            int slots = JoinConfig.defaults().pendingCapacity();
            index = new int[2 * slots];
            keys = new long[5 * slots];
            playLap(this::dutyCycle, replay.lapLength());
        }

        @Override
        protected long eventsSoFar() {
            return replay.delivered();
        }

        @Override
        protected String meterLabel() {
            return "physical limit";
        }

        public int dutyCycle() {
            long now = replay.clockAfter(BATCH);
            replay.deliver(this, BATCH);
            return (int) (checksum ^ now);
        }

        @Override
        public void onEvent(NodeEvent event, boolean endOfBatch) {
            long k4 = ((long) event.srcPort << 48) | ((long) event.dstPort << 32) | ((long) event.protocol << 24)
                    | event.ipVersion;
            long h = (event.srcHi * 0x9E3779B97F4A7C15L ^ event.srcLo) * 0xC2B2AE3D27D4EB4FL;
            h = ((h ^ event.dstHi) * 0x9E3779B97F4A7C15L ^ event.dstLo) * 0xC2B2AE3D27D4EB4FL;
            h = (h ^ k4) * 0x9E3779B97F4A7C15L;
            h ^= h >>> 33;
            int position = (int) h & (index.length - 1);
            int word = index[position];
            index[position] = word + 1;
            int line = 5 * ((int) (h >>> 32) & (index.length / 2 - 1));
            long key = keys[line];
            keys[line] = key + event.timeNanos;
            checksum += word + key + event.node + event.receivedNanos + event.observationPoint + event.tcpFlags
                    + event.srcEndpointId + event.dstEndpointId + event.srcPod + event.dstPod + event.dstIdentity
                    + event.interfaceName + event.traceReason + event.verdict;
        }
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int physicalLimit(PhysicalLimitState state) {
        return state.dutyCycle();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int replayOnly(ReplayOnlyState state) {
        return state.dutyCycle();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int ringBufferEngine(EngineState state) {
        return state.dutyCycle();
    }

    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int hashMapBaseline(BaselineState state) {
        return state.dutyCycle();
    }

    // ---- shared by the states and the equivalence test ----

    /**
     * A join engine as the daemon builds it, pod CIDRs known, after the daemon connected: every node's
     * stream has delivered its first event ({@link TransitStream#connectEvents()}, one duty cycle, a
     * second before the lap), so that the destination of each of the lap's departures is observed.
     */
    public static JoinEngine newEngine(TransitStream stream, JoinConfig config, VerdictTally verdicts,
            JoinCounters counters) {
        JoinEngine engine = new JoinEngine(config, stream.newTopology(), verdicts, counters);
        engine.setTime(stream.connectedAtNanos());
        connect(stream, engine);
        engine.advance(stream.connectedAtNanos(), true, DECISION_BUDGET);
        return engine;
    }

    /** The HashMap baseline, given the same connect events as {@link #newEngine} (it ignores them but learns placements). */
    public static HashMapJoin newBaseline(TransitStream stream, JoinConfig config) {
        HashMapJoin baseline = new HashMapJoin(config, stream.podCidrsByNodeId());
        connect(stream, baseline);
        baseline.advance(stream.connectedAtNanos());
        return baseline;
    }

    private static void connect(TransitStream stream, NodeEventHandler handler) {
        NodeEvent[] connect = stream.connectEvents();
        for (int i = 0; i < connect.length; i++) {
            handler.onEvent(connect[i], i == connect.length - 1);
        }
    }

    /** Runs whole duty cycles until one lap has been delivered (setup time, untimed). */
    public static void playLap(java.util.function.IntSupplier dutyCycle, int lapLength) {
        long cycles = (lapLength + BATCH - 1) / BATCH;
        for (long i = 0; i < cycles; i++) {
            dutyCycle.getAsInt();
        }
    }

    static double laps(StreamReplay replay) {
        return replay.laps() + (double) (replay.position()) / replay.lapLength();
    }
}
