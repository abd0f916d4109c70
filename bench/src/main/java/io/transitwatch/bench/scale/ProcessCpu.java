package io.transitwatch.bench.scale;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Stateless and thread-safe. The CPU time of another process, every thread of it (user + system),
 * from {@code /proc/PID/stat}: what the scale benchmark charges to each role, and to the broker
 * apart from them. The kernel counts it in clock ticks ({@code getconf CLK_TCK}, 100 on Linux
 * x86-64), so a figure is good to 10 ms; the measured spans are seconds long.
 */
final class ProcessCpu {
    /** {@code sysconf(_SC_CLK_TCK)}: USER_HZ, fixed at 100 in the kernel's ABI on x86-64 and arm64. */
    static final long TICKS_PER_SECOND = 100;

    private ProcessCpu() {}

    /** CPU time of process {@code pid} so far, in nanoseconds. */
    static long nanos(long pid) {
        try {
            return nanosOf(Files.readString(Path.of("/proc", Long.toString(pid), "stat"), StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the CPU time of process " + pid + " (has it exited?)", e);
        }
    }

    /**
     * {@code utime + stime} (fields 14 and 15 of proc(5)) of one {@code /proc/PID/stat} line, in
     * nanoseconds. The second field, the command name in parentheses, may itself hold spaces and
     * parentheses, so the fields are counted from the last {@code ')'}.
     */
    static long nanosOf(String statLine) {
        int close = statLine.lastIndexOf(')');
        if (close < 0) {
            throw new IllegalArgumentException("not a /proc/PID/stat line: " + statLine);
        }
        // after ") ": field 3 (state) is index 0, so utime (14) is index 11 and stime (15) index 12
        String[] fields = statLine.substring(close + 1).trim().split("\\s+");
        if (fields.length < 13) {
            throw new IllegalArgumentException("too few fields in /proc/PID/stat: " + statLine);
        }
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }
}
