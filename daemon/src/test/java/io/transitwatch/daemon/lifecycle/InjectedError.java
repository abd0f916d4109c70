package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import java.util.concurrent.atomic.AtomicBoolean;

/** An {@link Error} from a test, so that no real one is mistaken for it; and a clock that throws one. */
final class InjectedError extends Error {
    /** @param thread the thread's role as the message names it ("join" gives "injected into the join thread") */
    InjectedError(String thread) {
        super("injected into the " + thread + " thread");
    }

    /**
     * The system clock, throwing an {@code InjectedError} once: to the first caller on a thread named
     * {@code "transitwatch-" + role + "-…"} ({@code NamedThreadFactory}) after {@code armed} turned true.
     */
    static Clock failingOnceOn(String role, AtomicBoolean armed) {
        String threadPrefix = "transitwatch-" + role + "-";
        return () -> {
            if (Thread.currentThread().getName().startsWith(threadPrefix) && armed.compareAndSet(true, false)) {
                throw new InjectedError(role);
            }
            return Clock.SYSTEM.epochNanos();
        };
    }
}
