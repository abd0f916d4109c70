package io.transitwatch.sinks;

import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Waits for something another thread does, with a deadline far above any healthy run: a failing
 * test fails with a message instead of hanging, and no test asserts how fast anything is.
 */
public final class Await {
    public static final Duration GENEROUS = Duration.ofSeconds(60);

    private Await() {}

    public static void until(BooleanSupplier condition, Supplier<String> whatWasExpected) {
        long deadline = System.nanoTime() + GENEROUS.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("gave up waiting: " + whatWasExpected.get());
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting: " + whatWasExpected.get(), e);
            }
        }
    }

    public static void until(BooleanSupplier condition, String whatWasExpected) {
        until(condition, () -> whatWasExpected);
    }
}
