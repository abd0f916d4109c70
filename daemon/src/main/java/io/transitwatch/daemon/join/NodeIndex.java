package io.transitwatch.daemon.join;

import java.util.Arrays;

/**
 * Single-threaded: owned by the join thread.
 *
 * <p>Maps node names, as {@link io.transitwatch.daemon.handoff.StringDictionary} ids, to dense
 * indexes {@code 0 .. maxNodes-1}, so that per-node state lives in plain arrays. Nodes are never
 * forgotten while the daemon runs (a cluster has a bounded set of node names); past
 * {@code maxNodes} a node gets {@link #NONE} and its events are ignored and counted.
 *
 * <p>Every event asks for its node, so a small direct-mapped table of recent answers (one word per
 * entry: id and index) sits in front of the hash table: a hit reads one line that stays in L1,
 * where the hash table at the default node limit spreads over 128 KB of keys and values.
 */
final class NodeIndex {
    static final int NONE = -1;

    private final int[] keys;
    private final int[] values;
    private final int mask;
    private final int[] dictionaryIds;
    /** {@code dictionaryId << 32 | index} of a recently seen node, by {@code dictionaryId & RECENT_MASK}; 0 = none. */
    private final long[] recent = new long[RECENT_MASK + 1];
    private static final int RECENT_MASK = 63;
    private int size;

    NodeIndex(int maxNodes) {
        int tableSize = Integer.highestOneBit(Math.max(4, maxNodes * 2) - 1) << 1;
        keys = new int[tableSize];
        values = new int[tableSize];
        mask = tableSize - 1;
        dictionaryIds = new int[maxNodes];
        Arrays.fill(keys, -1);
    }

    /** Dense index of the node, assigning the next one on first sight; {@link #NONE} when full or id 0. */
    int indexOf(int dictionaryId) {
        if (dictionaryId <= 0) {
            return NONE;
        }
        long remembered = recent[dictionaryId & RECENT_MASK];
        if ((int) (remembered >>> 32) == dictionaryId) {
            return (int) remembered;
        }
        int position = mix(dictionaryId) & mask;
        while (keys[position] != -1) {
            if (keys[position] == dictionaryId) {
                return remember(dictionaryId, values[position]);
            }
            position = (position + 1) & mask;
        }
        if (size == dictionaryIds.length) {
            return NONE;
        }
        keys[position] = dictionaryId;
        values[position] = size;
        dictionaryIds[size] = dictionaryId;
        return remember(dictionaryId, size++);
    }

    private int remember(int dictionaryId, int index) {
        recent[dictionaryId & RECENT_MASK] = (long) dictionaryId << 32 | index;
        return index;
    }

    /** Dense index of a node already seen, or {@link #NONE}; never assigns. */
    int existingIndexOf(int dictionaryId) {
        int position = mix(dictionaryId) & mask;
        while (keys[position] != -1) {
            if (keys[position] == dictionaryId) {
                return values[position];
            }
            position = (position + 1) & mask;
        }
        return NONE;
    }

    int dictionaryId(int index) {
        return dictionaryIds[index];
    }

    int size() {
        return size;
    }

    int capacity() {
        return dictionaryIds.length;
    }

    private static int mix(int value) {
        int h = value * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
