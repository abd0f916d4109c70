package io.transitwatch.bench.e2e;

import com.google.protobuf.FieldMask;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.transitwatch.bench.baseline.HashMapJoin;
import io.transitwatch.bench.baseline.ProtoFlowConverter;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.ingest.GrpcTransport;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.observer.ObserverGrpc;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Thread-safe like {@link Pipeline}; the join state is confined to its one consumer thread.
 *
 * <p>The baseline of DESIGN §5 end to end, written the way a typical client is: the generated
 * async stub with its normal marshaller (protobuf-java parses every {@code GetFlowsResponse} into
 * objects on the gRPC callback thread) and gRPC's automatic flow control; each message, stamped
 * with its receive time, goes through a {@link LinkedBlockingQueue} (the gRPC thread waits while it
 * is full, which is the only back-pressure) to one consumer thread that converts it
 * ({@link ProtoFlowConverter#fill}) and feeds {@link HashMapJoin}, calling {@code advance} after
 * every drained batch. Same threads as the daemon's ingest (one Netty event loop, two
 * callback threads), named {@code baseline-*} for CPU accounting.
 *
 * <p>The stub's automatic flow control asks the transport for the next message only after each
 * {@code onNext} returns, a hand-off between the callback thread and the event loop per message.
 * {@code baseline-batched} is the same pipeline with manual flow control: {@value #REQUEST_WINDOW}
 * messages requested ahead and topped up by halves, so that what it measures is protobuf-java and the
 * HashMap join rather than that round trip.
 */
final class BaselinePipeline implements Pipeline {
    /** As many messages as the daemon's hand-off ring holds. */
    static final int QUEUE_CAPACITY = 65_536;
    private static final int BATCH = 4096;
    /** {@code baseline-batched}: messages requested ahead, as the daemon's ingest does (its window is larger). */
    static final int REQUEST_WINDOW = 1024;

    private record Received(GetFlowsResponse response, long receivedNanos) {}

    private final EventLoopGroup eventLoop = GrpcTransport.newEventLoopGroup(1, named("baseline-ingest-netty"));
    private final ExecutorService callbacks = Executors.newFixedThreadPool(2, named("baseline-ingest-grpc"));
    private final List<ManagedChannel> channels = new ArrayList<>();
    private final LinkedBlockingQueue<Received> queue = new LinkedBlockingQueue<>(QUEUE_CAPACITY);
    private final StringDictionary dictionary = new StringDictionary(1 << 20);
    private final ProtoFlowConverter converter = new ProtoFlowConverter(dictionary);
    private final HashMapJoin join;
    private final VerdictLatency latency;
    private final Thread consumer;
    private final boolean batched;
    private volatile boolean running = true;
    private volatile long joined;
    private volatile long matched;
    private volatile long lost;

    private BaselinePipeline(Target target, boolean batched) {
        this.batched = batched;
        JoinConfig config = JoinConfig.defaults().withWindow(target.window());
        this.join = new HashMapJoin(config, podCidrsByNodeId(target.podCidrs()));
        this.latency = new VerdictLatency(config.window().toNanos());
        join.setLostListener((node, firstSeen, decidedAt) ->
                latency.record(dictionary.get(node), firstSeen, Clock.SYSTEM.epochNanos()));
        this.consumer = named("baseline-join").newThread(this::consume);
    }

    /**
     * @param batched request messages {@value #REQUEST_WINDOW} at a time (manual flow control), not one
     *     at a time as the async stub's automatic flow control does after each {@code onNext}
     */
    static BaselinePipeline start(Target target, boolean batched) {
        BaselinePipeline pipeline = new BaselinePipeline(target, batched);
        pipeline.consumer.start();
        List<String> addresses = target.mode() == LoadServer.Mode.RELAY ? List.of(target.target())
                : Arrays.stream(target.target().split(",")).map(node -> node.substring(node.indexOf('=') + 1)).toList();
        addresses.forEach(pipeline::subscribe);
        return pipeline;
    }

    private void subscribe(String address) {
        // The daemon's transport settings (GrpcTransport); the callbacks stay on a pool, because this
        // onNext blocks when the queue is full, which the transport thread must never do.
        ManagedChannel channel = GrpcTransport.configure(NettyChannelBuilder.forTarget(address).usePlaintext(),
                eventLoop).executor(callbacks).build();
        channels.add(channel);
        GetFlowsRequest request = GetFlowsRequest.newBuilder().setFollow(true)
                .setFieldMask(FieldMask.newBuilder().addAllPaths(List.of("time", "uuid", "node_name", "verdict",
                        "Type", "IP", "l4", "source", "destination", "event_type", "trace_observation_point",
                        "trace_reason", "is_reply", "interface", "drop_reason_desc")))
                .build();
        ObserverGrpc.newStub(channel).getFlows(request, new ClientResponseObserver<GetFlowsRequest, GetFlowsResponse>() {
            private ClientCallStreamObserver<GetFlowsRequest> requests;
            private int sinceRequest;

            @Override
            public void beforeStart(ClientCallStreamObserver<GetFlowsRequest> requestStream) {
                if (batched) {
                    requestStream.disableAutoRequestWithInitial(REQUEST_WINDOW);
                    requests = requestStream;
                }
            }

            @Override
            public void onNext(GetFlowsResponse response) {
                if (requests != null && ++sinceRequest == REQUEST_WINDOW / 2) {
                    sinceRequest = 0;
                    requests.request(REQUEST_WINDOW / 2);
                }
                Received received = new Received(response, Clock.SYSTEM.epochNanos());
                try {
                    // put(), but one that gives up once the pipeline closes (a blocked callback thread
                    // would keep the channel from terminating)
                    while (running && !queue.offer(received, 10, TimeUnit.MILLISECONDS)) {
                        // the queue is full: the gRPC thread waits, which is the back-pressure
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }

            @Override
            public void onError(Throwable error) {
                if (running) {
                    System.err.println("baseline: stream " + address + " failed: " + error);
                }
            }

            @Override
            public void onCompleted() {
                // follow mode: the load server never completes
            }
        });
    }

    /**
     * Drains the queue in batches into the join. Time for {@code advance} is the receive time of the
     * last flow processed while the queue still holds more, and the clock once it is empty: so a
     * consumer lagging behind its queue never declares LOST what is only waiting in the queue.
     */
    private void consume() {
        NodeEvent slot = new NodeEvent();
        long flows = 0;
        long lastReceived = 0;
        while (running) {
            Received next;
            try {
                next = queue.poll(1, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
            for (int n = 0; next != null && n < BATCH; n++) {
                GetFlowsResponse response = next.response();
                if (response.hasFlow()) {
                    converter.fill(response, slot);
                    slot.receivedNanos = next.receivedNanos();
                    join.onEvent(slot, false);
                    flows++;
                }
                lastReceived = next.receivedNanos();
                next = n + 1 < BATCH ? queue.poll() : null;
            }
            join.advance(queue.isEmpty() ? Clock.SYSTEM.epochNanos() : lastReceived);
            joined = flows;
            matched = join.matched();
            lost = join.lost();
        }
    }

    @Override
    public String name() {
        return batched ? "baseline-batched" : "baseline";
    }

    @Override
    public long joinedFlows() {
        return joined;
    }

    @Override
    public long matched() {
        return matched;
    }

    @Override
    public long lost() {
        return lost;
    }

    @Override
    public String diagnostics() {
        return "baseline: joined=" + joined + " matched=" + matched + " lost=" + lost + " queued=" + queue.size();
    }

    @Override
    public VerdictLatency latency() {
        return latency;
    }

    @Override
    public Role roleOf(String thread) {
        if (thread.startsWith("baseline-join")) {
            return Role.JOIN;
        }
        return thread.startsWith("baseline-ingest") ? Role.INGEST : Role.OTHER;
    }

    @Override
    public void close() {
        running = false;
        channels.forEach(ManagedChannel::shutdownNow);
        consumer.interrupt();
        try {
            // the callback executor must still run while the channels terminate
            for (ManagedChannel channel : channels) {
                channel.awaitTermination(5, TimeUnit.SECONDS);
            }
            consumer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        callbacks.shutdownNow();
        eventLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** Pod CIDRs by node dictionary id, from the {@code topology.pod-cidrs} flag value. */
    private Map<Integer, List<String>> podCidrsByNodeId(String setting) {
        Map<Integer, List<String>> byNode = new LinkedHashMap<>();
        for (String entry : setting.split(";")) {
            int equals = entry.indexOf('=');
            byNode.put(dictionary.intern(entry.substring(0, equals)), List.of(entry.substring(equals + 1).split(",")));
        }
        return byNode;
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger counter = new AtomicInteger();
        return task -> {
            Thread thread = new Thread(task, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }
}
