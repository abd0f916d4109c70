package io.transitwatch.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Single-threaded: {@code main} runs every engine on the calling thread, one slice at a time.
 *
 * <p>Compares two or more builds of the join in one JVM, interleaved: each benchmark jar is loaded
 * in class loaders of its own (so each build has its own classes, JIT profile and compiled code),
 * a {@link JoinBenchmark.EngineState} of each is set up, and the engines take turns, a slice of
 * duty cycles each, for the whole measurement. What changes speed for every engine at once (the
 * host, a neighbour, the JVM's own work) then falls on every build alike, so the ratio of their
 * rates is precise where separate JMH forks are not: on our shared 2-core machines two forks of
 * the same jar differ by up to 1.5× (docs/benchmarks.md, "Comparing two builds").
 *
 * <p>What stays is a difference between instances of one build (where its arrays landed, what its
 * JIT decided), a few percent, and a first-loaded instance that tends to run slower. So every jar
 * is loaded {@link #COPIES} times (or {@code --copies}), in the order A B … B A; a build's rate is
 * the sum over its copies, and the ratio of the first build's last copy to its first is printed as
 * the run's noise floor.
 *
 * <pre>
 * java -cp bench/target/benchmarks.jar io.transitwatch.bench.InterleavedComparison \
 *     [--round-trips] [--warmup 10] [--measure 40] [--slice 200] [--copies 2] \
 *     BEFORE.jar AFTER.jar [MORE.jar ...]
 * </pre>
 */
public final class InterleavedComparison {
    /** Instances of each build by default, so that no build owns the first (slower) position. */
    static final int COPIES = 2;

    private InterleavedComparison() {}

    public static void main(String[] args) throws Exception {
        boolean roundTrips = false;
        int warmupSeconds = 10;
        int measureSeconds = 40;
        int cyclesPerSlice = 200;
        int copies = COPIES;
        List<Path> jars = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--round-trips" -> roundTrips = true;
                case "--warmup" -> warmupSeconds = Integer.parseInt(args[++i]);
                case "--measure" -> measureSeconds = Integer.parseInt(args[++i]);
                case "--slice" -> cyclesPerSlice = Integer.parseInt(args[++i]);
                case "--copies" -> copies = Integer.parseInt(args[++i]);
                default -> jars.add(Path.of(args[i]));
            }
        }
        if (jars.size() < 2) {
            System.err.println("usage: InterleavedComparison [--round-trips] [--warmup S] [--measure S]"
                    + " [--slice CYCLES] [--copies N] BEFORE.jar AFTER.jar [MORE.jar ...]");
            System.exit(2);
        }
        for (Path jar : jars) {
            if (!Files.isReadable(jar)) {
                throw new IllegalArgumentException("cannot read benchmark jar " + jar + ": build one with"
                        + " ./mvnw -pl bench -am package -DskipTests and copy bench/target/benchmarks.jar");
            }
        }
        int[] buildOf = loadOrder(jars.size(), copies);
        List<Engine> engines = new ArrayList<>();
        for (int build : buildOf) {
            engines.add(Engine.load(jars.get(build), roundTrips));
        }
        Rates rates = new Rates(buildOf, jars.size());
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        runFor(engines, threads, cyclesPerSlice, warmupSeconds, null);
        runFor(engines, threads, cyclesPerSlice, measureSeconds, rates);
        System.out.print(rates.report(jars));
    }

    /** Builds by load position: each of {@code builds} {@code copies} times, mirrored (A B B A). */
    static int[] loadOrder(int builds, int copies) {
        int[] order = new int[builds * copies];
        for (int copy = 0; copy < copies; copy++) {
            for (int build = 0; build < builds; build++) {
                order[copy * builds + build] = copy % 2 == 0 ? build : builds - 1 - build;
            }
        }
        return order;
    }

    private static void runFor(List<Engine> engines, ThreadMXBean threads, int cyclesPerSlice, int seconds,
            Rates rates) throws Exception {
        long end = System.nanoTime() + seconds * 1_000_000_000L;
        int round = 0;
        while (System.nanoTime() < end) {
            long[] events = new long[engines.size()];
            long[] cpuNanos = new long[engines.size()];
            for (int turn = 0; turn < engines.size(); turn++) {
                int e = (turn + round) % engines.size(); // each engine goes first in turn
                Engine engine = engines.get(e);
                long eventsBefore = engine.eventsSoFar();
                long cpuBefore = threads.getCurrentThreadCpuTime();
                engine.run(cyclesPerSlice);
                cpuNanos[e] = threads.getCurrentThreadCpuTime() - cpuBefore;
                events[e] = engine.eventsSoFar() - eventsBefore;
            }
            round++;
            if (rates != null) {
                rates.addRound(events, cpuNanos);
            }
        }
    }

    /** One build's engine, set up from its own class loader; driven by reflection, a call per duty cycle. */
    private static final class Engine {
        private final Object state;
        private final Method dutyCycle;
        private final Method eventsSoFar;

        private Engine(Object state, Method dutyCycle, Method eventsSoFar) {
            this.state = state;
            this.dutyCycle = dutyCycle;
            this.eventsSoFar = eventsSoFar;
        }

        static Engine load(Path jar, boolean roundTrips) throws Exception {
            URLClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()},
                    ClassLoader.getPlatformClassLoader());
            Class<?> type = Class.forName(JoinBenchmark.EngineState.class.getName(), true, loader);
            Object state = type.getDeclaredConstructor().newInstance();
            type.getField("lapEvents").setInt(state, 1 << 20);
            type.getField("endpointDetails").setBoolean(state, true);
            type.getField("roundTrips").setBoolean(state, roundTrips);
            type.getMethod("setUp").invoke(state);
            Method eventsSoFar = type.getDeclaredMethod("eventsSoFar");
            eventsSoFar.setAccessible(true);
            return new Engine(state, type.getMethod("dutyCycle"), eventsSoFar);
        }

        void run(int cycles) throws Exception {
            for (int cycle = 0; cycle < cycles; cycle++) {
                dutyCycle.invoke(state);
            }
        }

        long eventsSoFar() throws Exception {
            return (long) eventsSoFar.invoke(state);
        }
    }

    /** Events and CPU time per engine instance, and per round the rate of each build over its copies. */
    static final class Rates {
        private final int[] buildOf;
        private final int builds;
        private final long[] events;
        private final long[] cpuNanos;
        private final List<double[]> roundRates = new ArrayList<>();

        Rates(int[] buildOf, int builds) {
            this.buildOf = buildOf;
            this.builds = builds;
            this.events = new long[buildOf.length];
            this.cpuNanos = new long[buildOf.length];
        }

        void addRound(long[] roundEvents, long[] roundCpuNanos) {
            double[] buildEvents = new double[builds];
            double[] buildCpu = new double[builds];
            for (int e = 0; e < buildOf.length; e++) {
                events[e] += roundEvents[e];
                cpuNanos[e] += roundCpuNanos[e];
                buildEvents[buildOf[e]] += roundEvents[e];
                buildCpu[buildOf[e]] += roundCpuNanos[e];
            }
            double[] rate = new double[builds];
            for (int b = 0; b < builds; b++) {
                rate[b] = buildEvents[b] * 1e9 / buildCpu[b];
            }
            roundRates.add(rate);
        }

        /** Events per CPU-second of build {@code build} over all its copies and rounds. */
        double rate(int build) {
            long buildEvents = 0;
            long buildCpu = 0;
            for (int e = 0; e < buildOf.length; e++) {
                if (buildOf[e] == build) {
                    buildEvents += events[e];
                    buildCpu += cpuNanos[e];
                }
            }
            return buildEvents * 1e9 / buildCpu;
        }

        /** Quartiles of the per-round ratio of build {@code build} to build 0: {p25, median, p75}. */
        double[] roundRatioQuartiles(int build) {
            double[] ratios = new double[roundRates.size()];
            for (int round = 0; round < ratios.length; round++) {
                ratios[round] = roundRates.get(round)[build] / roundRates.get(round)[0];
            }
            Arrays.sort(ratios);
            int n = ratios.length;
            return n == 0 ? new double[] {Double.NaN, Double.NaN, Double.NaN}
                    : new double[] {ratios[n / 4], ratios[n / 2], ratios[(3 * n) / 4]};
        }

        String report(List<Path> jars) {
            StringBuilder out = new StringBuilder();
            for (int e = 0; e < buildOf.length; e++) {
                out.append(String.format("instance %d (%s, load position %d): %,.0f events/cpu-s%n", e,
                        jars.get(buildOf[e]).getFileName(), e, events[e] * 1e9 / cpuNanos[e]));
            }
            out.append(String.format("noise floor: copy 2 of %s against copy 1: %.3f%n", jars.get(0).getFileName(),
                    copyRatio(0)));
            for (int b = 0; b < builds; b++) {
                double[] q = roundRatioQuartiles(b);
                out.append(String.format("%s: %,.0f events/cpu-s, %.3f x %s"
                                + " (per round: median %.3f, p25 %.3f, p75 %.3f; %d rounds)%n",
                        jars.get(b).getFileName(), rate(b), rate(b) / rate(0), jars.get(0).getFileName(), q[1], q[0],
                        q[2], roundRates.size()));
            }
            return out.toString();
        }

        /** Rate of the last copy of {@code build} over its first: what two instances of one build differ by. */
        private double copyRatio(int build) {
            int first = -1;
            int last = -1;
            for (int e = 0; e < buildOf.length; e++) {
                if (buildOf[e] == build) {
                    last = e;
                    if (first < 0) {
                        first = e;
                    }
                }
            }
            return (events[last] * 1.0 / cpuNanos[last]) / (events[first] * 1.0 / cpuNanos[first]);
        }
    }
}
