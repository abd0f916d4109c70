package io.transitwatch.daemon.sim.traffic;

import java.util.PriorityQueue;

/**
 * Single-threaded: owned by the traffic thread. A discrete-event queue in true time (epoch
 * nanoseconds of the simulator clock); actions due at the same instant run in the order they were
 * scheduled, which keeps a seeded run repeatable whatever the tick length.
 */
final class EventScheduler {
    private final PriorityQueue<Scheduled> queue = new PriorityQueue<>();
    private long sequence;
    private long now;

    EventScheduler(long startNanos) {
        this.now = startNanos;
    }

    /** Runs {@code action} at {@code atNanos}, or at the current instant if that is already past. */
    void at(long atNanos, Runnable action) {
        queue.add(new Scheduled(Math.max(atNanos, now), sequence++, action));
    }

    /** The instant of the action running now (or of the last one run). */
    long now() {
        return now;
    }

    /** Runs every action due up to and including {@code untilNanos}; returns how many ran. */
    int runUntil(long untilNanos) {
        int ran = 0;
        while (!queue.isEmpty() && queue.peek().atNanos <= untilNanos) {
            Scheduled next = queue.poll();
            now = next.atNanos;
            next.action.run();
            ran++;
        }
        now = Math.max(now, untilNanos);
        return ran;
    }

    int pending() {
        return queue.size();
    }

    private record Scheduled(long atNanos, long sequence, Runnable action) implements Comparable<Scheduled> {
        @Override
        public int compareTo(Scheduled other) {
            int byTime = Long.compare(atNanos, other.atNanos);
            return byTime != 0 ? byTime : Long.compare(sequence, other.sequence);
        }
    }
}
