package io.transitwatch.daemon.sim;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.TraceObservationPoint;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** Shared helpers of the simulator tests: a manual clock, channels, flow predicates, awaiting. */
final class SimTestSupport {
    static final long T0 = Instant.parse("2026-02-11T22:00:00Z").getEpochSecond() * 1_000_000_000L;

    private SimTestSupport() {}

    /** A simulator without traffic thread: the test moves {@code clock} and calls {@link Simulator#advanceTraffic()}. */
    static Simulator manual(Scenario scenario, ManualClock clock, SimMode mode) {
        return Simulator.start(SimulatorConfig.builder().mode(mode).scenario(scenario).clock(clock)
                .trafficThread(false).build());
    }

    static void advance(Simulator sim, ManualClock clock, Duration by) {
        clock.advanceNanos(by.toNanos());
        sim.advanceTraffic();
    }

    static List<Flow> flows(Simulator sim, String node) {
        return sim.emittedEvents(node).stream().filter(GetFlowsResponse::hasFlow).map(GetFlowsResponse::getFlow)
                .toList();
    }

    static List<Flow> flows(Simulator sim, String node, Predicate<Flow> filter) {
        return flows(sim, node).stream().filter(filter).toList();
    }

    static Predicate<Flow> at(TraceObservationPoint point) {
        return f -> f.getTraceObservationPoint() == point;
    }

    static Predicate<Flow> tuple(String source, String destination, int destinationPort) {
        return f -> f.getIP().getSource().equals(source) && f.getIP().getDestination().equals(destination)
                && f.getL4().getTCP().getDestinationPort() == destinationPort;
    }

    static Predicate<Flow> synOnly() {
        return f -> f.getL4().getTCP().getFlags().getSYN() && !f.getL4().getTCP().getFlags().getACK();
    }

    static long nanos(Flow flow) {
        return flow.getTime().getSeconds() * 1_000_000_000L + flow.getTime().getNanos();
    }

    static ManagedChannel plaintext(String target) {
        return channel(target, InsecureChannelCredentials.create());
    }

    static ManagedChannel channel(String target, ChannelCredentials credentials) {
        return Grpc.newChannelBuilder(target, credentials).build();
    }

    static void close(ManagedChannel channel) throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    /**
     * Waits (generously) for an asynchronous condition; fails with {@code what} if it never holds.
     * The condition runs on the calling thread, so it may move the manual clock and play traffic.
     */
    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        Awaitility.await(what).atMost(Duration.ofSeconds(20)).pollInSameThread()
                .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(10))
                .until(condition::getAsBoolean);
    }
}
