package io.transitwatch.daemon.http;

import io.transitwatch.daemon.incident.RoundTripTally;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Thread-safe: the HTTP sampler thread records, HTTP request threads read; both under this
 * object's lock (a few times per second at most, never on the join's path).
 *
 * <p>A short ring of per-pair counter readings and per-node observer readings, one every few
 * seconds, so that the web page shows <em>recent</em> loss rather than loss since start (a pair that
 * lost packets an hour ago and is healthy now must turn green), and can tell whether a node's view
 * was complete over that window (a node that was down a minute ago cannot vouch for it). The
 * baseline of the recent window is the oldest reading that is not older than the window; before the
 * first reading, the recent window is the whole lifetime.
 */
final class PairHistory {
    /**
     * Readings of every pair (in slot order), node and round-trip key ({@link RoundTripTally.Reading#key()})
     * at one moment ({@code System.nanoTime()} time base).
     */
    record Sample(long atNanos, List<PairReading> pairs, Map<String, NodeReading> nodes,
            Map<String, RoundTripTally.Reading> roundTrips) {
        Sample(long atNanos, List<PairReading> pairs) {
            this(atNanos, pairs, Map.of(), Map.of());
        }

        /** The reading of a round-trip key in this sample, or null if it had no count then. */
        RoundTripTally.Reading roundTrip(String key) {
            return roundTrips.get(key);
        }

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

        /** The reading of {@code node} in this sample, or null if no part of the daemon knew it yet. */
        NodeReading node(String node) {
            return nodes.get(node);
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
        record(nowNanos, readings, Map.of());
    }

    synchronized void record(long nowNanos, List<PairReading> readings, Map<String, NodeReading> nodes) {
        record(nowNanos, readings, nodes, List.of());
    }

    synchronized void record(long nowNanos, List<PairReading> readings, Map<String, NodeReading> nodes,
            List<RoundTripTally.Reading> roundTrips) {
        Map<String, RoundTripTally.Reading> byKey = new java.util.HashMap<>();
        roundTrips.forEach(reading -> byKey.put(reading.key(), reading));
        samples.addLast(new Sample(nowNanos, List.copyOf(readings), Map.copyOf(nodes), Map.copyOf(byKey)));
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

    /** Every reading from the {@link #baseline} on, oldest first; empty before the first. */
    synchronized List<Sample> window(long nowNanos) {
        List<Sample> window = new ArrayList<>();
        Sample baseline = baseline(nowNanos);
        boolean in = false;
        for (Sample sample : samples) {
            in |= sample == baseline;
            if (in) {
                window.add(sample);
            }
        }
        return window;
    }
}
