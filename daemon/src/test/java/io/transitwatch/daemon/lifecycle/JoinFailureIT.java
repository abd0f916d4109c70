package io.transitwatch.daemon.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.http.HttpTestSupport;
import io.transitwatch.daemon.handoff.Credit;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.SlotWriter;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.http.DaemonView;
import io.transitwatch.daemon.http.HttpEndpoint;
import io.transitwatch.daemon.ingest.IngestState;
import io.transitwatch.daemon.ingest.RequestProfile;
import io.transitwatch.daemon.join.EventSource;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinLoop;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.sinks.dispatch.DispatchSettings;
import io.transitwatch.sinks.dispatch.SinkDispatcher;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Failures on the join thread are visible: an exception for one event goes through the real
 * {@link HandoffRing} and {@link JoinLoop} to the metric and to the log (with its stack trace, via
 * {@link Logging}'s formatter) and the join goes on with the next events; an {@link Error} ends the
 * join thread and {@code /readyz} (and {@code /healthz}) turn 503, as does a join thread held in one
 * cycle for 30 s of its clock (a stall), until it moves on. No timed assertions: waits are
 * Awaitility conditions with generous limits, and the stall is timed on a manual clock.
 */
class JoinFailureIT {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long POISON = T0 + 3;
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final String LOGGER = "io.transitwatch.test.JoinFailureIT";
    private static final PrintStream NO_OUTPUT = new PrintStream(OutputStream.nullOutputStream());

    private final Logger julLogger = Logger.getLogger(LOGGER); // held: JUL forgets unreferenced loggers' handlers
    private final List<String> logged = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(getFormatter().format(record));
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void captureTheLog() {
        capture.setFormatter(new Logging.OneLineFormatter());
        capture.setLevel(Level.ALL);
        julLogger.setUseParentHandlers(false);
        julLogger.addHandler(capture);
    }

    @AfterEach
    void releaseTheLog() {
        julLogger.removeHandler(capture);
        julLogger.setUseParentHandlers(true);
    }

    @Test
    void anExceptionForOneEventIsCountedLoggedWithItsStackTraceAndTheNextEventsAreJoined() {
        ManualClock clock = new ManualClock(T0);
        StringDictionary dictionary = new StringDictionary(1 << 10);
        JoinAssembly join = JoinAssembly.from(ConfigLoader.load(null, Map.of(), List.of("hubble.mode=relay",
                "hubble.relay.address=127.0.0.1:1")), dictionary, clock, event -> { });
        HandoffRing ring = new HandoffRing(64, clock);
        List<Long> joined = new CopyOnWriteArrayList<>();
        // The engine, wrapped so that it throws for exactly one event (its time is POISON).
        EventSource source = (engine, limit) -> ring.poll((event, endOfBatch) -> {
            if (event.timeNanos == POISON) {
                throw poisoned(event.timeNanos);
            }
            engine.onEvent(event, endOfBatch);
            joined.add(event.timeNanos);
        }, limit);
        JoinLoop loop = new JoinLoop(source, join.engine(), clock, NamedThreadFactory.daemon("test-join"),
                new ThrottledErrorLog(System.getLogger(LOGGER), "join", clock, Duration.ofSeconds(10)));
        HttpEndpoint http = serve(join, dictionary, ring, loop);
        try {
            Credit credit = ring.newCredit(() -> { });
            assertEquals(5, credit.tryAcquire(5));
            int node = dictionary.intern("node-a");
            SlotWriter<Long> flowAt = (slot, time) -> {
                slot.kind = NodeEvent.FLOW;
                slot.node = node;
                slot.timeNanos = time;
            };
            for (long t = T0 + 1; t <= T0 + 5; t++) {
                ring.publish(flowAt, t);
            }
            loop.start();

            await("the events after the bad one").atMost(PATIENCE).until(() -> joined.size() == 4);
            assertEquals(List.of(T0 + 1, T0 + 2, T0 + 4, T0 + 5), joined);
            assertEquals(4, join.counters().get(JoinCounters.Global.EVENTS), "the engine saw all but the bad one");
            assertEquals(1, loop.errorCount());
            assertEquals(1, ring.skippedEvents());
            assertTrue(loop.isRunning(), "an exception does not stop the join");

            String metrics = HttpTestSupport.get(http.port(), "/metrics").body();
            assertTrue(metrics.lines().anyMatch("transitwatch_join_errors_total 1.0"::equals), metrics);
            assertTrue(metrics.lines().anyMatch("transitwatch_join_skipped_events_total 1.0"::equals), metrics);

            assertEquals(1, logged.size(), String.join("", logged));
            String log = logged.get(0);
            assertTrue(log.contains(" ERROR " + LOGGER.substring("io.transitwatch.".length())
                    + " join: failed, skipped the event or the rest of the cycle: java.lang.IllegalStateException: "
                    + "poisoned event " + POISON), log);
            assertTrue(log.contains("\n  java.lang.IllegalStateException: poisoned event " + POISON), log);
            assertTrue(log.contains("\n    at io.transitwatch.daemon.lifecycle.JoinFailureIT.poisoned("), log);
            assertTrue(log.contains("\n    at io.transitwatch.daemon.handoff.HandoffRing.poll("), log);
            assertTrue(log.contains("\n    at io.transitwatch.daemon.join.JoinLoop."), log);
        } finally {
            http.close();
            loop.close();
        }
    }

    @Test
    void aJoinThreadStuckInOneCycleFailsBothProbesSaysWhereAndRecoversWhenItMovesOn() throws InterruptedException {
        ManualClock clock = new ManualClock(T0);
        StringDictionary dictionary = new StringDictionary(1 << 10);
        JoinAssembly join = JoinAssembly.from(ConfigLoader.load(null, Map.of(), List.of("hubble.mode=relay",
                "hubble.relay.address=127.0.0.1:1")), dictionary, clock, event -> { });
        HandoffRing ring = new HandoffRing(64, clock);
        AtomicBoolean holdNextCycle = new AtomicBoolean();
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        EventSource source = (engine, limit) -> {
            if (holdNextCycle.compareAndSet(true, false)) {
                holdTheJoinThread(held, release);
            }
            return ring.poll(engine, limit);
        };
        JoinLoop loop = new JoinLoop(source, join.engine(), clock, NamedThreadFactory.daemon("test-join"),
                new ThrottledErrorLog(System.getLogger(LOGGER), "join", clock, Duration.ofSeconds(10)));
        HttpEndpoint http = serve(join, dictionary, ring, loop);
        try {
            loop.start();
            holdNextCycle.set(true);
            assertTrue(held.await(PATIENCE.toSeconds(), TimeUnit.SECONDS), "the join thread reached the hold");
            clock.advanceMillis(TimeUnit.NANOSECONDS.toMillis(JoinLoop.STALL_AFTER_NANOS) - 1);
            assertEquals(200, HttpTestSupport.get(http.port(), "/healthz").statusCode(), "a long cycle is not yet a stall");
            assertFalse(loop.isStalled());

            clock.advanceMillis(1);
            assertTrue(loop.isStalled());
            HttpResponse<String> live = HttpTestSupport.get(http.port(), "/healthz");
            assertEquals(503, live.statusCode(), live.body());
            assertTrue(live.body().startsWith("join thread stalled: one duty cycle has run for 30 s"), live.body());
            assertTrue(live.body().contains(", called from " + JoinFailureIT.class.getName() + ".holdTheJoinThread("),
                    live.body());
            HttpResponse<String> ready = HttpTestSupport.get(http.port(), "/readyz");
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().startsWith("not ready: join thread stalled: "), ready.body());
            assertTrue(HttpTestSupport.get(http.port(), "/api/status").body().contains("\"join_stalled\":true"));
            String metrics = HttpTestSupport.get(http.port(), "/metrics").body();
            assertTrue(metrics.lines().anyMatch("transitwatch_join_cycle_age_seconds 30.0"::equals), metrics);

            release.countDown();
            await("/healthz 200 once the thread moves on").atMost(PATIENCE)
                    .until(() -> HttpTestSupport.get(http.port(), "/healthz").statusCode() == 200);
            assertFalse(loop.isStalled());
            assertTrue(loop.isRunning());
            assertEquals(0, loop.errorCount(), "a stall is no error");
        } finally {
            release.countDown();
            http.close();
            loop.close();
        }
    }

    @Test
    void repeatedFailuresAreLoggedAtMostOncePerIntervalWithTheCountLeftOutAndAnErrorAlways() {
        ManualClock clock = new ManualClock(T0);
        ThrottledErrorLog log = new ThrottledErrorLog(System.getLogger(LOGGER), "join", clock, Duration.ofSeconds(10));
        log.accept(poisoned(1));
        clock.advanceMillis(1_000);
        log.accept(poisoned(2));
        clock.advanceMillis(8_999);
        log.accept(poisoned(3));
        assertEquals(1, logged.size(), String.join("", logged));
        clock.advanceMillis(1);
        log.accept(poisoned(4));
        assertEquals(2, logged.size(), String.join("", logged));
        assertTrue(logged.get(1).contains("poisoned event 4 (2 more failures since the previous line, not logged)"),
                logged.get(1));
        assertTrue(logged.get(1).contains("\n    at io.transitwatch.daemon.lifecycle.JoinFailureIT.poisoned("),
                logged.get(1));
        log.accept(poisoned(5));
        log.accept(new InjectedError("join"));
        assertEquals(3, logged.size(), String.join("", logged));
        assertTrue(logged.get(2).contains("join: thread stopped by " + InjectedError.class.getName()
                + ": injected into the join thread (1 more failure since the previous line, not logged)"),
                logged.get(2));
    }

    @Test
    void anErrorOnTheJoinThreadStopsItAndTurnsReadyzFalse(@TempDir Path tlsDir) {
        AtomicBoolean armed = new AtomicBoolean();
        // The daemon's own clock, failing once, with an Error, for the first caller on the join thread once armed.
        Clock failingOnce = InjectedError.failingOnceOn("join", armed);
        try (Demo demo = Demo.start(SimMode.RELAY, Scenario.preset("seed"),
                List.of("http.port=0", "http.address=127.0.0.1"), tlsDir, NO_OUTPUT, failingOnce)) {
            int port = demo.daemon().httpPort();
            await("/readyz 200").atMost(PATIENCE).until(() -> HttpTestSupport.get(port, "/readyz").statusCode() == 200);
            assertTrue(demo.daemon().joinLoop().isRunning());

            armed.set(true);
            await("/readyz 503").atMost(PATIENCE).until(() -> HttpTestSupport.get(port, "/readyz").statusCode() == 503);
            HttpResponse<String> ready = HttpTestSupport.get(port, "/readyz");
            assertEquals(503, ready.statusCode(), ready.body());
            assertTrue(ready.body().startsWith("not ready: join thread is not running (stopped by "
                    + InjectedError.class.getName()), ready.body());
            assertEquals(503, HttpTestSupport.get(port, "/healthz").statusCode());
            assertFalse(demo.daemon().joinLoop().isRunning());
            assertTrue(demo.daemon().joinLoop().stoppedBy() instanceof InjectedError);
            assertEquals(1, demo.daemon().joinLoop().errorCount());
            String metrics = HttpTestSupport.get(port, "/metrics").body();
            assertTrue(metrics.lines().anyMatch("transitwatch_join_errors_total 1.0"::equals), metrics);
        }
    }

    /** The daemon's HTTP side over a join without ingest or sinks. */
    private static HttpEndpoint serve(JoinAssembly join, StringDictionary dictionary, HandoffRing ring, JoinLoop loop) {
        SinkDispatcher noSinks = new SinkDispatcher(List.of(), NamedThreadFactory.daemon("test-sink"),
                DispatchSettings.defaults(), System::nanoTime);
        DaemonView view = new DaemonView(join.counters(), dictionary, new IngestState(RequestProfile.FULL), ring,
                join.engine(), loop, join.incidents(), join.alerts(), noSinks,
                io.transitwatch.daemon.kubernetes.DiscoveryStatus::disabled);
        return HttpEndpoint.start(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), view,
                NamedThreadFactory.daemon("test-http"), NamedThreadFactory.daemon("test-http-sampler"));
    }

    /** Keeps the join thread in its cycle until released; its own method, so that the stall's report can be recognised. */
    private static void holdTheJoinThread(CountDownLatch held, CountDownLatch release) {
        held.countDown();
        try {
            release.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** The failure of the bad event; its own method, so that the log's stack trace can be recognised. */
    private static IllegalStateException poisoned(long eventTime) {
        return new IllegalStateException("poisoned event " + eventTime);
    }
}
