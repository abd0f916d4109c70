package io.transitwatch.daemon.sim;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe (start/stop are synchronized). One listening gRPC endpoint of the simulated cluster
 * that can be stopped and started again on the same port, the way a restarted agent comes back.
 */
final class HubbleServer {
    private final GrpcServers servers;
    private final String host;
    private final ServerCredentials credentials;
    private final List<BindableService> services;
    private final Runnable endOpenCalls;
    private int port;
    private Server server;

    /**
     * @param endOpenCalls fails the open streaming calls with UNAVAILABLE, so clients see what a
     *                     dying agent causes rather than a server-side cancel
     */
    HubbleServer(GrpcServers servers, String host, int port, ServerCredentials credentials,
            List<BindableService> services, Runnable endOpenCalls) {
        this.servers = servers;
        this.endOpenCalls = endOpenCalls;
        this.host = host;
        this.port = port;
        this.credentials = credentials;
        this.services = List.copyOf(services);
    }

    synchronized void start() {
        if (server != null) {
            throw new IllegalStateException("already serving on " + target());
        }
        try {
            server = servers.start(host, port, credentials, services);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot listen on " + host + ":" + port, e);
        }
        port = server.getPort(); // the ephemeral port is kept for restarts
    }

    /** Ends every open call with UNAVAILABLE and closes the listener; returns once the port is free. */
    synchronized void stop() {
        if (server == null) {
            return;
        }
        endOpenCalls.run();
        server.shutdown();
        try {
            if (!server.awaitTermination(2, TimeUnit.SECONDS)) {
                server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            server.shutdownNow();
            Thread.currentThread().interrupt();
        }
        server = null;
    }

    synchronized boolean running() {
        return server != null;
    }

    synchronized int port() {
        return port;
    }

    synchronized String target() {
        return host + ":" + port;
    }
}
