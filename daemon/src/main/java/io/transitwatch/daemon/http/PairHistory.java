package io.transitwatch.daemon.http;

import java.util.ArrayDeque;
import java.util.List;

/**
 * Thread-safe: the HTTP sampler thread records, HTTP request threads read; both under this
 * object's lock (a few times per second at most, never on the join's path).
 *
 * <p>A short ring of per-pair counter readings, one every few seconds, so that the web page shows
 * <em>recent</em> loss rather than loss since start: a pair that lost packets an hour ago and is
 * healthy now must turn green. The baseline of the recent window is the oldest reading that is not
 * older than the window; before the first reading, the recent window is the whole lifetime.
 */
final class PairHistory {
    /** Readings of every pair at one moment ({@code System.nanoTime()} time base), in slot order. */
    record Sample(long atNanos, List<PairReading> pairs) {
        /** The reading of {@code slot} in this sample, or null if the slot held no pair then. */
        PairReading pair(int slot) {
            int low = 0;
            int high = pairs.size() - 1;
            while (low <= high) {
                int middle = (low + high) >>> 1;
                int found = pairs.get(middle).slot();
                if (found == slot) {
                    return pairs.get(middle);
                } else if (found < slot) {
                    low = middle + 1;
                } else {
                    high = middle - 1;
                }
            }
            return null;
        }
    }

    private final long windowNanos;
    private final ArrayDeque<Sample> samples = new ArrayDeque<>();

    PairHistory(long windowNanos) {
        this.windowNanos = windowNanos;
    }

    long windowNanos() {
        return windowNanos;
    }

    synchronized void record(long nowNanos, List<PairReading> readings) {
        samples.addLast(new Sample(nowNanos, List.copyOf(readings)));
        while (samples.size() > 1 && nowNanos - samples.peekFirst().atNanos() > windowNanos) {
            samples.removeFirst();
        }
    }

    /** The oldest reading within the window before {@code nowNanos}, or null before the first. */
    synchronized Sample baseline(long nowNanos) {
        for (Sample sample : samples) {
            if (nowNanos - sample.atNanos() <= windowNanos) {
                return sample;
            }
        }
        return samples.peekLast();
    }
}
