package io.transitwatch.daemon.kubernetes;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.http.HttpClient;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Immutable. fabric8's JDK HTTP client backend, running its asynchronous work on the executor the
 * lifecycle code handed in (named threads) instead of the JDK's default pool; the JDK still names
 * its one selector thread {@code HttpClient-*-SelectorManager}.
 */
final class NamedJdkHttpClientFactory extends JdkHttpClientFactory {
    private final Executor executor;

    NamedJdkHttpClientFactory(Executor executor) {
        this.executor = executor;
    }

    /**
     * A cached pool of {@code threads} for the client and fabric8's tasks that, once shut down, runs
     * what it is still handed in the handing thread instead of rejecting it. The API server answers a
     * watch's close frame after discovery has closed; the JDK client hands that answer to this
     * executor, and a rejection (Java 17's client does not fall back) loses it. fabric8 then never
     * learns the WebSocket ended, so the watch's keep-alive ping stays on fabric8's static scheduler
     * for the life of the JVM, holding the watch, its informer, the discovery and what it publishes
     * to (issue #14: every closed daemon's hand-off ring stayed reachable).
     */
    static ExecutorService executor(ThreadFactory threads) {
        return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS, new SynchronousQueue<>(), threads,
                (task, pool) -> {
                    if (!pool.isShutdown()) {
                        throw new RejectedExecutionException("kubernetes client: no thread for " + task);
                    }
                    task.run();
                });
    }

    @Override
    protected void additionalConfig(HttpClient.Builder builder) {
        builder.executor(executor);
    }
}
