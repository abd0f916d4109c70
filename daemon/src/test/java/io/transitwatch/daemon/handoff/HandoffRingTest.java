package io.transitwatch.daemon.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class HandoffRingTest {
    private static final SlotWriter<Long> FLOW_AT = (slot, time) -> {
        slot.kind = NodeEvent.FLOW;
        slot.timeNanos = time;
    };
    private static final SlotWriter<Long> GAP_AT = (slot, time) -> {
        slot.kind = NodeEvent.GAP;
        slot.gapStartNanos = time;
    };

    private final ManualClock clock = new ManualClock(1_000);

    @Test
    void shouldRejectCapacityThatIsNotAPowerOfTwo() {
        assertThrows(IllegalArgumentException.class, () -> new HandoffRing(100, clock));
        assertThrows(IllegalArgumentException.class, () -> new HandoffRing(8, clock));
    }

    @Test
    void shouldHandOverInOrderWithBatchEndsAndLimit() {
        HandoffRing ring = new HandoffRing(16, clock);
        Credit credit = ring.newCredit(() -> { });
        assertEquals(5, credit.tryAcquire(5));
        for (long t = 1; t <= 5; t++) {
            ring.publish(FLOW_AT, t);
        }
        List<String> seen = new ArrayList<>();
        NodeEventHandler handler = (event, endOfBatch) -> seen.add(event.timeNanos + (endOfBatch ? "!" : ""));
        assertEquals(2, ring.poll(handler, 2));
        assertEquals(3, ring.poll(handler, 10));
        assertEquals(0, ring.poll(handler, 10));
        assertEquals(List.of("1", "2!", "3", "4", "5!"), seen);
        assertEquals(5, ring.published());
        assertEquals(5, ring.consumed());
        assertEquals(0, ring.fillLevel());
    }

    @Test
    void aBatchIsHandedOverInOrderStampedOnceAndItsPermitsComeBack() {
        HandoffRing ring = new HandoffRing(16, clock);
        Credit credit = ring.newCredit(() -> { });
        assertEquals(6, credit.tryAcquire(6));
        NodeEvent[] batch = new NodeEvent[4];
        for (int i = 0; i < batch.length; i++) {
            batch[i] = new NodeEvent();
            batch[i].kind = NodeEvent.FLOW;
            batch[i].timeNanos = 10 + i;
        }
        clock.set(77);
        ring.publishBatch(batch, 3);
        ring.publishBatch(batch, 0);
        ring.publish(FLOW_AT, 20L);
        List<String> seen = new ArrayList<>();
        assertEquals(4, ring.poll((event, end) -> seen.add(event.timeNanos + "@" + event.receivedNanos), 10));
        assertEquals(List.of("10@77", "11@77", "12@77", "20@77"), seen);
        assertEquals(ring.flowPermitCapacity() - 2, ring.availableFlowPermits(), "two permits still held, four back");
    }

    @Test
    void shouldStampReceivedTimeFromTheInjectedClock() {
        HandoffRing ring = new HandoffRing(16, clock);
        ring.newCredit(() -> { }).tryAcquire(1);
        clock.set(42);
        ring.publish(FLOW_AT, 7L);
        ring.poll((event, end) -> assertEquals(42, event.receivedNanos), 1);
    }

    @Test
    void shouldGrantNoMorePermitsThanTheRingCanHoldAndReturnThemOnConsumption() {
        HandoffRing ring = new HandoffRing(64, clock);
        Credit credit = ring.newCredit(() -> { });
        assertEquals(56, ring.flowPermitCapacity());
        assertEquals(56, credit.tryAcquire(1000));
        assertEquals(0, credit.tryAcquire(1));
        for (int i = 0; i < 56; i++) {
            ring.publish(FLOW_AT, (long) i);
        }
        assertEquals(56, ring.fillLevel());
        assertEquals(10, ring.poll((e, end) -> { }, 10));
        assertEquals(10, ring.availableFlowPermits());
        credit.release(0);
        assertEquals(10, credit.tryAcquire(20));
    }

    @Test
    void shouldCallAWaitingProducerBackOnceAfterTheConsumerReleases() {
        HandoffRing ring = new HandoffRing(16, clock);
        AtomicInteger callbacks = new AtomicInteger();
        Credit hog = ring.newCredit(() -> { });
        Credit waiter = ring.newCredit(callbacks::incrementAndGet);
        int all = hog.tryAcquire(100);
        assertEquals(0, waiter.tryAcquire(4));
        assertEquals(0, waiter.tryAcquire(4), "registering twice is one registration");
        assertEquals(1, ring.creditWaits());
        ring.poll((e, end) -> { }, 10);
        assertEquals(0, callbacks.get(), "nothing was released yet");
        ring.publish(FLOW_AT, 1L);
        ring.poll((e, end) -> { }, 10);
        assertEquals(1, callbacks.get());
        assertEquals(1, waiter.tryAcquire(4));
        hog.release(all - 1);
        ring.poll((e, end) -> { }, 10);
        assertEquals(1, callbacks.get(), "called once per registration");
    }

    @Test
    void shouldWakeWaitersWhenAProducerReleasesEvenIfTheRingIsEmpty() {
        HandoffRing ring = new HandoffRing(16, clock);
        AtomicInteger callbacks = new AtomicInteger();
        Credit hog = ring.newCredit(() -> { });
        Credit waiter = ring.newCredit(callbacks::incrementAndGet);
        int all = hog.tryAcquire(100);
        waiter.tryAcquire(1);
        hog.release(all);
        assertEquals(0, ring.poll((e, end) -> { }, 10));
        assertEquals(1, callbacks.get());
    }

    @Test
    void shouldPublishControlEventsFromTheirOwnHeadroomWhenFlowPermitsAreExhausted() {
        HandoffRing ring = new HandoffRing(16, clock);
        Credit credit = ring.newCredit(() -> { });
        int permits = credit.tryAcquire(100);
        for (int i = 0; i < permits; i++) {
            ring.publish(FLOW_AT, (long) i);
        }
        assertTrue(ring.publishControl(GAP_AT, 99L));
        assertTrue(ring.publishControl(GAP_AT, 100L));
        List<Byte> kinds = new ArrayList<>();
        assertEquals(16, ring.poll((e, end) -> kinds.add(e.kind), 100));
        assertEquals(NodeEvent.GAP, kinds.get(15));
        assertEquals(0, ring.controlWaits());
        assertEquals(14, ring.availableFlowPermits(), "control slots return to their own pool");
    }

    @Test
    void shouldRethrowAHandlerExceptionAfterSkippingItsEventAndContinueAfterIt() {
        HandoffRing ring = new HandoffRing(16, clock);
        int all = ring.availableFlowPermits();
        ring.newCredit(() -> { }).tryAcquire(4);
        for (long t = 1; t <= 4; t++) {
            ring.publish(FLOW_AT, t);
        }
        List<Long> seen = new ArrayList<>();
        IllegalStateException bug = new IllegalStateException("bug");
        NodeEventHandler handler = (e, end) -> {
            if (e.timeNanos == 2) {
                throw bug;
            }
            seen.add(e.timeNanos);
        };
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> ring.poll(handler, 10));
        assertSame(bug, thrown, "the handler's own exception, stack trace and all");
        assertEquals(List.of(1L), seen, "the poll ended at the bad event");
        assertEquals(1, ring.skippedEvents());
        assertEquals(2, ring.consumed(), "the bad event is consumed: it is not handed over again");
        assertEquals(all - 2, ring.availableFlowPermits(), "both consumed slots returned their permits");
        assertEquals(2, ring.poll(handler, 10));
        assertEquals(List.of(1L, 3L, 4L), seen);
        assertEquals(1, ring.skippedEvents());
        assertEquals(0, ring.fillLevel());
    }

    @Test
    void shouldRethrowAnErrorAndACheckedExceptionOfTheHandler() {
        HandoffRing ring = new HandoffRing(16, clock);
        ring.newCredit(() -> { }).tryAcquire(2);
        ring.publish(FLOW_AT, 1L);
        ring.publish(FLOW_AT, 2L);
        assertThrows(AssertionError.class, () -> ring.poll((e, end) -> {
            throw new AssertionError("fatal");
        }, 10));
        java.lang.reflect.UndeclaredThrowableException wrapped = assertThrows(
                java.lang.reflect.UndeclaredThrowableException.class,
                () -> ring.poll((e, end) -> sneakyThrow(new java.io.IOException("checked")), 10));
        assertEquals("checked", wrapped.getCause().getMessage());
        assertEquals(2, ring.skippedEvents());
        assertEquals(0, ring.fillLevel());
    }

    @Test
    void shouldReportAFailingDemandListenerAfterCallingTheOtherWaiters() {
        HandoffRing ring = new HandoffRing(16, clock);
        AtomicInteger callbacks = new AtomicInteger();
        Credit hog = ring.newCredit(() -> { });
        Credit failing = ring.newCredit(() -> {
            throw new IllegalStateException("listener bug");
        });
        Credit waiter = ring.newCredit(callbacks::incrementAndGet);
        int all = hog.tryAcquire(100);
        failing.tryAcquire(1);
        waiter.tryAcquire(1);
        hog.release(all);
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> ring.poll((e, end) -> { }, 10));
        assertEquals("listener bug", thrown.getMessage());
        assertEquals(1, callbacks.get(), "the other waiter was still called back");
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> void sneakyThrow(Throwable t) throws T {
        throw (T) t;
    }

    @Test
    void shouldAllocateNothingPerEventOnThePublishAndPollPath() {
        HandoffRing ring = new HandoffRing(1024, clock);
        Credit credit = ring.newCredit(() -> { });
        NodeEvent source = new NodeEvent();
        source.clear();
        source.kind = NodeEvent.FLOW;
        SlotWriter<NodeEvent> copy = NodeEvent::copyFrom;
        NodeEventHandler handler = (event, end) -> { };
        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = 0;
        for (int round = 0; round < 2_000; round++) {
            if (round == 1_000) {
                before = threads.getCurrentThreadAllocatedBytes(); // after warm-up
            }
            int permits = credit.tryAcquire(100);
            for (int i = 0; i < permits; i++) {
                ring.publish(copy, source);
            }
            ring.poll(handler, 1000);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        assertTrue(allocated < 1024, "allocated " + allocated + " bytes for 100000 events");
    }

    @Test
    void shouldDeliverEveryEventOfManyCreditDrivenProducersExactlyOnce() throws Exception {
        HandoffRing ring = new HandoffRing(64, clock);
        int producers = 4;
        int perProducer = 20_000;
        List<Thread> threads = new ArrayList<>();
        for (int p = 0; p < producers; p++) {
            long base = (long) p * perProducer;
            Semaphore wake = new Semaphore(0);
            Credit credit = ring.newCredit(wake::release);
            threads.add(NamedThreadFactory.daemon("test-producer").newThread(() -> {
                int sent = 0;
                while (sent < perProducer) {
                    int granted = credit.tryAcquire(Math.min(8, perProducer - sent));
                    if (granted == 0) {
                        try {
                            wake.tryAcquire(10, TimeUnit.MILLISECONDS);
                        } catch (InterruptedException e) {
                            return;
                        }
                        continue;
                    }
                    for (int i = 0; i < granted; i++) {
                        ring.publish(FLOW_AT, base + sent++);
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        long[] next = new long[producers];
        AtomicInteger outOfOrder = new AtomicInteger();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        long total = 0;
        while (total < (long) producers * perProducer && System.nanoTime() < deadline) {
            total += ring.poll((event, end) -> {
                int producer = (int) (event.timeNanos / perProducer);
                if (event.timeNanos != producer * (long) perProducer + next[producer]++) {
                    outOfOrder.incrementAndGet();
                }
            }, 100);
        }
        for (Thread thread : threads) {
            thread.join(10_000);
        }
        assertEquals((long) producers * perProducer, total);
        assertEquals(0, outOfOrder.get());
        assertFalse(ring.fillLevel() > 0);
        assertEquals(ring.flowPermitCapacity(), ring.availableFlowPermits());
    }
}
