package io.transitwatch.daemon.scale;

import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.kafka.common.utils.Utils;

/**
 * Immutable, so safe to share between threads. Which collector shard owns a node: rendezvous
 * (highest-random-weight) hashing of the node name over {@code scale.shards} shards, so that every
 * collector decides alone and the same way, and changing the shard count moves only the nodes whose
 * winner changed (about 1/N of them per added shard), not all of them as {@code hash % N} would.
 * The weight of (node, shard) is murmur2 of {@code "<node>#<shard>"}, the hash the event topic's
 * partitioner uses too.
 */
public final class ShardAssignment {
    private static final Pattern ORDINAL = Pattern.compile(".*-(\\d+)$");

    private final int shards;
    private final int shard;

    /**
     * @param shards number of collector shards, at least 1
     * @param shard this collector's index, 0 to {@code shards - 1}
     */
    public ShardAssignment(int shards, int shard) {
        if (shards < 1 || shard < 0 || shard >= shards) {
            throw new IllegalArgumentException("shard index " + shard + " is not in 0.." + (shards - 1)
                    + " (scale.shard-index must be below scale.shards)");
        }
        this.shards = shards;
        this.shard = shard;
    }

    public int shards() {
        return shards;
    }

    public int shard() {
        return shard;
    }

    /** Whether this collector's shard owns {@code node}. */
    public boolean owns(String node) {
        return ownerOf(node, shards) == shard;
    }

    /** The shard, 0 to {@code shards - 1}, that owns {@code node}. */
    public static int ownerOf(String node, int shards) {
        int best = 0;
        long bestWeight = -1;
        for (int candidate = 0; candidate < shards; candidate++) {
            long weight = Integer.toUnsignedLong(Utils.murmur2((node + "#" + candidate).getBytes(StandardCharsets.UTF_8)));
            if (weight > bestWeight) {
                best = candidate;
                bestWeight = weight;
            }
        }
        return best;
    }

    /** The StatefulSet ordinal at the end of a pod's host name ({@code transitwatch-collector-2} → 2), if any. */
    public static OptionalInt ordinalOf(String hostname) {
        if (hostname == null) {
            return OptionalInt.empty();
        }
        Matcher m = ORDINAL.matcher(hostname.trim());
        if (!m.matches() || m.group(1).length() > 5) {
            return OptionalInt.empty();
        }
        return OptionalInt.of(Integer.parseInt(m.group(1)));
    }
}
