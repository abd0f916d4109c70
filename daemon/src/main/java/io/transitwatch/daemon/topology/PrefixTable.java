package io.transitwatch.daemon.topology;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Immutable after construction, so safe to read from any thread.
 *
 * <p>Longest-prefix match from an address (two longs) to a node id, without allocation. Pod CIDRs
 * come in very few distinct lengths (typically one per family: /24 and /64), so the table keeps one
 * exact-match hash table per distinct length and tries the lengths longest first: a lookup costs
 * one probe per distinct length, however many nodes there are.
 */
public final class PrefixTable {
    private final int[] lengths;
    private final long[][] keyHi;
    private final long[][] keyLo;
    private final int[][] values;

    public PrefixTable(List<IpPrefix> prefixes, List<Integer> nodeIds) {
        if (prefixes.size() != nodeIds.size()) {
            throw new IllegalArgumentException("one node id per prefix");
        }
        lengths = prefixes.stream().mapToInt(IpPrefix::length).distinct().sorted().toArray();
        reverse(lengths);
        keyHi = new long[lengths.length][];
        keyLo = new long[lengths.length][];
        values = new int[lengths.length][];
        for (int l = 0; l < lengths.length; l++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < prefixes.size(); i++) {
                if (prefixes.get(i).length() == lengths[l]) {
                    members.add(i);
                }
            }
            int size = Integer.highestOneBit(Math.max(2, members.size() * 2) - 1) << 1;
            keyHi[l] = new long[size];
            keyLo[l] = new long[size];
            values[l] = new int[size];
            for (int i : members) {
                IpPrefix prefix = prefixes.get(i);
                int position = hash(prefix.hi(), prefix.lo()) & (size - 1);
                while (values[l][position] != 0) {
                    if (keyHi[l][position] == prefix.hi() && keyLo[l][position] == prefix.lo()) {
                        throw new IllegalArgumentException("prefix " + prefix + " is given for two nodes");
                    }
                    position = (position + 1) & (size - 1);
                }
                keyHi[l][position] = prefix.hi();
                keyLo[l][position] = prefix.lo();
                values[l][position] = nodeIds.get(i);
            }
        }
    }

    /** Node id of the longest prefix containing the address, or 0. */
    public int lookup(long hi, long lo) {
        for (int l = 0; l < lengths.length; l++) {
            int length = lengths[l];
            long maskedHi = hi & IpPrefix.maskHi(length);
            long maskedLo = lo & IpPrefix.maskLo(length);
            int[] nodes = values[l];
            int mask = nodes.length - 1;
            int position = hash(maskedHi, maskedLo) & mask;
            while (nodes[position] != 0) {
                if (keyHi[l][position] == maskedHi && keyLo[l][position] == maskedLo) {
                    return nodes[position];
                }
                position = (position + 1) & mask;
            }
        }
        return 0;
    }

    public boolean isEmpty() {
        return lengths.length == 0;
    }

    private static int hash(long hi, long lo) {
        long h = (hi * 0x9E3779B97F4A7C15L) ^ (lo * 0xC2B2AE3D27D4EB4FL);
        h ^= h >>> 32;
        return (int) h ^ (int) (h >>> 16);
    }

    private static void reverse(int[] array) {
        for (int i = 0, j = array.length - 1; i < j; i++, j--) {
            int t = array[i];
            array[i] = array[j];
            array[j] = t;
        }
    }

    @Override
    public String toString() {
        return "PrefixTable" + Arrays.toString(lengths);
    }
}
