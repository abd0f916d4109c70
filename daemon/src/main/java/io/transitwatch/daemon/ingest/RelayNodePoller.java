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
final class RelayNodePoller {
    private static final System.Logger LOG = System.getLogger(RelayNodePoller.class.getName());
    /** The poll interval while a node has a BPF events rate limit (see EventRateWatch). */
    private static final long RATE_LIMITED_POLL_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long nothing is known of a rate-limited node when Relay cannot count its events at all. */
    private static final long FOREVER_NANOS = TimeUnit.DAYS.toNanos(365 * 100L);

    private final IngestContext context;
    private final RelayStream relay;
    private final ManagedChannel channel;
    private ScheduledFuture<?> schedule;
    private ScheduledFuture<?> rateLimitedSchedule;
    private volatile boolean warned;
    private volatile boolean closed;

    RelayNodePoller(IngestContext context, RelayStream relay) {
        this.context = context;
        this.relay = relay;
        this.channel = context.channels().open(context.config().target(), context.config().tlsServerName(), false);
    }

    void start() {
        long interval = context.config().nodePollInterval().toNanos();
        schedule = context.scheduler().scheduleWithFixedDelay(() -> poll(context.clock().epochNanos()), interval,
                interval, TimeUnit.NANOSECONDS);
        long second = RATE_LIMITED_POLL_NANOS;
        rateLimitedSchedule = context.scheduler().scheduleWithFixedDelay(this::pollIfRateLimited, second, second,
                TimeUnit.NANOSECONDS);
    }

    /**
     * Polls every second as well while a node has a BPF events rate limit: the fewer seconds between
     * two of its counts, the fewer each one must bound.
     */
    private void pollIfRateLimited() {
        if (context.rateWatch().anyLimited()) {
            poll(context.clock().epochNanos());
        }
    }

    private void poll(long askedNanos) {
        ObserverGrpc.newStub(channel)
                .withDeadlineAfter(context.config().nodePollInterval().toNanos(), TimeUnit.NANOSECONDS)
                .getNodes(GetNodesRequest.getDefaultInstance(), new StreamObserver<>() {
                    @Override
                    public void onNext(GetNodesResponse response) {
                        answered(response, askedNanos);
                    }

                    @Override
                    public void onError(Throwable error) {
                        failed(error);
                    }

                    @Override
                    public void onCompleted() {
                        // a unary call: onNext carried the answer
                    }
                });
    }

    private void answered(GetNodesResponse response, long askedNanos) {
        warned = false;
        RelayNodes nodes = relay.nodes();
        Set<Integer> listed = new HashSet<>();
        Set<Integer> counted = new HashSet<>();
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
                    context.rateWatch().counted(relayNode.id, node.getSeenFlows(), node.getUptimeNs(), askedNanos);
                    counted.add(relayNode.id);
                }
            } else {
                nodes.setDown(relayNode, node.getName() + " via relay " + context.config().target()
                        + ": GetNodes reports " + node.getState());
            }
        }
        // a limited node Relay does not list as connected is not counted: unknown until the next answer
        context.rateWatch().unknownExcept(counted, 2 * context.config().nodePollInterval().toNanos());
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

    private void failed(Throwable error) {
        if (closed) {
            return;
        }
        Status status = Status.fromThrowable(error);
        // No count this time: a node with a rate limit may have dropped events unseen until the next poll
        // answers (or for good, from a Relay without GetNodes).
        long unknownFor = status.getCode() == Status.Code.UNIMPLEMENTED ? FOREVER_NANOS
                : 2 * context.config().nodePollInterval().toNanos();
        context.rateWatch().unknownExcept(Set.of(), unknownFor);
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

    void stop() {
        if (schedule != null) {
            schedule.cancel(false);
            rateLimitedSchedule.cancel(false);
        }
    }

    void close() {
        closed = true;
        stop();
        HubbleChannels.shutdown(channel);
    }
}
