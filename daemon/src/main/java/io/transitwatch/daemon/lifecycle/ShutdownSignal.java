package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.threads.NamedThreadFactory;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe: the command's thread calls {@link #await()} and {@link #closed()}; SIGINT and SIGTERM
 * are handled on the JVM's own short-lived signal threads ({@code SIGINT handler}, {@code SIGTERM
 * handler}, one per signal received), and any other JVM exit on the shutdown hook thread
 * {@code transitwatch-shutdown-1}.
 *
 * <p>Lets a command run until SIGINT/SIGTERM, close in order, and exit 0. The first signal only wakes
 * {@link #await()}: the JVM does not start shutting down, so the command closes everything while
 * logging still works, reports {@link #closed()} and returns its own exit code. A second signal, or a
 * close that takes longer than the deadline, ends the process at once with 128 + the signal number
 * (130 for SIGINT, 143 for SIGTERM), as the JVM would. Any other way out (SIGHUP, {@code System.exit})
 * still goes through the shutdown hook, which wakes {@link #await()} and waits, up to the deadline, for
 * {@link #closed()}.
 *
 * <p>The handlers are set with {@code sun.misc.Signal} (module {@code jdk.unsupported}, kept for this
 * use by JEP 260), reflectively so that compiling this class gives no proprietary-API warning. Where
 * it cannot be used (e.g. {@code -Xrs}) only the shutdown hook is left, and a signal ends the process
 * with 130/143 after the close, the JVM's default. {@link #closed()} puts the previous handlers back,
 * so a command run inside another program (a test) leaves its signal handling as it was.
 */
public final class ShutdownSignal {
    private static final System.Logger LOG = System.getLogger(ShutdownSignal.class.getName());
    private static final List<String> SIGNALS = List.of("INT", "TERM");

    private final CountDownLatch requested = new CountDownLatch(1);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final long closeDeadlineSeconds;
    /** Puts the handlers that were there before back; guarded by {@code this}. */
    private final List<ReflectiveRunnable> restore = new ArrayList<>();

    private ShutdownSignal(long closeDeadlineSeconds) {
        this.closeDeadlineSeconds = closeDeadlineSeconds;
    }

    /**
     * Handles SIGINT and SIGTERM and registers the shutdown hook; {@code closeDeadlineSeconds} bounds
     * how long the process waits, after being asked to stop, for {@link #closed()}.
     */
    public static ShutdownSignal install(long closeDeadlineSeconds) {
        ShutdownSignal signal = new ShutdownSignal(closeDeadlineSeconds);
        Runtime.getRuntime().addShutdownHook(NamedThreadFactory.nonDaemon("shutdown").newThread(() -> {
            signal.requested.countDown();
            try {
                signal.closed.await(closeDeadlineSeconds, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }));
        signal.handleSignals();
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

    /** The command has closed everything: the process may end, and SIGINT/SIGTERM do again what they did before. */
    public void closed() {
        closed.countDown();
        synchronized (this) {
            for (ReflectiveRunnable undo : restore) {
                try {
                    undo.run();
                } catch (ReflectiveOperationException | RuntimeException e) {
                    LOG.log(System.Logger.Level.DEBUG, () -> "could not restore a signal handler: " + e);
                }
            }
            restore.clear();
        }
    }

    /** On a JVM signal thread: the first signal asks the command to stop; see the class comment. */
    private void onSignal(String name, int number) {
        if (requested.getCount() == 0) {
            System.err.println("transitwatch: SIG" + name + " again while shutting down; exiting now");
            Runtime.getRuntime().halt(128 + number);
        }
        requested.countDown();
        try {
            if (!closed.await(closeDeadlineSeconds, TimeUnit.SECONDS)) {
                System.err.println("transitwatch: not shut down " + closeDeadlineSeconds + " s after SIG" + name
                        + "; exiting now");
                Runtime.getRuntime().halt(128 + number);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private synchronized void handleSignals() {
        try {
            Class<?> signalClass = Class.forName("sun.misc.Signal");
            Class<?> handlerClass = Class.forName("sun.misc.SignalHandler");
            Method handle = signalClass.getMethod("handle", signalClass, handlerClass);
            Method getName = signalClass.getMethod("getName");
            Method getNumber = signalClass.getMethod("getNumber");
            Object handler = Proxy.newProxyInstance(ShutdownSignal.class.getClassLoader(), new Class<?>[] {handlerClass},
                    (proxy, method, args) -> switch (method.getName()) {
                        case "handle" -> {
                            onSignal((String) getName.invoke(args[0]), (Integer) getNumber.invoke(args[0]));
                            yield null;
                        }
                        case "equals" -> proxy == args[0];
                        case "hashCode" -> System.identityHashCode(proxy);
                        default -> "ShutdownSignal handler";
                    });
            for (String name : SIGNALS) {
                Object signal = signalClass.getConstructor(String.class).newInstance(name);
                Object previous = handle.invoke(null, signal, handler);
                restore.add(() -> handle.invoke(null, signal, previous));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, () -> "SIGINT/SIGTERM left to the JVM (exit 130/143 after the close): "
                    + e);
        }
    }

    @FunctionalInterface
    private interface ReflectiveRunnable {
        void run() throws ReflectiveOperationException;
    }
}
