package io.transitwatch.sinks.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.sinks.Await;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.TestThreads;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class SinkDispatcherTest {
    private final List<SinkDispatcher> started = new ArrayList<>();
    private final List<TestSinks.Gated> gates = new ArrayList<>();

    @AfterEach
    void releaseEverything() {
        gates.forEach(TestSinks.Gated::open);
        started.forEach(d -> d.close(Duration.ofSeconds(10)));
    }

    private SinkDispatcher start(DispatchSettings settings, TestSinks.Recording... sinks) {
        for (TestSinks.Recording sink : sinks) {
            if (sink instanceof TestSinks.Gated gated) {
                gates.add(gated);
            }
        }
        SinkDispatcher dispatcher = new SinkDispatcher(List.of(sinks), new TestThreads("sink"), settings, System::nanoTime);
        dispatcher.start();
        started.add(dispatcher);
        return dispatcher;
    }

    private static List<SinkEvent> alerts(int count) {
        List<SinkEvent> events = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            events.add(TestEvents.lostAlert(String.format("01JKPZ5N3G%016d", i)));
        }
        return events;
    }

    @Test
    void shouldDeliverEveryEventToEverySinkInOfferOrderOnItsOwnNamedThread() {
        TestSinks.Recording stdout = new TestSinks.Recording("stdout");
        TestSinks.Recording kafka = new TestSinks.Recording("kafka");
        SinkDispatcher dispatcher = start(DispatchSettings.defaults().withMaxBatch(7), stdout, kafka);
        List<SinkEvent> events = alerts(100);
        events.forEach(dispatcher::offer);

        Await.until(() -> stdout.events.size() == 100 && kafka.events.size() == 100, "both sinks got all 100");
        assertEquals(events, stdout.events);
        assertEquals(events, kafka.events);
        assertTrue(stdout.threads.stream().allMatch(name -> name.matches("transitwatch-sink-\\d-stdout")), stdout.threads::toString);
        assertTrue(kafka.threads.stream().allMatch(name -> name.matches("transitwatch-sink-\\d-kafka")), kafka.threads::toString);
        assertTrue(stdout.calls.stream().allMatch(call -> !call.startsWith("publish") || Integer.parseInt(call.substring(8)) <= 7));
        Await.until(() -> dispatcher.counters("kafka").sent() == 100, "kafka sent counter reaches 100");
        assertEquals(0, dispatcher.counters("kafka").dropped() + dispatcher.counters("kafka").failed());
    }

    @Test
    void shouldNotLetAHangingSinkDelayAnotherSinkOrTheCaller() {
        TestSinks.Gated slack = new TestSinks.Gated("slack");
        TestSinks.Recording kafka = new TestSinks.Recording("kafka");
        SinkDispatcher dispatcher = start(DispatchSettings.defaults().withQueueCapacity(1_000).withMaxBatch(1), slack, kafka);
        List<SinkEvent> events = alerts(2_000);

        events.subList(0, 1_000).forEach(dispatcher::offer);
        Await.until(() -> kafka.events.size() == 1_000, () -> "kafka got the first 1000 while slack hangs, has " + kafka.events.size());
        Await.until(() -> slack.entered.get() == 1, "slack's worker hangs inside its first publish");

        // Slack's queue is now full; offering keeps returning at once, and only slack drops.
        int refusedSomewhere = 0;
        for (SinkEvent event : events.subList(1_000, 2_000)) {
            refusedSomewhere += dispatcher.offer(event) ? 0 : 1;
        }
        Await.until(() -> kafka.events.size() == 2_000, () -> "kafka got all 2000, has " + kafka.events.size());
        assertEquals(events, kafka.events);
        SinkCounters slackCounters = dispatcher.counters("slack");
        assertEquals(999, refusedSomewhere);
        assertEquals(999, slackCounters.dropped());
        assertEquals(1_000, slackCounters.queued());
        assertEquals(0, slack.events.size());
        assertEquals(0, dispatcher.counters("kafka").dropped());
    }

    @Test
    void shouldCountQueueFullDropsExactly() {
        TestSinks.Gated slow = new TestSinks.Gated("slow");
        SinkDispatcher dispatcher = start(DispatchSettings.defaults().withQueueCapacity(10).withMaxBatch(1), slow);
        List<SinkEvent> events = alerts(26);

        assertTrue(dispatcher.offer(events.get(0)));
        Await.until(() -> slow.entered.get() == 1, "the worker holds the first event inside publish");
        int accepted = 0;
        for (SinkEvent event : events.subList(1, 26)) {
            accepted += dispatcher.offer(event) ? 1 : 0;
        }
        SinkCounters counters = dispatcher.counters("slow");
        assertEquals(10, accepted);
        assertEquals(10, counters.queued());
        assertEquals(15, counters.dropped());

        slow.open();
        Await.until(() -> counters.sent() == 11, () -> "11 sent, was " + counters.sent());
        assertEquals(events.subList(0, 11), slow.events);
        assertEquals(0, counters.queued());
        assertEquals(15, counters.dropped());
        assertEquals(0, counters.failed());
    }

    @Test
    void shouldDrainFlushAndCloseEverySinkOnClose() {
        TestSinks.Gated slow = new TestSinks.Gated("slow");
        TestSinks.Recording fast = new TestSinks.Recording("fast");
        SinkDispatcher dispatcher = new SinkDispatcher(List.of(slow, fast), new TestThreads("sink"),
                DispatchSettings.defaults().withMaxBatch(10), System::nanoTime);
        dispatcher.start();
        List<SinkEvent> events = alerts(100);
        dispatcher.offer(events.get(0));
        Await.until(() -> slow.entered.get() == 1, "slow sink is inside its first publish");
        events.subList(1, 100).forEach(dispatcher::offer);
        assertTrue(dispatcher.counters("slow").queued() == 99);

        slow.open();
        assertTrue(dispatcher.close(Await.GENEROUS));

        assertEquals(events, slow.events);
        assertEquals(events, fast.events);
        for (TestSinks.Recording sink : List.of(slow, fast)) {
            int last = sink.calls.size();
            assertEquals(List.of("flush", "close"), sink.calls.subList(last - 2, last), sink.name + " " + sink.calls);
            assertEquals(100, dispatcher.counters(sink.name).sent());
        }
        assertFalse(dispatcher.offer(events.get(0)), "offers after close are refused");
        assertEquals(1, dispatcher.counters("fast").dropped());
    }

    @Test
    void shouldGiveUpOnAHungSinkAtTheDeadlineAndCountWhatItNeverPublished() {
        TestSinks.Gated hung = new TestSinks.Gated("hung");
        TestSinks.Recording healthy = new TestSinks.Recording("healthy");
        SinkDispatcher dispatcher = new SinkDispatcher(List.of(hung, healthy), new TestThreads("sink"),
                DispatchSettings.defaults().withMaxBatch(1), System::nanoTime);
        dispatcher.start();
        List<SinkEvent> events = alerts(6);
        dispatcher.offer(events.get(0));
        Await.until(() -> hung.entered.get() == 1, "hung sink is inside publish");
        events.subList(1, 6).forEach(dispatcher::offer);

        assertFalse(dispatcher.close(Duration.ofMillis(300)), "the hung sink cannot finish");

        SinkCounters counters = dispatcher.counters("hung");
        Await.until(() -> hung.closed, "the interrupted worker still closes its sink");
        Await.until(() -> counters.failed() + counters.dropped() == 6, () -> "all 6 accounted for: " + counters.failed()
                + " failed, " + counters.dropped() + " dropped");
        assertEquals(1, counters.failed(), "the batch it was interrupted in");
        assertEquals(5, counters.dropped(), "the events it never got to");
        assertEquals(events, healthy.events);
        assertTrue(healthy.closed);
    }

    @Test
    void shouldCountABatchAsFailedWhenTheSinkThrowsAndKeepGoing() {
        TestSinks.Throwing broken = new TestSinks.Throwing("broken");
        SinkDispatcher dispatcher = start(DispatchSettings.defaults(), broken);
        alerts(20).forEach(dispatcher::offer);
        Await.until(() -> dispatcher.counters("broken").failed() == 20, "all 20 counted as failed");
        assertEquals(0, dispatcher.counters("broken").sent());
    }

    @Test
    void shouldRefuseTwoSinksWithOneName() {
        assertThrows(IllegalArgumentException.class, () -> new SinkDispatcher(
                List.of(new TestSinks.Recording("kafka"), new TestSinks.Recording("kafka")),
                new TestThreads("sink"), DispatchSettings.defaults(), System::nanoTime));
    }
}
