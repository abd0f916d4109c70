package io.transitwatch.daemon.ingest;

import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollIoHandler;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.util.concurrent.ThreadFactory;

/**
 * Stateless. The transport settings of the ingest's gRPC channels, in one place so that the
 * end-to-end benchmark's baseline pipelines use exactly the same ones (a comparison over different
 * channel settings would measure the settings).
 *
 * <ul>
 *   <li><b>Epoll</b> where grpc-netty-shaded's native transport loads (Linux on x86_64 and aarch64),
 *       Java NIO elsewhere: fewer system calls and no selector bookkeeping per read.
 *   <li><b>No gRPC retries.</b> Every stream reconnects and resumes on its own terms
 *       ({@link ReconnectingStream}, with our backoff and a resume from the last event), so gRPC's
 *       transparent retry buys nothing; it would wrap every call in a {@code RetriableStream} that
 *       re-queues each received message through a synchronization context (an allocation and a
 *       queue insert per flow).
 *   <li><b>A fixed HTTP/2 window</b> instead of grpc-java's auto-tuning (which may grow it to 8 MiB):
 *       with manual flow control, what a server can push beyond what we requested sits in this
 *       window, so it bounds the transport's share of our memory per connection.
 * </ul>
 */
public final class GrpcTransport {
    /** Larger messages are a protocol violation, not a flow: a flow is a few kilobytes. */
    public static final int MAX_MESSAGE_BYTES = 4 << 20;
    static final int FLOW_CONTROL_WINDOW_BYTES = 1 << 20;
    private static final boolean EPOLL = Epoll.isAvailable();

    private GrpcTransport() {}

    /** An event loop group of {@code threads} transport threads of the kind {@link #configure} expects. */
    public static EventLoopGroup newEventLoopGroup(int threads, ThreadFactory factory) {
        return new MultiThreadIoEventLoopGroup(threads, factory,
                EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
    }

    /** Applies the shared settings to a channel that runs on {@code group} (made by {@link #newEventLoopGroup}). */
    public static NettyChannelBuilder configure(NettyChannelBuilder builder, EventLoopGroup group) {
        return builder.eventLoopGroup(group)
                .channelType(EPOLL ? EpollSocketChannel.class : NioSocketChannel.class)
                .disableRetry()
                .maxInboundMessageSize(MAX_MESSAGE_BYTES)
                .flowControlWindow(FLOW_CONTROL_WINDOW_BYTES);
    }

    /** {@code epoll} or {@code nio}: for logs and reports. */
    public static String kind() {
        return EPOLL ? "epoll" : "nio";
    }
}
