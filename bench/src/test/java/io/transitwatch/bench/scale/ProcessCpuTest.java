package io.transitwatch.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProcessCpuTest {
    /** A real line of a JVM (fields 14 and 15: utime 1234, stime 56 ticks). */
    private static final String JAVA = "4242 (java) S 4200 4242 4200 0 -1 4194560 51234 0 12 0 1234 56 0 0 20 0 "
            + "38 0 123456 4000000000 60000 18446744073709551615 1 1 0 0 0 0 0 2 16800973 0 0 0 17 1 0 0 0 0 0";

    @Test
    void userPlusSystemTicksAreConvertedToNanoseconds() {
        assertEquals((1234 + 56) * 10_000_000L, ProcessCpu.nanosOf(JAVA));
    }

    @Test
    void aCommandNameWithSpacesAndParenthesesDoesNotShiftTheFields() {
        String odd = JAVA.replace("(java)", "(my (odd) name 7 8 9)");
        assertEquals((1234 + 56) * 10_000_000L, ProcessCpu.nanosOf(odd));
    }

    @Test
    void aLineThatIsNotAStatLineIsRefusedNotMisread() {
        assertThrows(IllegalArgumentException.class, () -> ProcessCpu.nanosOf("4242 java S 1 2 3"));
        assertThrows(IllegalArgumentException.class, () -> ProcessCpu.nanosOf("4242 (java) S 1 2 3"));
    }

    @Test
    void thisProcessHasUsedSomeCpu() {
        long before = ProcessCpu.nanos(ProcessHandle.current().pid());
        long sum = 0;
        for (int i = 0; i < 50_000_000; i++) {
            sum += i ^ (sum >>> 3);
        }
        long after = ProcessCpu.nanos(ProcessHandle.current().pid());
        assertTrue(sum != 42 && after >= before && before > 0, "before " + before + ", after " + after);
    }
}
