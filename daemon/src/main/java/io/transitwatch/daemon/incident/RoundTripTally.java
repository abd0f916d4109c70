package io.transitwatch.daemon.incident;

import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Single writer (the join thread, through {@link AlertFactory}), any number of readers (metrics, the
 * web page): a key is published with a release store after its counters exist, counters are
 * release-stored by the writer and read with acquire loads; nothing locks.
 *
 * <p>Round-trip verdicts per (source node, destination, family) — destination as
 * {@link RoundTripDestinations} names it: a node, {@code kube-apiserver}, {@code host} or
 * {@code world}. An open-addressing table of fixed capacity, filled at most to three quarters; a key
 * is never removed (the key space is bounded by nodes × (nodes + 3) × 2 and most clients talk to few
 * destinations). A verdict whose key finds no room is still counted per node and globally by the join
 * and alerted; here it counts as a {@link #misses() miss}. Counting allocates nothing.
 */
public final class RoundTripTally {
    public static final int ANSWERED = 0;
    public static final int NO_REPLY = 1;
    public static final int REFUSED = 2;
    public static final int UNVERIFIED = 3;
    static final int VERDICTS = 4;

    /** Default capacity: 16,384 keys (about 640 KiB). */
    public static final int DEFAULT_CAPACITY = 1 << 14;

    /**
     * One key's counts, read at one moment.
     *
     * @param destination a node name, {@code kube-apiserver}, {@code host} or {@code world}
     * @param destinationIsNode whether {@code destination} names a node (else an address class)
     */
    public record Reading(String source, String destination, boolean destinationIsNode, String family, long answered,
            long noReply, long refused, long unverified) {
        /** Attempts decided: answered, no reply, refused or unverified. */
        public long decided() {
            return answered + noReply + refused + unverified;
        }

        /** Answered, no reply or refused: judged with a complete view. */
        public long judged() {
            return answered + noReply + refused;
        }

        /** Failures: no reply or refused. */
        public long failed() {
            return noReply + refused;
        }

        /** The counts since {@code before} (the same key earlier), or these when {@code before} is null. */
        public Reading since(Reading before) {
            if (before == null) {
                return this;
            }
            return new Reading(source, destination, destinationIsNode, family, answered - before.answered,
                    noReply - before.noReply, refused - before.refused, unverified - before.unverified);
        }

        /** {@code source|destination|family}, the key readings of different moments are matched by. */
        public String key() {
            return source + "|" + destination + "|" + family;
        }
    }

    private final int mask;
    private final int limit;
    private final AtomicLongArray keys;
    private final AtomicLongArray counts;
    private final AtomicLong misses = new AtomicLong();
    private int size; // writer only

    public RoundTripTally(int capacityPowerOfTwo) {
        if (capacityPowerOfTwo < 2 || Integer.bitCount(capacityPowerOfTwo) != 1) {
            throw new IllegalArgumentException("capacity must be a power of two >= 2, was " + capacityPowerOfTwo);
        }
        this.mask = capacityPowerOfTwo - 1;
        this.limit = Math.max(1, capacityPowerOfTwo / 4 * 3);
        this.keys = new AtomicLongArray(capacityPowerOfTwo);
        this.counts = new AtomicLongArray(capacityPowerOfTwo * VERDICTS);
    }

    /**
     * Counts one verdict; join thread only.
     *
     * @param source dictionary id of the client's node (positive)
     * @param destination {@link RoundTripDestinations#code}
     * @param ipv6 the family
     * @param verdict {@link #ANSWERED}, {@link #NO_REPLY}, {@link #REFUSED} or {@link #UNVERIFIED}
     */
    void count(int source, int destination, boolean ipv6, int verdict) {
        long key = ((long) source << 32) | ((long) destination << 1) | (ipv6 ? 1 : 0);
        int slot = (int) mix(key) & mask;
        while (true) {
            long found = keys.getPlain(slot);
            if (found == key) {
                break;
            }
            if (found == 0) {
                if (size >= limit) {
                    misses.incrementAndGet();
                    return;
                }
                size++;
                keys.setRelease(slot, key);
                break;
            }
            slot = (slot + 1) & mask;
        }
        int index = slot * VERDICTS + verdict;
        counts.setRelease(index, counts.getPlain(index) + 1);
    }

    /** Verdicts that found the table full. */
    public long misses() {
        return misses.get();
    }

    /** Every key's counts now, sorted by source, destination, family; from any thread. */
    public List<Reading> read(StringDictionary dictionary) {
        List<Reading> readings = new ArrayList<>();
        for (int slot = 0; slot <= mask; slot++) {
            long key = keys.getAcquire(slot);
            if (key == 0) {
                continue;
            }
            int source = (int) (key >>> 32);
            int destination = (int) ((key & 0xffff_ffffL) >>> 1);
            String className = RoundTripDestinations.className(destination);
            int base = slot * VERDICTS;
            readings.add(new Reading(name(dictionary, source),
                    className != null ? className : name(dictionary, destination), className == null,
                    (key & 1) == 1 ? "IPv6" : "IPv4", counts.getAcquire(base + ANSWERED),
                    counts.getAcquire(base + NO_REPLY), counts.getAcquire(base + REFUSED),
                    counts.getAcquire(base + UNVERIFIED)));
        }
        readings.sort(Comparator.comparing(Reading::source).thenComparing(Reading::destination)
                .thenComparing(Reading::family));
        return readings;
    }

    private static String name(StringDictionary dictionary, int id) {
        String name = dictionary.get(id);
        return name == null || name.isEmpty() ? "#" + id : name;
    }

    private static long mix(long key) {
        long h = key * 0x9E3779B97F4A7C15L;
        return h ^ (h >>> 29);
    }
}
