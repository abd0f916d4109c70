package io.transitwatch.daemon.handoff;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * Thread-safe: {@link #touch(int)} and {@link #current()} from any thread, lock-free; every other
 * method only under the owning {@link StringDictionary}'s insert lock.
 *
 * <p>When each id of a {@link StringDictionary} was last interned, in generations of
 * {@code hold / 4}, and which ids may be recycled (the rule is on {@link StringDictionary}). An id
 * is marked with the current generation at most once per generation (a CAS), pinned ids with
 * {@link #PINNED}, recycled ones with {@link #EVICTED} until they are given out again.
 */
final class IdGenerations {
    private static final VarHandle MARKS = MethodHandles.arrayElementVarHandle(int[].class);
    /** Generations per hold bound: an id is recycled between {@code hold} and {@code hold * 5/4} after its last use. */
    private static final int PER_HOLD = 4;
    /** Start times kept; more than the generations that can start within one hold bound. */
    private static final int START_RING = 8;
    private static final int PINNED = Integer.MAX_VALUE;
    private static final int EVICTED = Integer.MIN_VALUE;

    private final long holdNanos;
    private final long periodNanos;
    /** Per id: last generation interned, {@link #PINNED}, or {@link #EVICTED}; accessed via {@link #MARKS}. */
    private final int[] marks;
    private volatile int generation;

    // Under the owner's lock.
    private final long[] starts = new long[START_RING];
    private int scannedThreshold = -1;

    /** @param holdNanos {@link Long#MAX_VALUE} for a dictionary that never recycles */
    IdGenerations(int capacity, long holdNanos, long startNanos) {
        this.holdNanos = holdNanos;
        this.periodNanos = holdNanos == Long.MAX_VALUE ? Long.MAX_VALUE : Math.max(1, holdNanos / PER_HOLD);
        this.marks = new int[capacity];
        this.starts[0] = startNanos;
    }

    /** The generation ids are marked with now. */
    int current() {
        return generation;
    }

    /**
     * Marks {@code id} used in the current generation; returns that generation (the id is not
     * recycled while it is current), or -1 if the id is being or was recycled.
     */
    int touch(int id) {
        int current = generation;
        while (true) {
            int seen = (int) MARKS.getVolatile(marks, id);
            if (seen == EVICTED) {
                return -1;
            }
            if (seen >= current || MARKS.compareAndSet(marks, id, seen, current)) {
                return current;
            }
        }
    }

    boolean isPinned(int id) {
        return (int) MARKS.getVolatile(marks, id) == PINNED;
    }

    /** A fresh id given out, pinned or in the current generation. */
    void markNew(int id, boolean pin) {
        MARKS.setVolatile(marks, id, pin ? PINNED : generation);
    }

    /** A held id interned again under the lock; true if this pinned it. */
    boolean markUsed(int id, boolean pin) {
        int seen = (int) MARKS.getVolatile(marks, id);
        if (pin && seen != PINNED) {
            MARKS.setVolatile(marks, id, PINNED);
            return true;
        }
        if (seen < generation) {
            MARKS.setVolatile(marks, id, generation);
        }
        return false;
    }

    /** Starts the next generation if the current one is a period old. */
    void advance(long now) {
        int current = generation;
        if (now - starts[current % START_RING] >= periodNanos) {
            starts[(current + 1) % START_RING] = now;
            generation = current + 1;
        }
    }

    /**
     * The newest generation whose ids may be recycled (the last one that ended, its successor
     * started, at least {@code hold} before {@code now}), or -1 when none or when ids up to it were
     * already scanned: at most one scan per generation.
     */
    int thresholdToScan(long now) {
        int current = generation;
        int threshold = -1;
        for (int next = current; next >= 1 && next > current - START_RING; next--) {
            if (now - starts[next % START_RING] >= holdNanos) {
                threshold = next - 1;
                break;
            }
        }
        if (threshold <= scannedThreshold) {
            return -1;
        }
        scannedThreshold = threshold;
        return threshold;
    }

    /** Marks {@code id} recycled if it was not interned after {@code threshold}; false if it stays. */
    boolean evict(int id, int threshold) {
        int seen = (int) MARKS.getVolatile(marks, id);
        if (seen == PINNED || seen == EVICTED || seen > threshold) {
            return false;
        }
        return MARKS.compareAndSet(marks, id, seen, EVICTED); // fails if interned again just now
    }
}
