package io.transitwatch.daemon.sim;

import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe. Builds the simulator's gRPC servers on shared, named threads: one Netty boss thread
 * ({@code transitwatch-sim-netty-boss}), two I/O threads ({@code transitwatch-sim-netty}) and the
 * call executor ({@code transitwatch-sim-grpc}), all stopped by {@link #close()}.
 */
final class GrpcServers implements AutoCloseable {
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1,
            NamedThreadFactory.daemon("sim-netty-boss"), NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2,
            NamedThreadFactory.daemon("sim-netty"), NioIoHandler.newFactory());
    private final ExecutorService calls = Executors.newFixedThreadPool(2, NamedThreadFactory.daemon("sim-grpc"));

    /** Plaintext, server-side TLS, or mutual TLS that rejects clients without a certificate from our CA. */
    static ServerCredentials credentials(SimCertificates.Files tls, boolean requireClientCertificate) {
        if (tls == null) {
            return InsecureServerCredentials.create();
        }
        try {
            TlsServerCredentials.Builder builder = TlsServerCredentials.newBuilder()
                    .keyManager(tls.serverCert().toFile(), tls.serverKey().toFile());
            if (requireClientCertificate) {
                builder.trustManager(tls.caCert().toFile()).clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
            }
            return builder.build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the simulator's TLS files", e);
        }
    }

    Server start(String host, int port, ServerCredentials credentials, List<BindableService> services)
            throws IOException {
        NettyServerBuilder builder = NettyServerBuilder.forAddress(new InetSocketAddress(host, port), credentials)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers)
                .channelType(NioServerSocketChannel.class)
                .executor(calls);
        services.forEach(builder::addService);
        return builder.build().start();
    }

    @Override
    public void close() {
        calls.shutdownNow();
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        try {
            calls.awaitTermination(5, TimeUnit.SECONDS);
            boss.terminationFuture().await(5, TimeUnit.SECONDS);
            workers.terminationFuture().await(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
