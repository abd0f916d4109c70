package io.transitwatch.daemon.kubernetes;

import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import java.net.http.HttpClient;
import java.util.concurrent.Executor;

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

    @Override
    protected void additionalConfig(HttpClient.Builder builder) {
        builder.executor(executor);
    }
}
