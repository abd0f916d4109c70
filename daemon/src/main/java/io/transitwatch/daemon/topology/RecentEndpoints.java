package io.transitwatch.daemon.topology;

import io.transitwatch.daemon.topology.Topology.Endpoint;

/**
 * Single-threaded: owned by the join thread, like the {@link Topology} that holds it.
 *
 * <p>A direct-mapped table in front of the learned-placement cache. Most flows name IPs the join saw a
 * moment ago, and a Caffeine read costs a hash-map lookup plus access bookkeeping, which measured half
 * of the join's time when done for every address of every flow (docs/benchmarks.md). Here a hit
 * is two array loads and two compares. An entry is trusted for {@code refreshNanos} after it was
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

    private final long[] hi;
    private final long[] lo;
    private final Endpoint[] endpoints;
    private final long[] checkedAtNanos;
    private final int mask;
    private final long refreshNanos;

    RecentEndpoints(int capacity, long refreshNanos) {
        int size = Integer.highestOneBit(Math.max(2, capacity) - 1) << 1;
        this.hi = new long[size];
        this.lo = new long[size];
        this.endpoints = new Endpoint[size];
        this.checkedAtNanos = new long[size];
        this.mask = size - 1;
        this.refreshNanos = refreshNanos;
    }

    /**
     * What Caffeine answered for this address within the refresh interval ({@link #UNKNOWN} if it
     * did not know it), or null when it must be asked again.
     */
    Endpoint get(long ipHi, long ipLo, long nowNanos) {
        int slot = slot(ipHi, ipLo);
        Endpoint endpoint = endpoints[slot];
        if (endpoint != null && hi[slot] == ipHi && lo[slot] == ipLo
                && nowNanos - checkedAtNanos[slot] < refreshNanos) {
            return endpoint;
        }
        return null;
    }

    /** Remembers what Caffeine just answered for this address ({@link #UNKNOWN} when nothing). */
    void put(long ipHi, long ipLo, Endpoint endpoint, long nowNanos) {
        int slot = slot(ipHi, ipLo);
        hi[slot] = ipHi;
        lo[slot] = ipLo;
        endpoints[slot] = endpoint;
        checkedAtNanos[slot] = nowNanos;
    }

    int capacity() {
        return endpoints.length;
    }

    private int slot(long ipHi, long ipLo) {
        long h = (ipHi * 0x9E3779B97F4A7C15L) ^ (ipLo * 0xC2B2AE3D27D4EB4FL);
        return (int) (h ^ (h >>> 29)) & mask;
    }
}
