package io.transitwatch.daemon.ingest;

import io.grpc.ChannelCredentials;
import io.grpc.ClientInterceptor;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoop;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Thread-safe: channels may be opened from any ingest thread.
 *
 * <p>Makes the gRPC channels of one ingest and owns the threads under them: one Netty event loop
 * ({@code transitwatch-ingest-netty}, the <em>transport thread</em>, which also runs every
 * {@code GetFlows} call's callbacks, see {@link FlowsCall}) and one callback executor
 * ({@code transitwatch-ingest-grpc}) for the other calls, shared by every channel. Channels are
 * returned to the caller, who shuts each one down; the threads go in {@link #close()}, after the
 * channels. (grpc-java still runs its own shared
 * {@code grpc-timer} thread for deadlines and keepalive; it has no hook to replace it.)
 *
 * <p>With TLS, the CA, client certificate and key are re-read when their files change (a mounted
 * Secret that rotates), checked every {@code tlsReloadInterval} on the ingest's timer thread
 * ({@link TlsFileWatch}): new connections present and trust what was read last, connections
 * already up are left alone (ADR 0011).
 */
final class HubbleChannels implements AutoCloseable {
    /** Matches grpc-go's default keepalive enforcement (5 min): more frequent pings get the connection closed. */
    private static final long KEEPALIVE_MINUTES = 5;

    private final ChannelCredentials credentials;
    private final EventLoopGroup eventLoop;
    private final EventLoop transportThread; // the group's one loop
    private final ExecutorService callbacks;
    private final Executor callbacksUntilClosed; // what the channels are given: see closed
    private volatile boolean closed;
    private final List<ClientInterceptor> interceptors;
    private ScheduledFuture<?> tlsChecks; // null without TLS

    /**
     * @param threads the thread factory for a role; {@code ingest-netty} and {@code ingest-grpc} are asked for
     * @param timer where the TLS files are checked for changes (the ingest's timer thread)
     */
    HubbleChannels(IngestConfig.TlsFiles tls, Duration tlsReloadInterval, ScheduledExecutorService timer,
            List<ClientInterceptor> interceptors, Function<String, ThreadFactory> threads) {
        this.interceptors = List.copyOf(interceptors);
        this.credentials = tls == null ? InsecureChannelCredentials.create()
                : tlsCredentials(tls, tlsReloadInterval, timer);
        this.eventLoop = GrpcTransport.newEventLoopGroup(1, threads.apply("ingest-netty"));
        this.transportThread = eventLoop.next();
        // Two threads for the calls other than GetFlows (GetNodes, ServerStatus, Peer) and DNS lookups.
        this.callbacks = Executors.newFixedThreadPool(2, threads.apply("ingest-grpc"));
        this.callbacksUntilClosed = this::runOnCallbacks;
    }

    /**
     * Reads the files once now (so that a missing or unreadable file stops the start, as before),
     * then checks them every {@code interval} on {@code timer} ({@link TlsFileWatch}).
     */
    private ChannelCredentials tlsCredentials(IngestConfig.TlsFiles tls, Duration interval,
            ScheduledExecutorService timer) {
        TlsFileWatch watch;
        try {
            watch = new TlsFileWatch(tls);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the TLS files (hubble.tls.*): " + e, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cannot use the TLS files (hubble.tls.*) " + tls.caCert() + ", "
                    + tls.clientCert() + ", " + tls.clientKey() + ": " + e.getMessage(), e);
        }
        tlsChecks = timer.scheduleWithFixedDelay(watch, interval.toNanos(), interval.toNanos(), TimeUnit.NANOSECONDS);
        TlsChannelCredentials.Builder builder = TlsChannelCredentials.newBuilder().trustManager(watch.trustManager());
        if (watch.keyManager() != null) {
            builder.keyManager(watch.keyManager());
        }
        return builder.build();
    }

    /**
     * @param address {@code host:port} or {@code [v6]:port}
     * @param serverName name the server certificate must carry, null for the host of {@code address}
     * @param plaintext true to connect without TLS even if TLS is configured (a peer without TLS)
     */
    ManagedChannel open(String address, String serverName, boolean plaintext) {
        URI parsed = URI.create("//" + address);
        if (parsed.getHost() == null || parsed.getPort() < 0) {
            throw new IllegalArgumentException("expected host:port, got '" + address + "'");
        }
        String host = parsed.getHost().startsWith("[") ? parsed.getHost().substring(1, parsed.getHost().length() - 1)
                : parsed.getHost();
        NettyChannelBuilder builder = GrpcTransport.configure(NettyChannelBuilder
                .forAddress(host, parsed.getPort(), plaintext ? InsecureChannelCredentials.create() : credentials),
                        eventLoop)
                .executor(callbacksUntilClosed)
                .offloadExecutor(callbacksUntilClosed)
                .keepAliveTime(KEEPALIVE_MINUTES, TimeUnit.MINUTES)
                .keepAliveTimeout(20, TimeUnit.SECONDS)
                .intercept(interceptors);
        if (serverName != null && !serverName.isEmpty() && !plaintext) {
            builder.overrideAuthority(serverName);
        }
        return builder.build();
    }

    /**
     * A channel may still hand over a task after its shutdown was asked for, e.g. the DNS lookup a
     * connection that failed meanwhile asks for. Once this ingest closes there is nothing left to
     * resolve or call back, so such a task is dropped instead of surfacing as an uncaught
     * {@code RejectedExecutionException} in a gRPC thread.
     */
    private void runOnCallbacks(Runnable task) {
        try {
            callbacks.execute(task);
        } catch (RejectedExecutionException e) {
            if (!closed) {
                throw e;
            }
        }
    }

    /** The executor the channels are given for their callbacks and offloaded work (DNS lookups). */
    Executor channelExecutor() {
        return callbacksUntilClosed;
    }

    /**
     * Runs {@code task} on the transport thread. Queued from that thread, it runs once the thread
     * has handled the reads it is busy with (Netty runs queued tasks after each round of I/O), so it
     * marks the end of a burst of delivered messages.
     */
    void afterReads(Runnable task) {
        try {
            transportThread.execute(task);
        } catch (RejectedExecutionException e) { // the loop is shutting down: nothing will be read after this
            task.run();
        }
    }

    /** True on the transport thread, where every {@code GetFlows} call's callbacks run. */
    boolean onTransportThread() {
        return transportThread.inEventLoop();
    }

    static int flowControlWindowBytes() {
        return GrpcTransport.FLOW_CONTROL_WINDOW_BYTES;
    }

    /** Shuts a channel down now, waiting briefly for its calls to end. */
    static void shutdown(ManagedChannel channel) {
        channel.shutdownNow();
        try {
            channel.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** True when TLS is configured for this ingest. */
    boolean tlsConfigured() {
        return !(credentials instanceof InsecureChannelCredentials);
    }

    @Override
    public void close() {
        closed = true;
        if (tlsChecks != null) {
            tlsChecks.cancel(false);
        }
        callbacks.shutdown();
        eventLoop.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        try {
            if (!callbacks.awaitTermination(5, TimeUnit.SECONDS)) {
                callbacks.shutdownNow();
            }
            eventLoop.terminationFuture().await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            callbacks.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
