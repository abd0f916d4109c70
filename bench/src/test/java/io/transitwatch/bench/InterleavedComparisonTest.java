package io.transitwatch.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class InterleavedComparisonTest {
    @Test
    void everyBuildIsLoadedOnceEarlyAndOnceLateSoNoneOwnsTheFirstPosition() {
        assertArrayEquals(new int[] {0, 1, 1, 0}, InterleavedComparison.loadOrder(2, 2));
        assertArrayEquals(new int[] {0, 1, 2, 2, 1, 0}, InterleavedComparison.loadOrder(3, 2));
    }

    @Test
    void aBuildsRateSumsItsCopiesAndItsRatioIsTakenRoundByRound() {
        int[] buildOf = InterleavedComparison.loadOrder(2, 2); // instances: A B B A
        InterleavedComparison.Rates rates = new InterleavedComparison.Rates(buildOf, 2);
        // Round 1: the host is fast, build B does 1.5x build A's events per CPU-second.
        rates.addRound(new long[] {1_000, 1_500, 1_500, 1_000}, new long[] {1_000, 1_000, 1_000, 1_000});
        // Round 2: the host is half as fast for everybody; B is still 1.5x.
        rates.addRound(new long[] {500, 750, 750, 500}, new long[] {1_000, 1_000, 1_000, 1_000});
        // Round 3: B's second copy lands on a slow instance: B's round rate is the mean of its copies.
        rates.addRound(new long[] {1_000, 1_500, 1_100, 1_000}, new long[] {1_000, 1_000, 1_000, 1_000});

        assertEquals((1_000 + 500 + 1_000) * 2 * 1e9 / 6_000, rates.rate(0), 1e-6);
        assertEquals((1_500 + 1_500 + 750 + 750 + 1_500 + 1_100) * 1e9 / 6_000, rates.rate(1), 1e-6);
        double[] quartiles = rates.roundRatioQuartiles(1);
        assertEquals(1.5, quartiles[1], 1e-9, "median round ratio");
        assertEquals(1.3, quartiles[0], 1e-9, "lowest round ratio: (1500 + 1100) / 2000");
        assertEquals(1.0, rates.roundRatioQuartiles(0)[1], 1e-9);
    }
}
