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
    private int port;
    private Server server;

    HubbleServer(GrpcServers servers, String host, int port, ServerCredentials credentials,
            List<BindableService> services) {
        this.servers = servers;
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

    /** Closes the listener and every open call now; clients see UNAVAILABLE. */
    synchronized void stop() {
        if (server == null) {
            return;
        }
        server.shutdownNow();
        try {
            server.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
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
