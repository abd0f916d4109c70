package io.transitwatch.daemon.replay;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.PriorityQueue;

/**
 * Single-threaded: one per capture, used by the replay thread.
 *
 * <p>The events of one capture that have been read but not yet replayed, earliest event time first
 * (ties in the order they were read). A capture is only roughly in time order — per-CPU perf rings,
 * Relay's best-effort sort buffer of 100 events (hubble-api.md §5.1, §9.1) — and holding the next
 * {@code capacity} events puts any event displaced by fewer positions back in its place. The slots
 * are reused, so a long replay allocates nothing per event here.
 */
final class ReorderBuffer {
    private static final Comparator<Slot> EARLIEST_FIRST =
            Comparator.<Slot>comparingLong(slot -> slot.event.timeNanos).thenComparingLong(slot -> slot.sequence);

    private final int capacity;
    private final PriorityQueue<Slot> heap;
    private final ArrayDeque<Slot> free = new ArrayDeque<>();
    private long sequence;

    ReorderBuffer(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("reorder buffer capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
        this.heap = new PriorityQueue<>(capacity + 1, EARLIEST_FIRST);
    }

    /** Whether the reader should stop reading ahead (one line may still add several events). */
    boolean isFull() {
        return heap.size() >= capacity;
    }

    boolean isEmpty() {
        return heap.isEmpty();
    }

    /** Keeps a copy of {@code event}. */
    void add(NodeEvent event) {
        Slot slot = free.isEmpty() ? new Slot() : free.poll();
        slot.event.copyFrom(event);
        slot.sequence = sequence++;
        heap.add(slot);
    }

    /** Event time of the earliest event held; the buffer must not be empty. */
    long earliestTime() {
        return heap.element().event.timeNanos;
    }

    /** Copies the earliest event into {@code into} and forgets it; the buffer must not be empty. */
    void takeEarliest(NodeEvent into) {
        Slot slot = heap.remove();
        into.copyFrom(slot.event);
        free.push(slot);
    }

    private static final class Slot {
        final NodeEvent event = new NodeEvent();
        long sequence;
    }
}
