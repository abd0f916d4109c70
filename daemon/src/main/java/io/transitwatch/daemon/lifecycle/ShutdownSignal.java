package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.threads.NamedThreadFactory;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe. Lets a command run until SIGINT/SIGTERM and still close in order: the JVM's shutdown
 * hook ({@code transitwatch-shutdown-1}) wakes {@link #await()} and then waits, up to a deadline,
 * for the command to report {@link #closed()} before the JVM halts.
 */
public final class ShutdownSignal {
    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);

    private ShutdownSignal() {}

    /** Registers the shutdown hook; {@code closeDeadlineSeconds} bounds how long the JVM waits for {@link #closed()}. */
    public static ShutdownSignal install(long closeDeadlineSeconds) {
        ShutdownSignal signal = new ShutdownSignal();
        Runtime.getRuntime().addShutdownHook(NamedThreadFactory.nonDaemon("shutdown").newThread(() -> {
            signal.requested.countDown();
            try {
                signal.closed.await(closeDeadlineSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        return signal;
    }

    /** Blocks until the process is asked to stop. */
    public void await() throws InterruptedException {
        requested.await();
    }

    /** Blocks until the process is asked to stop or the timeout passes; true when asked to stop. */
    public boolean awaitFor(long timeout, TimeUnit unit) throws InterruptedException {
        return requested.await(timeout, unit);
    }

    /** The command has closed everything; the JVM may halt. */
    public void closed() {
        closed.countDown();
    }
}
