package io.transitwatch.daemon.sim.traffic;

import java.util.ArrayList;
import java.util.List;
import java.util.PriorityQueue;
import java.util.TreeMap;

/**
 * Single-threaded: owned by the traffic thread. A discrete-event queue in true time (epoch
 * nanoseconds of the simulator clock); actions due at the same instant run in the order they were
 * scheduled, which keeps a seeded run repeatable whatever the tick length.
 *
 * <p>A calendar queue: only actions due before {@code nearHorizon} sit in the priority queue; later
 * ones (retransmission timers, closes, retries: most of them) wait unsorted in 50 ms buckets and
 * join the heap when the horizon reaches them. That keeps the heap small at high connection rates.
 */
final class EventScheduler {
    private static final long BUCKET_NANOS = 50_000_000L;

    private final PriorityQueue<Scheduled> near = new PriorityQueue<>();
    private final TreeMap<Long, List<Scheduled>> far = new TreeMap<>();
    private long nearHorizon;
    private long sequence;
    private long now;

    EventScheduler(long startNanos) {
        this.now = startNanos;
        this.nearHorizon = (Math.floorDiv(startNanos, BUCKET_NANOS) + 1) * BUCKET_NANOS;
    }

    /** Runs {@code action} at {@code atNanos}, or at the current instant if that is already past. */
    void at(long atNanos, Runnable action) {
        Scheduled scheduled = new Scheduled(Math.max(atNanos, now), sequence++, action);
        if (scheduled.atNanos < nearHorizon) {
            near.add(scheduled);
        } else {
            far.computeIfAbsent(Math.floorDiv(scheduled.atNanos, BUCKET_NANOS), b -> new ArrayList<>()).add(scheduled);
        }
    }

    /** The instant of the action running now (or of the last one run). */
    long now() {
        return now;
    }

    /** Runs every action due up to and including {@code untilNanos}; returns how many ran. */
    int runUntil(long untilNanos) {
        int ran = 0;
        while (true) {
            while (!near.isEmpty() && near.peek().atNanos <= untilNanos) {
                Scheduled next = near.poll();
                now = next.atNanos;
                next.action.run();
                ran++;
            }
            if (nearHorizon > untilNanos) {
                break;
            }
            advanceHorizon(untilNanos);
        }
        now = Math.max(now, untilNanos);
        return ran;
    }

    int pending() {
        return near.size() + far.values().stream().mapToInt(List::size).sum();
    }

    /** Moves the next bucket into the heap; skips empty stretches of time in one step. */
    private void advanceHorizon(long untilNanos) {
        List<Scheduled> due = far.remove(Math.floorDiv(nearHorizon, BUCKET_NANOS));
        if (due != null) {
            near.addAll(due);
        }
        nearHorizon += BUCKET_NANOS;
        if (near.isEmpty()) {
            long nextBucketStart = far.isEmpty() ? Long.MAX_VALUE : far.firstKey() * BUCKET_NANOS;
            long untilBucketStart = Math.floorDiv(untilNanos, BUCKET_NANOS) * BUCKET_NANOS;
            nearHorizon = Math.max(nearHorizon, Math.min(nextBucketStart, untilBucketStart));
        }
    }

    private record Scheduled(long atNanos, long sequence, Runnable action) implements Comparable<Scheduled> {
        @Override
        public int compareTo(Scheduled other) {
            int byTime = Long.compare(atNanos, other.atNanos);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}
