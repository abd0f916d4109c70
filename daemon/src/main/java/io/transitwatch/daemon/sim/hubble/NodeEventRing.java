package io.transitwatch.daemon.sim.hubble;

import io.transitwatch.proto.observer.GetFlowsResponse;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One writer at a time (appends, clears and resizes hold a lock; in practice the traffic thread
 * appends), any number of lock-free readers. The ring of decoded events a node's Hubble keeps
 * ({@code hubble-event-buffer-capacity}, 4095 by default): a reader that falls more than the
 * capacity behind finds its position overwritten and must report a HUBBLE_RING_BUFFER loss.
 *
 * <p>Positions are sequence numbers that only grow; slot {@code seq % capacity} holds the entry
 * and its sequence, so a reader detects overwriting by comparing the two.
 */
public final class NodeEventRing {
    /**
     * Immutable. One recorded event.
     *
     * @param timeNanos {@code Flow.time} (node-local clock), or the lost event's response time
     */
    public record Entry(long sequence, long timeNanos, GetFlowsResponse response) {}

    private final Object writeLock = new Object();
    private volatile AtomicReferenceArray<Entry> slots;
    private volatile long nextSequence;
    /** Positions below this were cleared (an agent restart that lost its ring). */
    private volatile long floor;

    public NodeEventRing(int capacity) {
        this.slots = new AtomicReferenceArray<>(requireCapacity(capacity));
    }

    public void append(GetFlowsResponse response, long timeNanos) {
        synchronized (writeLock) {
            long sequence = nextSequence;
            AtomicReferenceArray<Entry> current = slots;
            current.set((int) (sequence % current.length()), new Entry(sequence, timeNanos, response));
            nextSequence = sequence + 1; // publishes the slot written above
        }
    }

    /** The position the next event will get. */
    public long nextSequence() {
        return nextSequence;
    }

    /** The oldest position still held. */
    public long oldestSequence() {
        long next = nextSequence;
        return Math.max(floor, next - slots.length());
    }

    /** The entry at {@code sequence}, or {@code null} if it is not written yet or already overwritten. */
    public Entry get(long sequence) {
        if (sequence < oldestSequence() || sequence >= nextSequence) {
            return null;
        }
        AtomicReferenceArray<Entry> current = slots;
        Entry entry = current.get((int) (sequence % current.length()));
        return entry != null && entry.sequence() == sequence ? entry : null;
    }

    public int capacity() {
        return slots.length();
    }

    public int size() {
        return (int) (nextSequence - oldestSequence());
    }

    /** Forgets every event (positions keep growing, so open readers see a loss, not old data). */
    public void clear() {
        synchronized (writeLock) {
            floor = nextSequence;
        }
    }

    /** Changes the capacity, keeping the newest events that fit. */
    public void resize(int capacity) {
        synchronized (writeLock) {
            AtomicReferenceArray<Entry> resized = new AtomicReferenceArray<>(requireCapacity(capacity));
            for (long seq = Math.max(oldestSequence(), nextSequence - capacity); seq < nextSequence; seq++) {
                Entry entry = get(seq);
                if (entry != null) {
                    resized.set((int) (seq % capacity), entry);
                }
            }
            floor = Math.max(floor, nextSequence - capacity);
            slots = resized;
        }
    }

    private static int requireCapacity(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("ring capacity must be >= 1: " + capacity);
        }
        return capacity;
    }
}
