package io.transitwatch.bench.e2e;

import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.transitwatch.bench.TransitStream;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetNodesResponse;
import io.transitwatch.proto.observer.Node;
import io.transitwatch.proto.observer.ObserverGrpc;
import io.transitwatch.proto.observer.ServerStatusResponse;
import io.transitwatch.proto.relay.NodeState;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.IntStream;

/**
 * Thread-safe: {@link #setRate}, {@link #stats} and {@link #close} from any thread; the streams are
 * served by one pacer thread ({@code load-pacer}).
 *
 * <p>A Hubble stand-in that offers a {@link Workload} at a fixed rate over real gRPC on 127.0.0.1:
 * either one Relay-like server (every node's flows in one {@code GetFlows} stream, {@code node_name}
 * in each, plus {@code GetNodes} and {@code ServerStatus}), or one server per node (direct mode with
 * a static node list). {@code GetFlows} responses go out through a raw-bytes marshaller: the
 * messages are serialized once, up front, and only their times, client port and uuid are rewritten
 * per send. The request is accepted whatever it asks for (the workload is already field-masked and
 * filtered). See {@link PacedStream} for pacing, flow control and what "skipped" means.
 *
 * <p>{@link #main} runs it as its own process for {@link EndToEndBenchmark}, controlled by lines on
 * stdin: {@code rate N} (a new schedule: N flows/s from now, for streams opened from now on),
 * {@code rerate N} (N flows/s for the open streams too, continuing their schedule),
 * {@code stats}, {@code quit}.
 */
public final class LoadServer implements AutoCloseable {
    /** One Relay-like stream, or one server per node. */
    public enum Mode { RELAY, DIRECT }

    private static final long START_LEAD_MILLIS = 200;
    private static final long MIN_PARK_NANOS = 20_000;
    private static final long MAX_PARK_NANOS = 1_000_000;

    private static final MethodDescriptor<GetFlowsRequest, InputStream> RAW_GET_FLOWS =
            ObserverGrpc.getGetFlowsMethod().toBuilder(ProtoUtils.marshaller(GetFlowsRequest.getDefaultInstance()),
                    new MethodDescriptor.Marshaller<InputStream>() {
                        @Override
                        public InputStream stream(InputStream value) {
                            return value;
                        }

                        @Override
                        public InputStream parse(InputStream stream) {
                            throw new UnsupportedOperationException("the load server only sends responses");
                        }
                    }).build();

    private final Workload workload;
    private final Mode mode;
    private final long ringCapacity;
    private final boolean fromStart;
    private final int laps;
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1,
            NamedThreadFactory.daemon("load-boss"), NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(1,
            NamedThreadFactory.daemon("load-netty"), NioIoHandler.newFactory());
    private final List<Server> servers = new ArrayList<>();
    private final List<String> targets = new ArrayList<>();
    private final List<PacedStream> streams = new CopyOnWriteArrayList<>();
    private final Thread pacer;
    private final long startNanos = System.nanoTime();
    private volatile PacedStream.Schedule schedule;
    private volatile boolean running = true;
    private final List<PacedStream> waiting = new ArrayList<>();
    private long retiredSent;
    private long retiredSkipped;
    private long retiredNotReadyNanos;

    /**
     * @param ringCapacity messages a stream may fall behind before the oldest are skipped (Hubble's
     *     ring: {@code hubble-event-buffer-capacity}, at most 65535)
     * @param fromStart every stream starts at the first message of the first lap, not at what is due now
     * @param laps streams send this many laps and then stay open and silent; 0 for endless
     */
    public LoadServer(Workload workload, Mode mode, long ratePerSecond, long ringCapacity, boolean fromStart,
            int laps) {
        this.workload = workload;
        this.mode = mode;
        this.ringCapacity = ringCapacity;
        this.fromStart = fromStart;
        this.laps = laps;
        setRate(ratePerSecond);
        String[] nodes = workload.nodeNames();
        if (mode == Mode.RELAY) {
            targets.add(listen(null));
        } else {
            for (int n = 0; n < nodes.length; n++) {
                int node = n;
                int[] feed = IntStream.range(0, workload.messageCount()).filter(i -> workload.nodeOf(i) == node)
                        .toArray();
                targets.add(nodes[n] + "=" + listen(feed));
            }
        }
        pacer = NamedThreadFactory.daemon("load-pacer").newThread(this::pace);
        pacer.start();
    }

    /**
     * A new schedule from now: {@code ratePerSecond} messages per second over all nodes, for the
     * streams opened from now on. When streams start from the beginning, they send their connect
     * messages as soon as the last stream the mode needs (1 or one per node) opened, and the
     * schedule starts {@value #START_LEAD_MILLIS} ms plus {@link TransitStream#CONNECT_LEAD_MILLIS}
     * later, so that no node's stream misses the start, every node has delivered before the first
     * departure, and nothing is sent in a burst.
     */
    public synchronized void setRate(long ratePerSecond) {
        schedule = new PacedStream.Schedule(System.nanoTime(), Clock.SYSTEM.epochNanos(), ratePerSecond);
        waiting.clear();
    }

    /**
     * Changes the rate of the streams already open too (the overload run): a schedule at the new rate
     * on which what is due now is what was due on the old one, so nothing is skipped or repeated.
     */
    public synchronized void changeRate(long ratePerSecond) {
        long now = System.nanoTime();
        long offset = (long) (schedule.dueGlobal(now) * (1e9 / ratePerSecond));
        schedule = new PacedStream.Schedule(now - offset, Clock.SYSTEM.epochNanos() - offset, ratePerSecond);
        for (PacedStream stream : streams) {
            stream.retime(schedule);
        }
    }

    /** RELAY: {@code 127.0.0.1:port}. DIRECT: {@code solcp01=127.0.0.1:port,...}, the {@code hubble.nodes} value. */
    public String target() {
        return String.join(",", targets);
    }

    public Mode mode() {
        return mode;
    }

    public Workload workload() {
        return workload;
    }

    /** What the server offered, sent and skipped so far, over every stream it ever served. */
    public record Stats(long nanos, long offered, long sent, long skipped, long notReadyNanos, int openStreams,
            long cpuNanos) {
        public String line() {
            return "STATS nanos=" + nanos + " offered=" + offered + " sent=" + sent + " skipped=" + skipped
                    + " notReadyNanos=" + notReadyNanos + " streams=" + openStreams + " cpuNanos=" + cpuNanos;
        }

        public static Stats parse(String line) {
            Arguments values = Arguments.fields(line);
            return new Stats(values.longValue("nanos", 0), values.longValue("offered", 0), values.longValue("sent", 0),
                    values.longValue("skipped", 0), values.longValue("notReadyNanos", 0), values.integer("streams", 0),
                    values.longValue("cpuNanos", 0));
        }
    }

    public synchronized Stats stats() {
        long sent = retiredSent;
        long skipped = retiredSkipped;
        long notReady = retiredNotReadyNanos;
        int open = 0;
        for (PacedStream stream : streams) {
            sent += stream.sent();
            skipped += stream.skipped();
            notReady += stream.notReadyNanos();
            open++;
        }
        long now = System.nanoTime();
        long cpu = ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
        return new Stats(now - startNanos, schedule.dueGlobal(now), sent, skipped, notReady, open, cpu);
    }

    private String listen(int[] feed) {
        ServerServiceDefinition service = ServerServiceDefinition.builder(ObserverGrpc.SERVICE_NAME)
                .addMethod(RAW_GET_FLOWS, ServerCalls.asyncServerStreamingCall(
                        (request, responses) -> open(feed, (ServerCallStreamObserver<InputStream>) responses)))
                .addMethod(ObserverGrpc.getGetNodesMethod(), ServerCalls.asyncUnaryCall(
                        (request, response) -> reply(response, nodes())))
                .addMethod(ObserverGrpc.getServerStatusMethod(), ServerCalls.asyncUnaryCall(
                        (request, response) -> reply(response, status())))
                .build();
        try {
            Server server = NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
                    .bossEventLoopGroup(boss).workerEventLoopGroup(workers).channelType(NioServerSocketChannel.class)
                    .directExecutor().addService(service).build().start();
            servers.add(server);
            return "127.0.0.1:" + server.getPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void open(int[] feed, ServerCallStreamObserver<InputStream> call) {
        PacedStream stream = new PacedStream(workload, call, feed, ringCapacity, laps);
        call.setOnCancelHandler(stream::cancel);
        call.setOnReadyHandler(() -> LockSupport.unpark(pacer));
        long now = System.nanoTime();
        if (!fromStart) {
            stream.start(schedule, false, now);
        } else if (waiting.add(stream) && waiting.size() == targets.size()) {
            long lead = TimeUnit.MILLISECONDS.toNanos(START_LEAD_MILLIS + TransitStream.CONNECT_LEAD_MILLIS);
            schedule = new PacedStream.Schedule(now + lead, Clock.SYSTEM.epochNanos() + lead,
                    schedule.ratePerSecond());
            waiting.forEach(waiter -> waiter.start(schedule, true, now));
            waiting.clear();
        }
        streams.add(stream);
        LockSupport.unpark(pacer);
    }

    /**
     * Round-robin over the open streams; when none could send, sleeps until the next message is due
     * (at least {@value #MIN_PARK_NANOS} ns, at most {@value #MAX_PARK_NANOS} ns) or until a
     * client's flow control opens again.
     */
    private void pace() {
        while (running) {
            boolean busy = false;
            long now = System.nanoTime();
            long nap = MAX_PARK_NANOS;
            for (PacedStream stream : streams) {
                if (stream.cancelled()) {
                    retire(stream);
                    continue;
                }
                try {
                    busy |= stream.pump(now);
                    nap = Math.min(nap, stream.nanosUntilNextDue(now));
                } catch (RuntimeException e) { // the call ended under us (client gone)
                    stream.cancel();
                }
            }
            if (!busy) {
                LockSupport.parkNanos(Math.max(MIN_PARK_NANOS, nap));
            }
        }
    }

    private synchronized void retire(PacedStream stream) {
        if (streams.remove(stream)) {
            retiredSent += stream.sent();
            retiredSkipped += stream.skipped();
            retiredNotReadyNanos += stream.notReadyNanos();
        }
    }

    private GetNodesResponse nodes() {
        GetNodesResponse.Builder nodes = GetNodesResponse.newBuilder();
        for (String name : workload.nodeNames()) {
            nodes.addNodes(Node.newBuilder().setName(name).setState(NodeState.NODE_CONNECTED)
                    .setAddress(name + ":4244").setVersion("1.19.0").setMaxFlows(ringCapacity));
        }
        return nodes.build();
    }

    private ServerStatusResponse status() {
        Stats stats = stats();
        return ServerStatusResponse.newBuilder().setVersion("1.19.0").setSeenFlows(stats.offered())
                .setMaxFlows(ringCapacity * workload.nodeNames().length).setUptimeNs(stats.nanos())
                .setNumConnectedNodes(com.google.protobuf.UInt32Value.of(workload.nodeNames().length))
                .setNumUnavailableNodes(com.google.protobuf.UInt32Value.of(0)).build();
    }

    private static <T> void reply(StreamObserver<T> response, T value) {
        response.onNext(value);
        response.onCompleted();
    }

    @Override
    public void close() {
        running = false;
        LockSupport.unpark(pacer);
        servers.forEach(Server::shutdownNow);
        try {
            pacer.join(2_000);
            for (Server server : servers) {
                server.awaitTermination(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /**
     * {@code LoadServer --mode relay|direct --lap-events N --ring N --seed N}: prints
     * {@code READY target=... pod-cidrs=...} and the workload, then obeys stdin (see the class comment).
     */
    public static void main(String[] args) throws IOException {
        Arguments arguments = Arguments.parse(args);
        Mode mode = Mode.valueOf(arguments.get("mode", "relay").toUpperCase(java.util.Locale.ROOT));
        Workload workload = Workload.generate(arguments.integer("lap-events", 500_000),
                arguments.longValue("seed", 20260101L));
        try (LoadServer server = new LoadServer(workload, mode, 1, arguments.integer("ring", 65_535), false, 0)) {
            System.out.println("WORKLOAD " + workload);
            System.out.println("READY target=" + server.target() + " pod-cidrs=" + workload.podCidrsSetting()
                    + " messages=" + workload.messageCount() + " lost-per-lap=" + workload.lostPerLap());
            System.out.flush();
            BufferedReader commands = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
            for (String line; (line = commands.readLine()) != null; ) {
                String[] words = line.trim().split("\\s+");
                switch (words[0]) {
                    case "rate" -> {
                        server.setRate(Long.parseLong(words[1]));
                        System.out.println("OK");
                    }
                    case "rerate" -> {
                        server.changeRate(Long.parseLong(words[1]));
                        System.out.println("OK");
                    }
                    case "stats" -> System.out.println(server.stats().line());
                    case "quit" -> {
                        return;
                    }
                    default -> System.out.println("ERROR unknown command " + words[0]);
                }
                System.out.flush();
            }
        }
    }
}
