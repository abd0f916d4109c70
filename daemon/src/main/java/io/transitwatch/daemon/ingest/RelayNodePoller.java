package io.transitwatch.daemon.ingest;

import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.transitwatch.daemon.ingest.RelayNodes.RelayNode;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.NodeAddressBook;
import io.transitwatch.daemon.topology.NodeAddressSource;
import io.transitwatch.proto.observer.GetNodesRequest;
import io.transitwatch.proto.observer.GetNodesResponse;
import io.transitwatch.proto.observer.Node;
import io.transitwatch.proto.observer.ObserverGrpc;
import io.transitwatch.proto.relay.NodeState;
import java.lang.System.Logger.Level;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Polls on the ingest scheduler, handles answers on the channel executor; node health changes go
 * through {@link RelayNodes}, which orders them against the relay stream's own.
 *
 * <p>Asks Hubble Relay for {@code GetNodes} every {@code nodePollInterval}: Relay streams a node
 * that recovers without saying so ({@code node_status} NODE_CONNECTED is sent only at stream
 * start), and says nothing in the stream about a node that is merely slow to connect. A node
 * reported in any state but CONNECTED, or no longer listed, is down; a CONNECTED node is up, but
 * only while the relay stream itself delivers. Each answer also names every node's Hubble version
 * (kept in {@link IngestState#hubbleVersions()} for {@code doctor}) and its Hubble's count of events,
 * which {@link EventRateWatch} compares with the node's BPF events rate limit, if it has one.
 */
final class RelayNodePoller implements StreamObserver<GetNodesResponse> {
    private static final System.Logger LOG = System.getLogger(RelayNodePoller.class.getName());

    private final IngestContext context;
    private final RelayStream relay;
    private final ManagedChannel channel;
    private ScheduledFuture<?> schedule;
    private volatile boolean warned;
    private volatile boolean closed;

    RelayNodePoller(IngestContext context, RelayStream relay) {
        this.context = context;
        this.relay = relay;
        this.channel = context.channels().open(context.config().target(), context.config().tlsServerName(), false);
    }

    void start() {
        long interval = context.config().nodePollInterval().toNanos();
        schedule = context.scheduler().scheduleWithFixedDelay(this::poll, interval, interval, TimeUnit.NANOSECONDS);
    }

    private void poll() {
        ObserverGrpc.newStub(channel)
                .withDeadlineAfter(context.config().nodePollInterval().toNanos(), TimeUnit.NANOSECONDS)
                .getNodes(GetNodesRequest.getDefaultInstance(), this);
    }

    @Override
    public void onNext(GetNodesResponse response) {
        warned = false;
        RelayNodes nodes = relay.nodes();
        Set<Integer> listed = new HashSet<>();
        Map<String, List<IpPrefix>> addresses = new HashMap<>();
        for (Node node : response.getNodesList()) {
            IpPrefix own = NodeAddressBook.addressOfHostPort(node.getAddress());
            if (own != null) {
                addresses.put(node.getName(), List.of(own));
            }
            context.addresses().nodeSeen(node.getName());
            context.state().hubbleVersion(node.getName(), node.getVersion());
            RelayNode relayNode = nodes.get(context.dictionary().pin(node.getName()));
            listed.add(relayNode.id);
            if (node.getState() == NodeState.NODE_CONNECTED) {
                if (relay.live()) {
                    nodes.setReachable(relayNode);
                }
                if (context.rateWatch().limited(relayNode.id)) {
                    context.rateWatch().counted(relayNode.id, node.getSeenFlows(), node.getUptimeNs(), context.ring());
                }
            } else {
                nodes.setDown(relayNode, node.getName() + " via relay " + context.config().target()
                        + ": GetNodes reports " + node.getState());
            }
        }
        nodes.forEach(node -> {
            if (!listed.contains(node.id)) {
                nodes.setDown(node, context.dictionary().get(node.id) + " is no longer listed by relay "
                        + context.config().target());
            }
        });
        // Relay's own view of its peers: each node's address names the node's round-trip destinations.
        context.addresses().replace(NodeAddressSource.RELAY, addresses);
        context.addressesChanged();
    }

    @Override
    public void onError(Throwable error) {
        if (closed) {
            return;
        }
        // No count this time: whatever limited node is still up may have dropped events unseen until the next poll.
        long nextPoll = 2 * context.config().nodePollInterval().toNanos();
        relay.nodes().forEach(node -> context.rateWatch().unknown(node.id, nextPoll, context.ring()));
        Status status = Status.fromThrowable(error);
        if (status.getCode() == Status.Code.UNIMPLEMENTED) {
            LOG.log(Level.WARNING, "relay {0} does not implement GetNodes; node health comes from the stream only",
                    context.config().target());
            stop();
        } else if (!warned) {
            warned = true; // once until it works again: the relay stream reports the outage itself
            LOG.log(Level.WARNING, "GetNodes failed: {0}", StreamFailures.describe("relay", context.config().target(),
                    status, context.config().tls(), context.config().tlsServerName()));
        }
    }

    @Override
    public void onCompleted() {
        // a unary call: onNext carried the answer
    }

    void stop() {
        if (schedule != null) {
            schedule.cancel(false);
        }
    }

    void close() {
        closed = true;
        stop();
        HubbleChannels.shutdown(channel);
    }
}
