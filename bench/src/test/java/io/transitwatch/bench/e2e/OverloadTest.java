package io.transitwatch.bench.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class OverloadTest {
    private static final long RATE = 262_000;
    private static final long[] NO_UNVERIFIED = new long[8];

    @Test
    void aSecondsFlowsMovedIntoTheNextByALateCounterReadAreStillNormal() {
        // Seconds from the recovery of the run of 2026-12-08 at 00:55, where no UNVERIFIED was decided
        // after the 6th: a descheduled join thread joins 96 % in one second and catches up in the next.
        long[] joined = {263_668, 264_465, 251_839, 273_171, 263_574, 253_625, 275_178, 263_006};
        assertEquals(0, Overload.backToNormalAt(joined, NO_UNVERIFIED, RATE));
    }

    @Test
    void aPipelineShortOfTheRateOverTwoAdjacentSecondsIsNotYetBackToNormal() {
        long[] joined = {262_000, 251_000, 252_000, 262_000, 262_000, 262_000, 262_000, 262_000};
        assertEquals(2, Overload.backToNormalAt(joined, NO_UNVERIFIED, RATE));
    }

    @Test
    void anUnverifiedVerdictKeepsItsSecondAndTheOnesBeforeItOutOfTheNormal() {
        long[] joined = {325_000, 262_000, 262_000, 262_000, 262_000, 262_000, 262_000, 262_000};
        long[] unverified = {700, 300, 0, 62_000, 0, 0, 0, 0};
        assertEquals(4, Overload.backToNormalAt(joined, unverified, RATE));
    }

    @Test
    void aPipelineThatNeverKeepsUpIsNeverBackToNormal() {
        long[] joined = {250_000, 250_000, 250_000, 250_000, 250_000, 250_000, 250_000, 250_000};
        assertEquals(joined.length, Overload.backToNormalAt(joined, NO_UNVERIFIED, RATE));
        long[] lastSecondShort = {262_000, 262_000, 262_000, 262_000, 262_000, 262_000, 262_000, 240_000};
        assertEquals(joined.length, Overload.backToNormalAt(lastSecondShort, NO_UNVERIFIED, RATE));
    }
}
