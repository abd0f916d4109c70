package io.transitwatch.daemon.lifecycle;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.kubernetes.KubernetesDiscovery;
import io.transitwatch.daemon.kubernetes.ResourceWatch;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.ref.WeakReference;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A closed demo (simulator, its in-process Kubernetes API server, and the daemon with discovery
 * watching it) leaves nothing behind in the JVM: its daemon, discovery and hand-off ring become
 * unreachable, and the threads it started end. Issue #14's leak: fabric8's JDK-client watches kept
 * pinging on fabric8's shared scheduler after close (the server's answer to their close frame was
 * rejected by the already shut-down client executor), which held the discovery, its publisher and
 * so the ring (64 Ki {@code NodeEvent}s) of every run in a JVM that runs many.
 *
 * <p>No timed assertion: the references and threads are polled (with {@code System.gc()}) until
 * they are gone, within a generous limit.
 */
class ClosedDemoIsCollectedIT {
    /** Generous: the fabric8 shared scheduler's thread ends 10 s after its last task, on a loaded machine. */
    private static final Duration RELEASE_LIMIT = Duration.ofSeconds(90);
    private static final Duration WATCHES_LIMIT = Duration.ofSeconds(30);

    /**
     * The threads a run may start: the JDK HTTP clients' selectors, fabric8's shared scheduler and
     * its default client executor (the simulator's client), the mock API server's per-watch
     * executors (fabric8 leaves them unnamed) and Vert.x threads, and TransitWatch's own.
     */
    private static final Pattern RUN_THREADS = Pattern.compile("HttpClient-\\d+-SelectorManager"
            + "|CachedSingleThreadScheduler-.*|JdkHttpClientFactory-.*|pool-\\d+-thread-\\d+|vert\\.?x-.*"
            + "|transitwatch-.*");

    @TempDir
    Path dir;

    @Test
    void aClosedDemoWithKubernetesDiscoveryIsCollectedAndItsThreadsEnd() throws InterruptedException {
        ThreadGroup runGroup = new ThreadGroup("closed-demo");
        List<WeakReference<Object>> run = runAndCloseIn(runGroup);

        await().atMost(RELEASE_LIMIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            System.gc();
            assertNull(run.get(0).get(), "the closed daemon is still reachable");
            assertNull(run.get(1).get(), "the closed daemon's Kubernetes discovery is still reachable");
            assertNull(run.get(2).get(), "the closed daemon's hand-off ring is still reachable");
        });
        await().atMost(RELEASE_LIMIT).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            System.gc(); // the JDK HTTP client's selector thread ends once its client is unreachable
            assertEquals(Set.of(), survivors(runGroup), "threads of the closed run still alive");
        });
    }

    /**
     * Runs {@link #runAndClose} on a thread of {@code runGroup}. A thread takes its creator's group,
     * so every thread the run starts, directly or through the pools it creates, is in that group;
     * a thread another test class left behind (a watch of its own restarting fabric8's shared
     * scheduler, say) is not, however its name reads or whenever it starts.
     */
    private List<WeakReference<Object>> runAndCloseIn(ThreadGroup runGroup) throws InterruptedException {
        AtomicReference<List<WeakReference<Object>>> run = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread runner = new Thread(runGroup, () -> {
            try {
                run.set(runAndClose());
            } catch (Throwable t) {
                failure.set(t);
            }
        }, "closed-demo-runner");
        runner.start();
        runner.join();
        if (failure.get() != null) {
            throw new AssertionError("the demo's run failed", failure.get());
        }
        return run.get();
    }

    /**
     * Starts the demo, waits until every informer watches (the watch connections are what outlived
     * close), closes it and returns weak references to its daemon, discovery and ring: nothing
     * strong survives this frame.
     */
    private List<WeakReference<Object>> runAndClose() {
        Demo demo = Demo.start(SimMode.RELAY, Scenario.preset("healthy"), List.of("http.port=-1"), dir,
                new PrintStream(OutputStream.nullOutputStream()), Clock.SYSTEM);
        try {
            KubernetesDiscovery discovery = demo.daemon().discovery();
            await().atMost(WATCHES_LIMIT).until(() -> {
                List<ResourceWatch> resources = discovery.status().resources();
                return !resources.isEmpty() && resources.stream().allMatch(ResourceWatch::watching);
            });
            assertTrue(demo.daemon().joinLoop().isRunning(), "the daemon runs before it is closed");
            return List.of(new WeakReference<>(demo.daemon()), new WeakReference<>(discovery),
                    new WeakReference<>(demo.daemon().ingest().ring()));
        } finally {
            demo.close();
        }
    }

    private static Set<String> survivors(ThreadGroup runGroup) {
        Set<String> names = new TreeSet<>();
        for (Thread thread : Thread.getAllStackTraces().keySet()) {
            ThreadGroup group = thread.getThreadGroup(); // null once the thread has ended
            if (group != null && runGroup.parentOf(group) && thread.isAlive()
                    && RUN_THREADS.matcher(thread.getName()).matches()) {
                names.add(thread.getName());
            }
        }
        return names;
    }
}
