package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.handoff.Credit;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Kept events go out together, in order; a flush in the middle of a message keeps what was decoded of it. */
class FlowBatchTest {
    private final HandoffRing ring = new HandoffRing(64, new ManualClock(1_000));
    private final Credit credit = ring.newCredit(() -> { });

    private List<Long> drain() {
        List<Long> times = new ArrayList<>();
        ring.poll((event, end) -> times.add(event.timeNanos), 100);
        return times;
    }

    private static void decodeInto(NodeEvent event, long time) {
        event.clear();
        event.kind = NodeEvent.FLOW;
        event.timeNanos = time;
    }

    @Test
    void eventsWaitUntilTheBatchIsFullOrFlushed() {
        credit.tryAcquire(10);
        FlowBatch batch = new FlowBatch(ring, 4);
        for (long t = 1; t <= 5; t++) {
            decodeInto(batch.next(), t);
            batch.commit();
        }
        assertEquals(List.of(1L, 2L, 3L, 4L), drain(), "the full batch went out by itself");
        assertEquals(1, batch.size());
        batch.flush();
        assertEquals(List.of(5L), drain());
        batch.flush();
        assertEquals(List.of(), drain(), "an empty batch publishes nothing");
    }

    @Test
    void aFlushBetweenDecodingAndKeepingAMessageKeepsIt() {
        credit.tryAcquire(10);
        FlowBatch batch = new FlowBatch(ring, 4);
        decodeInto(batch.next(), 1);
        batch.commit();
        NodeEvent inProgress = batch.next();
        decodeInto(inProgress, 2);
        batch.flush(); // a control event goes out before this message's flow
        assertSame(inProgress, batch.next(), "the message being handled keeps its event");
        batch.commit();
        batch.flush();
        assertEquals(List.of(1L, 2L), drain());
    }

    @Test
    void discardedEventsAreNotPublishedAndTheirCountIsReturned() {
        credit.tryAcquire(10);
        FlowBatch batch = new FlowBatch(ring, 4);
        decodeInto(batch.next(), 1);
        batch.commit();
        decodeInto(batch.next(), 2);
        batch.commit();
        assertEquals(2, batch.discard());
        credit.release(2);
        batch.flush();
        assertEquals(List.of(), drain());
        assertEquals(ring.flowPermitCapacity() - 8, ring.availableFlowPermits());
    }
}
