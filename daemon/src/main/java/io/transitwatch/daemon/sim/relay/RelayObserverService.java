package io.transitwatch.daemon.sim.relay;

import io.grpc.StatusException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.sim.FieldMaskSupport;
import io.transitwatch.daemon.sim.hubble.ActiveStreams;
import io.transitwatch.daemon.sim.hubble.FlowQuery;
import io.transitwatch.daemon.sim.hubble.FlowStreamPump;
import io.transitwatch.daemon.sim.hubble.NodeHubble;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.observer.GetNodesRequest;
import io.transitwatch.proto.observer.GetNodesResponse;
import io.transitwatch.proto.observer.ObserverGrpc;
import io.transitwatch.proto.observer.ServerStatusRequest;
import io.transitwatch.proto.observer.ServerStatusResponse;
import com.google.protobuf.UInt32Value;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;

/**
 * Thread-safe (gRPC threads call the RPCs, the control thread reports node failures). Hubble
 * Relay's {@code observer.Observer}: {@code GetFlows} merged over all nodes, {@code GetNodes} with
 * each node's state, {@code ServerStatus} summed over the connected nodes.
 */
public final class RelayObserverService extends ObserverGrpc.ObserverImplBase {
    /** Relay's defaults: {@code sort-buffer-len-max} 100, {@code sort-buffer-drain-timeout} 1 s. */
    public static final int SORT_BUFFER_CAPACITY = 100;
    public static final long SORT_BUFFER_DRAIN_TIMEOUT_NANOS = 1_000_000_000L;
    private static final int HUBBLE_PORT = 4244;
    /** What the simulated Relay reports as its own version; each node reports {@link NodeHubble#VERSION}. */
    public static final String VERSION = "1.18.6+g95622e7-relay";

    private final List<NodeHubble> nodes;
    private final FieldMaskSupport fieldMasks;
    private final Clock clock;
    private final Executor streamExecutor;
    private final ActiveStreams streams;
    private final boolean nodeTls;
    private final Set<RelayFlowStream> open = ConcurrentHashMap.newKeySet();

    public RelayObserverService(List<NodeHubble> nodes, FieldMaskSupport fieldMasks, Clock clock,
            Executor streamExecutor, ActiveStreams streams, boolean nodeTls) {
        this.nodes = List.copyOf(nodes);
        this.fieldMasks = fieldMasks;
        this.clock = clock;
        this.streamExecutor = streamExecutor;
        this.streams = streams;
        this.nodeTls = nodeTls;
    }

    /** Relay lost its stream to a node: every open call hears NODE_ERROR. */
    public void nodeFailed(String node) {
        String message = "rpc error: code = Unavailable desc = connection error: desc = \"transport: Error while"
                + " dialing: dial tcp " + address(node) + ": connect: connection refused\"";
        open.forEach(stream -> stream.nodeFailed(node, message));
        streams.signalAll();
    }

    /** The node is reachable again: open follow calls re-query it with their original request. */
    public void nodeBack(String node) {
        NodeHubble hubble = hubble(node);
        open.forEach(stream -> stream.nodeBack(hubble));
        streams.signalAll();
    }

    @Override
    public void getFlows(GetFlowsRequest request, StreamObserver<GetFlowsResponse> responses) {
        FlowQuery query;
        try {
            query = FlowQuery.parse(request, fieldMasks);
        } catch (StatusException e) {
            responses.onError(e);
            return;
        }
        ServerCallStreamObserver<GetFlowsResponse> call = (ServerCallStreamObserver<GetFlowsResponse>) responses;
        RelayFlowStream stream = new RelayFlowStream(nodes, query, clock, SORT_BUFFER_CAPACITY,
                SORT_BUFFER_DRAIN_TIMEOUT_NANOS);
        open.add(stream);
        FlowStreamPump.start(call, new FlowStreamPump.Source() {
            @Override
            public GetFlowsResponse poll() {
                return stream.poll();
            }

            @Override
            public boolean finished() {
                boolean finished = stream.finished();
                if (finished) {
                    open.remove(stream);
                }
                return finished;
            }
        }, "relay", streamExecutor, streams);
        call.setOnCancelHandler(() -> open.remove(stream));
    }

    @Override
    public void getNodes(GetNodesRequest request, StreamObserver<GetNodesResponse> response) {
        GetNodesResponse.Builder out = GetNodesResponse.newBuilder();
        nodes.forEach(n -> out.addNodes(n.describe(address(n.name()), nodeTls)));
        response.onNext(out.build());
        response.onCompleted();
    }

    @Override
    public void serverStatus(ServerStatusRequest request, StreamObserver<ServerStatusResponse> response) {
        ServerStatusResponse.Builder total = ServerStatusResponse.newBuilder().setVersion(VERSION);
        int connected = 0;
        for (NodeHubble node : nodes) {
            if (!node.isUp()) {
                total.addUnavailableNodes(node.name());
                continue;
            }
            connected++;
            ServerStatusResponse status = node.serverStatus();
            total.setNumFlows(total.getNumFlows() + status.getNumFlows())
                    .setMaxFlows(total.getMaxFlows() + status.getMaxFlows())
                    .setSeenFlows(total.getSeenFlows() + status.getSeenFlows())
                    .setUptimeNs(Math.max(total.getUptimeNs(), status.getUptimeNs()))
                    .setFlowsRate(total.getFlowsRate() + status.getFlowsRate());
        }
        total.setNumConnectedNodes(UInt32Value.of(connected))
                .setNumUnavailableNodes(UInt32Value.of(nodes.size() - connected));
        response.onNext(total.build());
        response.onCompleted();
    }

    private NodeHubble hubble(String node) {
        return nodes.stream().filter(n -> n.name().equals(node)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no node " + node));
    }

    /** Where Relay dials the node: its IPv4 address on Hubble's port. */
    private String address(String node) {
        return hubble(node).node().ipv4() + ":" + HUBBLE_PORT;
    }
}
