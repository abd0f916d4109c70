package io.transitwatch.daemon.handoff;

import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.EventPoller;
import com.lmax.disruptor.InsufficientCapacityException;
import com.lmax.disruptor.RingBuffer;
import io.transitwatch.daemon.clock.Clock;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Multi-producer, single-consumer: any number of ingest threads publish, exactly one thread
 * calls {@link #poll}; counters may be read from any thread.
 *
 * <p>The bounded, pre-allocated hand-off between the Hubble streams and the join: an LMAX
 * Disruptor {@link RingBuffer} of {@link NodeEvent} slots ({@code ProducerType.MULTI}), drained by
 * an {@link EventPoller} from the consumer's own duty cycle. No thread belongs to the ring. Its
 * permits and the producers waiting for them are kept by its {@link CreditPool}.
 *
 * <h2>Credit-based flow control</h2>
 * A gRPC stream must not receive a message it has no slot for, and must never block its transport
 * thread waiting for one. So slots are handed out as permits <em>before</em> the stream asks the
 * server for messages:
 * <pre>
 *   stream: credit.tryAcquire(n) -> k permits -> call.request(k) -> k messages -> k x publish(...)
 *   consumer: poll() handles k slots -> k permits back to the pool -> wakes waiting streams
 * </pre>
 * Because every FLOW/LOST_EVENTS slot is backed by a permit, the claim in {@link #publish} never
 * finds the ring full, whatever the input rate: a slow consumer leaves streams without permits,
 * they stop requesting, and HTTP/2 flow control pushes back on Hubble.
 *
 * <p>Stream health events (NODE_UP, NODE_DOWN, GAP) are not requested from a server: they come
 * from what happens to a stream. They draw on a separate, smaller pool (the <em>control
 * headroom</em>, an eighth of the ring) through {@link #publishControl}, so that a stream can
 * always say "I am down" even when all flow permits sit in other streams' outstanding requests.
 * Control events are rare (one per node state change); should the headroom ever be exhausted the
 * publisher waits for the consumer, which is counted in {@link #controlWaits()}.
 *
 * <h2>Failures of the consumer</h2>
 * Nothing thrown on the consumer's side is swallowed. When the handler throws for an event, that
 * event counts as consumed and skipped ({@link #skippedEvents()}), the poll ends there, the permits
 * of every consumed slot go back to their pools, and {@link #poll} rethrows the handler's exception
 * to its caller (the join loop, which counts, logs and backs off). The next poll starts with the
 * event after the bad one, so one poisonous event cannot wedge the ring. A demand listener that
 * throws is reported the same way, after every waiting producer had its turn.
 */
public final class HandoffRing {
    private final RingBuffer<NodeEvent> ring;
    private final EventPoller<NodeEvent> poller;
    private final Clock clock;
    private final int capacity;
    private final int flowPermitCapacity;
    private final CreditPool permits;
    private final AtomicLong skippedEvents = new AtomicLong();

    private final PollAdapter adapter = new PollAdapter();

    public HandoffRing(int capacityPowerOfTwo, Clock clock) {
        if (capacityPowerOfTwo < 16 || Integer.bitCount(capacityPowerOfTwo) != 1) {
            throw new IllegalArgumentException("ring capacity must be a power of two >= 16, was " + capacityPowerOfTwo);
        }
        this.capacity = capacityPowerOfTwo;
        int controlHeadroom = capacityPowerOfTwo / 8;
        this.flowPermitCapacity = capacityPowerOfTwo - controlHeadroom;
        this.permits = new CreditPool(flowPermitCapacity, controlHeadroom);
        this.clock = clock;
        this.ring = RingBuffer.createMultiProducer(HandoffRing::newSlot, capacityPowerOfTwo,
                new BusySpinWaitStrategy()); // never waited on: the consumer polls, so publish signals no one
        this.poller = ring.newPoller();
        ring.addGatingSequences(poller.getSequence());
    }

    private static NodeEvent newSlot() {
        NodeEvent slot = new NodeEvent();
        slot.clear();
        return slot;
    }

    // ---------------------------------------------------------------- producer side

    /** A producer's handle on the flow permits; {@code listener} is called when permits free up. */
    public Credit newCredit(DemandListener listener) {
        return permits.newCredit(listener);
    }

    /**
     * Publishes one FLOW or LOST_EVENTS slot, filled by {@code writer} from {@code source}. The
     * caller must hold a flow permit (one per message it requested); the permit goes with the slot.
     */
    public <T> void publish(SlotWriter<T> writer, T source) {
        long sequence;
        try {
            sequence = ring.tryNext();
        } catch (InsufficientCapacityException e) {
            throw new IllegalStateException("hand-off ring full: a producer published without holding a permit");
        }
        fill(sequence, writer, source, false);
    }

    /**
     * Publishes {@code events[0..count)} as FLOW or LOST_EVENTS slots, in order, with one claim of
     * {@code count} sequences, one clock read and one publication of the range. The caller holds a
     * flow permit for each (one per message it requested); the permits go with the slots.
     */
    public void publishBatch(NodeEvent[] events, int count) {
        if (count == 0) {
            return;
        }
        long last;
        try {
            last = ring.tryNext(count);
        } catch (InsufficientCapacityException e) {
            throw new IllegalStateException("hand-off ring full: a producer published without holding a permit");
        }
        long first = last - count + 1;
        try {
            long now = clock.epochNanos();
            for (int i = 0; i < count; i++) {
                NodeEvent slot = ring.get(first + i);
                slot.copyFrom(events[i]);
                slot.receivedNanos = now;
                slot.controlPermit = false;
            }
        } finally {
            ring.publish(first, last); // claimed sequences must be published, or the consumer stalls forever
        }
    }

    /**
     * Publishes one NODE_UP, NODE_DOWN or GAP slot from the control headroom, waiting for the
     * consumer in the (counted) case that the headroom is exhausted.
     *
     * @return false if the calling thread was interrupted while waiting; nothing was published
     */
    public <T> boolean publishControl(SlotWriter<T> writer, T source) {
        if (!permits.takeControlPermit()) {
            return false;
        }
        fill(ring.next(), writer, source, true); // cannot wait: the control permit reserved the slot
        return true;
    }

    private <T> void fill(long sequence, SlotWriter<T> writer, T source, boolean control) {
        NodeEvent slot = ring.get(sequence);
        try {
            slot.clear();
            writer.write(slot, source);
            slot.receivedNanos = clock.epochNanos();
            slot.controlPermit = control;
        } finally {
            ring.publish(sequence); // a claimed sequence must be published, or the consumer stalls forever
        }
    }

    // ---------------------------------------------------------------- consumer side

    /**
     * Hands up to {@code limit} published slots, in order, to {@code handler}; then returns their
     * permits and calls back producers waiting for credit. Consumer thread only.
     *
     * <p>If the handler throws, the event it threw for is consumed and counted as skipped, the poll
     * stops after it, permits are returned and waiting producers called back as usual, and then the
     * handler's exception is rethrown unchanged (a checked one wrapped), so that the caller sees it.
     * The next poll continues with the event after the bad one.
     *
     * @return the number of slots handled (0 when the ring was empty)
     */
    public int poll(NodeEventHandler handler, int limit) {
        adapter.begin(handler, limit);
        Throwable failure = null;
        try {
            poller.poll(adapter);
        } catch (Throwable t) { // not the handler's (the adapter catches those): the Disruptor's own
            failure = t;
        } finally {
            adapter.handler = null;
            permits.returnConsumed(adapter.flowSlots, adapter.controlSlots);
        }
        failure = CreditPool.firstOf(adapter.takeFailure(), failure);
        failure = CreditPool.firstOf(failure, permits.grantWaitingCredits());
        if (failure != null) {
            throw propagate(failure);
        }
        return adapter.handled;
    }

    /** Rethrows unchecked throwables as they are; wraps a checked one (thrown sneakily by a handler). */
    private static RuntimeException propagate(Throwable failure) {
        if (failure instanceof RuntimeException unchecked) {
            throw unchecked;
        }
        if (failure instanceof Error error) {
            throw error;
        }
        throw new java.lang.reflect.UndeclaredThrowableException(failure,
                "hand-off ring consumer failed: " + failure);
    }

    /**
     * Adapts the Disruptor's poll callback to {@link NodeEventHandler} with a limit; reused.
     *
     * <p>It never lets the handler's exception reach the Disruptor: {@code EventPoller.poll} would
     * leave its sequence <em>before</em> the failing event, so that every later poll would hand the
     * same event over again. Instead the failure is kept, the event counted as consumed and skipped,
     * and {@code false} ends the poll, which moves the sequence past the bad event.
     */
    private final class PollAdapter implements EventPoller.Handler<NodeEvent> {
        NodeEventHandler handler;
        int limit;
        int handled;
        int flowSlots;
        int controlSlots;
        private Throwable failure;

        void begin(NodeEventHandler newHandler, int newLimit) {
            handler = newHandler;
            limit = newLimit;
            handled = 0;
            flowSlots = 0;
            controlSlots = 0;
            failure = null;
        }

        Throwable takeFailure() {
            Throwable taken = failure;
            failure = null;
            return taken;
        }

        @Override
        public boolean onEvent(NodeEvent slot, long sequence, boolean endOfBatch) {
            handled++;
            boolean last = endOfBatch || handled >= limit;
            if (slot.controlPermit) { // counted first: the slot is consumed whatever the handler does
                controlSlots++;
            } else {
                flowSlots++;
            }
            try {
                handler.onEvent(slot, last);
            } catch (Throwable t) {
                skippedEvents.incrementAndGet();
                failure = t; // rethrown by poll() once the ring's bookkeeping is done
                return false;
            }
            return handled < limit;
        }
    }

    // ---------------------------------------------------------------- counters (any thread)

    public int capacity() {
        return capacity;
    }

    /** Permits streams may hold for requested messages: capacity minus the control headroom. */
    public int flowPermitCapacity() {
        return flowPermitCapacity;
    }

    /** Flow permits neither held by a stream nor backing an unconsumed slot. */
    public int availableFlowPermits() {
        return permits.availableFlowPermits();
    }

    /** Slots claimed by producers since start (published, or being filled right now). */
    public long published() {
        return ring.getCursor() + 1;
    }

    /** Slots handled by the consumer since start. */
    public long consumed() {
        return poller.getSequence().get() + 1;
    }

    /** Slots published and not yet consumed. */
    public long fillLevel() {
        return Math.max(0, published() - consumed());
    }

    /** How often a stream found no flow permit and had to wait for the consumer. */
    public long creditWaits() {
        return permits.creditWaits();
    }

    /** How often a control event found the headroom exhausted and waited. */
    public long controlWaits() {
        return permits.controlWaits();
    }

    /**
     * Events the consumer's handler threw for: each was consumed without being fully handled, and
     * its exception was rethrown by {@link #poll}.
     */
    public long skippedEvents() {
        return skippedEvents.get();
    }
}
