package io.transitwatch.daemon.scale;

import io.transitwatch.daemon.join.JoinConfig;

/**
 * Immutable arithmetic, any thread.
 *
 * <p>How much of the configured join one event-topic partition gets. A correlator runs one join per
 * partition it owns, and a correlator may own every partition (the others gone), so a partition's join
 * cannot be the single process's whole join: with the defaults that is about 80 MiB, and 48
 * partitions would need 4 GiB. Departures, remembered arrivals and the LOST history are spread over
 * the partitions by the key's hash, so each partition's tables get {@code 2 × capacity / partitions}
 * (twice the even share, for the hash's unevenness and a burst on a few partitions), rounded up to
 * a power of two, at least {@link #MIN_SHARE} and at most the whole. Nodes and node pairs are not
 * spread: any partition may see every node and pair, so {@code join.max-nodes} and
 * {@code join.max-pairs} stay whole (docs/scaling.md sizes the correlators' memory with them).
 */
public final class PartitionShare {
    /** The smallest table a partition's join gets, whatever the partition count. */
    public static final int MIN_SHARE = 1024;

    private PartitionShare() {
    }

    /** The join of one of {@code partitions} partitions, from the configured {@code whole}. */
    public static JoinConfig of(JoinConfig whole, int partitions) {
        if (partitions <= 1) {
            return whole;
        }
        return whole.withCapacities(share(whole.pendingCapacity(), partitions), share(whole.arrivalCapacity(), partitions),
                share(whole.lostHistoryCapacity(), partitions));
    }

    /** {@code 2 × capacity / partitions} as a power of two in [{@link #MIN_SHARE}, capacity]. */
    static int share(int capacity, int partitions) {
        long twice = (2L * capacity + partitions - 1) / partitions;
        int atLeast = (int) Math.max(MIN_SHARE, twice);
        int powerOfTwo = Integer.highestOneBit(atLeast - 1) << 1;
        return Math.min(capacity, powerOfTwo);
    }
}
