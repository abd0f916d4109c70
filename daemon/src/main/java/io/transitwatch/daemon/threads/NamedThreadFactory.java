package io.transitwatch.daemon.threads;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe. The only way TransitWatch makes threads: every thread gets a
 * {@code transitwatch-<role>[-n]} name, so that a thread dump tells who owns it.
 *
 * <p>Components that the lifecycle code wires take a factory (or a role → factory function, e.g.
 * {@code NamedThreadFactory::daemon}) in their constructor instead of calling this class.
 */
public final class NamedThreadFactory implements ThreadFactory {
    private final String role;
    private final boolean daemon;
    private final AtomicInteger counter = new AtomicInteger();

    private NamedThreadFactory(String role, boolean daemon) {
        this.role = role;
        this.daemon = daemon;
    }

    /** Threads named {@code transitwatch-<role>-1}, {@code -2}, ...; daemon threads. */
    public static NamedThreadFactory daemon(String role) {
        return new NamedThreadFactory(role, true);
    }

    /** Threads that keep the JVM alive until the lifecycle code stops them. */
    public static NamedThreadFactory nonDaemon(String role) {
        return new NamedThreadFactory(role, false);
    }

    @Override
    public Thread newThread(Runnable task) {
        Thread thread = new Thread(task, "transitwatch-" + role + "-" + counter.incrementAndGet());
        thread.setDaemon(daemon);
        return thread;
    }
}
