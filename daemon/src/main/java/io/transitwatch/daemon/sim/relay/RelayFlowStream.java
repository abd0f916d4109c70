package io.transitwatch.daemon.sim.relay;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.sim.hubble.FlowQuery;
import io.transitwatch.daemon.sim.hubble.FlowStreamPump;
import io.transitwatch.daemon.sim.hubble.NodeHubble;
import io.transitwatch.daemon.sim.hubble.RingCursor;
import io.transitwatch.daemon.sim.hubble.Timestamps;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.relay.NodeState;
import io.transitwatch.proto.relay.NodeStatusEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * Node availability changes come from the control thread; {@link #poll()} runs on the stream's
 * (serialized) drain. One Relay {@code GetFlows} call (hubble-api.md §5.1): the same query on
 * every available node, merged through a sort buffer ordered by response time. The buffer holds at
 * most {@code sortBufferCapacity} responses (or {@code number} × nodes if smaller): when it is full
 * the oldest goes out; otherwise responses older than now − drain timeout go out. Node status events
 * bypass the buffer: NODE_CONNECTED first, NODE_ERROR when a node's stream fails. A node that comes
 * back is re-queried with the original request, silently (no NODE_CONNECTED), as Relay does.
 */
final class RelayFlowStream implements FlowStreamPump.Source {
    private static final Comparator<GetFlowsResponse> BY_TIME =
            Comparator.comparingLong(r -> Timestamps.nanos(r.getTime()));

    private final FlowQuery query;
    private final Clock clock;
    private final long drainTimeoutNanos;
    private final int bufferCapacity;
    private final Queue<GetFlowsResponse> statuses = new ConcurrentLinkedQueue<>();
    private final Map<String, RingCursor> cursors = new ConcurrentHashMap<>();
    private static final RingCursor[] NO_CURSORS = new RingCursor[0];

    private final PriorityQueue<GetFlowsResponse> sortBuffer = new PriorityQueue<>(BY_TIME);
    /** Index (into the cursors in map order) of the node asked first on the next fill. */
    private int nextTurn;

    RelayFlowStream(List<NodeHubble> nodes, FlowQuery query, Clock clock, int sortBufferCapacity,
            long drainTimeoutNanos) {
        this.query = query;
        this.clock = clock;
        this.drainTimeoutNanos = drainTimeoutNanos;
        long perRequestLimit = query.number() > 0 ? query.number() * nodes.size() : Long.MAX_VALUE;
        this.bufferCapacity = (int) Math.max(1, Math.min(sortBufferCapacity, perRequestLimit));
        List<String> connected = new ArrayList<>();
        List<String> unavailable = new ArrayList<>();
        for (NodeHubble node : nodes) {
            if (node.isUp()) {
                cursors.put(node.name(), new RingCursor(node, query));
                connected.add(node.name());
            } else {
                unavailable.add(node.name());
            }
        }
        statuses.add(status(NodeState.NODE_CONNECTED, connected, ""));
        if (!unavailable.isEmpty()) {
            statuses.add(status(NodeState.NODE_UNAVAILABLE, unavailable, ""));
        }
    }

    void nodeFailed(String node, String message) {
        if (cursors.remove(node) != null) {
            statuses.add(status(NodeState.NODE_ERROR, List.of(node), message));
        }
    }

    void nodeBack(NodeHubble node) {
        if (query.follow()) {
            cursors.putIfAbsent(node.name(), new RingCursor(node, query));
        }
    }

    @Override
    public GetFlowsResponse poll() {
        GetFlowsResponse status = statuses.poll();
        if (status != null) {
            return status;
        }
        fillSortBuffer();
        if (sortBuffer.isEmpty()) {
            return null;
        }
        boolean full = sortBuffer.size() >= bufferCapacity;
        boolean allNodesDone = !query.follow() && cursors.values().stream().allMatch(RingCursor::finished);
        long oldest = Timestamps.nanos(sortBuffer.peek().getTime());
        if (full || allNodesDone || oldest < clock.epochNanos() - drainTimeoutNanos) {
            return sortBuffer.poll();
        }
        return null;
    }

    @Override
    public boolean finished() {
        return !query.follow() && statuses.isEmpty() && sortBuffer.isEmpty()
                && cursors.values().stream().allMatch(RingCursor::finished);
    }

    /**
     * Takes responses from the nodes round-robin until the buffer is full or no node has more now.
     * The turn carries over from call to call: with a full buffer each call has room for one
     * response, and always asking the same node first would starve the others for as long as that
     * node has a backlog (Relay's per-node readers feed its buffer side by side).
     */
    private void fillSortBuffer() {
        RingCursor[] all = cursors.values().toArray(NO_CURSORS);
        int count = all.length;
        boolean progress = true;
        while (sortBuffer.size() < bufferCapacity && progress) {
            progress = false;
            for (int i = 0; i < count; i++) {
                int turn = (nextTurn + i) % count;
                GetFlowsResponse next = all[turn].poll();
                if (next != null) {
                    sortBuffer.add(next);
                    progress = true;
                    if (sortBuffer.size() >= bufferCapacity) {
                        nextTurn = turn + 1;
                        return;
                    }
                }
            }
        }
    }

    private GetFlowsResponse status(NodeState state, List<String> nodes, String message) {
        return GetFlowsResponse.newBuilder()
                .setNodeStatus(NodeStatusEvent.newBuilder().setStateChange(state).addAllNodeNames(nodes)
                        .setMessage(message))
                .setTime(Timestamps.of(clock.epochNanos()))
                .build();
    }
}
