package io.transitwatch.daemon.topology;

import io.transitwatch.daemon.topology.Topology.Endpoint;

/**
 * Single-threaded: owned by the join thread, like the {@link Topology} that holds it.
 *
 * <p>A direct-mapped table in front of the learned-placement cache. Most flows name IPs the join saw a
 * moment ago, and a Caffeine read costs a hash-map lookup plus access bookkeeping, which measured half
 * of the join's time when done for every address of every flow (docs/benchmarks.md). Here a hit
 * reads one line (the entry's address and time side by side) and one reference. An entry is
 * trusted for {@code refreshNanos} after it was
 * read from (or written to) Caffeine; after that the next use goes back to Caffeine, which both
 * refreshes Caffeine's access time (so expire-after-access stays within {@code refreshNanos} of
 * exact) and notices when Caffeine has evicted or expired the address.
 *
 * <p>The table holds the same {@link Endpoint} objects as Caffeine, so an update through either is
 * seen through both. It also remembers that Caffeine did not know an address ({@link #UNKNOWN}), so
 * traffic to the world does not ask Caffeine on every flow; learning the address overwrites that.
 * A slot taken by another address simply forgets the previous one.
 */
final class RecentEndpoints {
    /** Caffeine was asked within the refresh interval and did not know the address. */
    static final Endpoint UNKNOWN = new Endpoint();

    /** Per entry, side by side in one line: the address (high, low) and when Caffeine was asked. */
    private final long[] entries;
    private static final int STRIDE = 4;
    private final Endpoint[] endpoints;
    private final int mask;
    private final long refreshNanos;

    RecentEndpoints(int capacity, long refreshNanos) {
        int size = Integer.highestOneBit(Math.max(2, capacity) - 1) << 1;
        this.entries = new long[size * STRIDE];
        this.endpoints = new Endpoint[size];
        this.mask = size - 1;
        this.refreshNanos = refreshNanos;
    }

    /**
     * What Caffeine answered for this address within the refresh interval ({@link #UNKNOWN} if it
     * did not know it), or null when it must be asked again.
     */
    Endpoint get(long ipHi, long ipLo, long nowNanos) {
        int slot = slot(ipHi, ipLo);
        int base = slot * STRIDE;
        if (entries[base] == ipHi && entries[base + 1] == ipLo && nowNanos - entries[base + 2] < refreshNanos) {
            return endpoints[slot]; // null when the entry was never written (an address of all zeros)
        }
        return null;
    }

    /** Remembers what Caffeine just answered for this address ({@link #UNKNOWN} when nothing). */
    void put(long ipHi, long ipLo, Endpoint endpoint, long nowNanos) {
        int slot = slot(ipHi, ipLo);
        int base = slot * STRIDE;
        entries[base] = ipHi;
        entries[base + 1] = ipLo;
        entries[base + 2] = nowNanos;
        endpoints[slot] = endpoint;
    }

    int capacity() {
        return endpoints.length;
    }

    private int slot(long ipHi, long ipLo) {
        long h = (ipHi * 0x9E3779B97F4A7C15L) ^ (ipLo * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 29)) & mask;
    }
}
