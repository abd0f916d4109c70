package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinCounters.Global;
import io.transitwatch.daemon.join.JoinCounters.PerPair;
import io.transitwatch.daemon.join.JoinDutyCycle;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.lifecycle.JoinAssembly;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.Simulator;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The daemon past saturation, judged on counts: the simulated cluster (healthy, so every LOST would be
 * false) against the real ingest over gRPC and the real join, where the test thread is the join thread
 * and decides how many events it takes per step of simulated time.
 *
 * <ol>
 *   <li><b>Normal load</b>: the join takes everything; each step waits until every stream delivered
 *       what its node emitted.
 *   <li><b>Twice the saturation rate</b>: per 10 ms step the join takes only half of what the nodes
 *       emitted in that step (and waits only until that much is in the hand-off ring, so it never
 *       wrongly sees the ring drained). The ring fills, the streams run out of permits and stop
 *       asking Hubble for flows, and the nodes' rings overrun: Hubble reports HUBBLE_RING_BUFFER lost
 *       events.
 *   <li><b>Load back below saturation</b>: the join takes everything again.
 * </ol>
 *
 * Asserted: what holds events stays within its bound throughout (hand-off ring, pending departures,
 * no capacity evictions), so the heap does not grow with the excess; the {@code overloaded} signal is
 * up during the overload and down after; the skipped events' windows are UNVERIFIED(LOST_EVENTS);
 * there is not one LOST verdict; and departures made after the recovery are all decided by their
 * arrivals again (MATCHED, none UNVERIFIED).
 */
class OverloadIT {
    private static final int NODE_RING = 512;
    private static final int HANDOFF_RING = 1024;
    private static final int REQUEST_WINDOW = 128;
    private static final long STEP_MILLIS = 10;
    /** Overload lasts at least this long (simulated), and until Hubble reported skipped events. */
    private static final int MIN_OVERLOAD_STEPS = 300;

    private final ManualClock clock = new ManualClock(Clock.SYSTEM.epochNanos());
    private final StringDictionary dictionary = new StringDictionary(1 << 16);
    private final List<Alert> lostAlerts = new ArrayList<>();

    private long maxFill;
    private int maxPending;

    @Test
    @Timeout(value = 5, unit = TimeUnit.MINUTES) // some 3,000 steps, each a round trip over gRPC
    void pastSaturationTheDaemonShedsThroughHubbleWithoutFalseLossAndRecovers() {
        Scenario busy = Scenario.builder().name("overload").connectionsPerSecond(2_000).build();
        try (Simulator sim = Simulator.start(SimulatorConfig.builder().mode(SimMode.NODES).host("127.0.0.1")
                .port(0).scenario(busy).clock(clock).trafficThread(false).ringCapacity(NODE_RING)
                .eventLogCapacity(16).build())) {
            List<String> nodes = List.copyOf(sim.nodeTargets().keySet());
            IngestConfig config = IngestHarness.fast(IngestConfig.staticNodes(nodes.stream()
                            .map(n -> new IngestConfig.StaticNode(n, sim.nodeTargets().get(n))).toList()))
                    .withRing(HANDOFF_RING, REQUEST_WINDOW)
                    .withRequest(false, true); // every flow: so that "delivered all it emitted" is a count
            JoinAssembly join = JoinAssembly.from(Demo.check(List.of()), dictionary, clock, this::collect);
            try (HubbleIngest ingest = new HubbleIngest(config, dictionary, clock, NamedThreadFactory::daemon)) {
                HandoffRing ring = ingest.ring();
                JoinDutyCycle drain = new JoinDutyCycle(ring::poll, join.engine());
                ingest.start();
                Run run = new Run(sim, ingest, join, drain, nodes);

                // Subscribed before any traffic: every flow a node emits from now on is sent to its stream.
                run.until("every node's stream open", () -> sim.openStreams() == nodes.size());
                run.until("every stream delivering", () -> {
                    run.normalStep();
                    return join.counters().get(Global.NODE_UP) == nodes.size();
                });
                for (int i = 0; i < 600; i++) { // 6 s of normal load: longer than the signal's hold
                    run.normalStep();
                }
                long lostEventsBefore = ingest.state().overload().readerLostEvents();
                assertEquals(0, lostEventsBefore, "normal load: Hubble skipped nothing");
                assertFalse(ingest.state().overload().overloaded(), "normal load is not overload");
                long unverifiedLostEventsBefore = sumPairs(join.counters(), PerPair.UNVERIFIED_LOST_EVENTS);

                int[] overloadSteps = {0};
                boolean[] signalled = {false};
                run.until("Hubble to report skipped events", () -> {
                    run.overloadedStep();
                    signalled[0] |= ingest.state().overload().overloaded();
                    return ++overloadSteps[0] >= MIN_OVERLOAD_STEPS
                            && ingest.state().overload().readerLostEvents() > lostEventsBefore;
                });
                assertTrue(signalled[0], "the overloaded signal was up during the overload");
                assertTrue(ring.creditWaits() > 0, "the streams ran out of permits and stopped asking");
                long skipped = ingest.state().overload().readerLostEvents() - lostEventsBefore;

                run.until("every stream caught up again", () -> {
                    run.normalStep();
                    return run.everyStreamCaughtUp();
                });
                for (int i = 0; i < 1_000; i++) { // 10 s: windows and the lost-events span have passed
                    run.normalStep();
                }
                assertFalse(ingest.state().overload().overloaded(), "the signal is down again");
                JoinCounters counters = join.counters();
                long matchedBefore = counters.get(Global.MATCHED);
                long unverifiedBefore = counters.get(Global.UNVERIFIED);
                long departuresBefore = counters.get(Global.DEPARTURES);
                for (int i = 0; i < 300; i++) { // 3 s of departures made after the recovery
                    run.normalStep();
                }
                sim.pauseTraffic();
                for (int i = 0; i < 800; i++) { // their windows end, connections under way finish
                    run.normalStep();
                }

                long departedAfter = counters.get(Global.DEPARTURES) - departuresBefore;
                System.out.printf("OverloadIT: %d overloaded steps, %d events skipped by Hubble, %d credit waits, "
                        + "%d UNVERIFIED(LOST_EVENTS), %d UNVERIFIED in all, %d LOST, %d departures after the recovery "
                        + "(%d matched), max ring fill %d of %d, max pending %d%n", overloadSteps[0], skipped,
                        ring.creditWaits(), sumPairs(counters, PerPair.UNVERIFIED_LOST_EVENTS) - unverifiedLostEventsBefore,
                        counters.get(Global.UNVERIFIED), counters.get(Global.LOST), departedAfter,
                        counters.get(Global.MATCHED) - matchedBefore, maxFill, ring.capacity(), maxPending);
                assertTrue(departedAfter > 1_000, "departures after the recovery: " + departedAfter);
                assertEquals(0, counters.get(Global.UNVERIFIED) - unverifiedBefore,
                        "after the recovery every departure is decided by its arrival again");
                assertTrue(counters.get(Global.MATCHED) - matchedBefore >= departedAfter,
                        "matched after the recovery " + (counters.get(Global.MATCHED) - matchedBefore) + " of "
                                + departedAfter);
                assertEquals(0, counters.get(Global.LOST), "a healthy cluster: every LOST would be false");
                assertEquals(List.of(), lostAlerts);
                long unverifiedLostEvents = sumPairs(counters, PerPair.UNVERIFIED_LOST_EVENTS) - unverifiedLostEventsBefore;
                assertTrue(unverifiedLostEvents > 0, "the skipped events' windows are UNVERIFIED(LOST_EVENTS); "
                        + skipped + " events skipped");
                assertTrue(maxFill <= ring.capacity(), "hand-off ring fill " + maxFill);
                assertTrue(maxPending <= join.engine().pendingCapacity(), "pending " + maxPending);
                assertEquals(0, counters.get(Global.PENDING_EVICTED), "no departure was evicted for lack of room");
            }
        }
    }

    private void collect(SinkEvent event) {
        if (event instanceof Alert alert && alert.verdict() == Verdict.LOST_IN_TRANSIT) {
            lostAlerts.add(alert);
        }
    }

    private static long sumPairs(JoinCounters counters, PerPair counter) {
        long sum = 0;
        for (int slot = 0; slot < counters.pairCount(); slot++) {
            if (counters.pairInUse(slot)) {
                sum += counters.pair(slot, counter);
            }
        }
        return sum;
    }

    /** The steps of one run; the test thread is the join thread. */
    private final class Run {
        private final Simulator sim;
        private final HubbleIngest ingest;
        private final JoinAssembly join;
        private final JoinDutyCycle drain;
        private final List<String> nodes;
        private long emittedBefore;

        Run(Simulator sim, HubbleIngest ingest, JoinAssembly join, JoinDutyCycle drain, List<String> nodes) {
            this.sim = sim;
            this.ingest = ingest;
            this.join = join;
            this.drain = drain;
            this.nodes = nodes;
        }

        /** Below saturation: 10 ms of traffic, every stream delivers it, the join takes all of it. */
        void normalStep() {
            advance();
            until("every stream delivered its node's events", () -> {
                drainAll();
                return everyStreamCaughtUp() && ingest.ring().fillLevel() == 0;
            });
            drainAll();
        }

        /** Twice the saturation rate: 10 ms of traffic, of which the join takes half. */
        void overloadedStep() {
            long emitted = advance();
            int capacity = (int) Math.max(1, emitted / 2);
            until("the hand-off ring to hold the join's share", () -> ingest.ring().fillLevel() >= capacity
                    || everyStreamCaughtUp());
            observe();
            JoinDutyCycle limited = new JoinDutyCycle(ingest.ring()::poll, join.engine(), capacity);
            limited.run(clock.epochNanos()); // a full batch: the join knows more is waiting
            observe();
        }

        /** Plays one step of traffic; returns how many flows the nodes emitted in it. */
        private long advance() {
            clock.advanceMillis(STEP_MILLIS);
            sim.advanceTraffic();
            long emitted = 0;
            for (String node : nodes) {
                emitted += sim.eventCounts(node).flows();
            }
            long step = emitted - emittedBefore;
            emittedBefore = emitted;
            return step;
        }

        private void drainAll() {
            observe();
            while (drain.run(clock.epochNanos()) > 0) {
                observe();
            }
        }

        private void observe() {
            maxFill = Math.max(maxFill, ingest.ring().fillLevel());
            maxPending = Math.max(maxPending, join.engine().pendingCount());
        }

        /** Every flow each node emitted was received, or Hubble said it skipped it. */
        boolean everyStreamCaughtUp() {
            for (String node : nodes) {
                NodeIngestState state = ingest.state().node(node);
                if (state == null || state.flows() + state.lostEvents() < sim.eventCounts(node).flows()) {
                    return false;
                }
            }
            return true;
        }

        void until(String what, BooleanSupplier done) {
            Awaitility.await(what).atMost(Duration.ofSeconds(120)).pollInSameThread().pollDelay(Duration.ZERO)
                    .pollInterval(Duration.ofMillis(1)).until(done::getAsBoolean);
        }
    }
}
