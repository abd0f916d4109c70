package io.transitwatch.daemon.sim.hubble;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.sim.SimNode;
import io.transitwatch.proto.observer.GetFlowsResponse;
import io.transitwatch.proto.observer.Node;
import io.transitwatch.proto.observer.ServerStatusResponse;
import io.transitwatch.proto.observer.TLS;
import io.transitwatch.proto.relay.NodeState;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Thread-safe. One node's Hubble agent as the servers see it: its event ring, whether it is running,
 * its clock (skewed like the node's) and the counters {@code ServerStatus} reports. The traffic
 * thread records; gRPC threads read; the control thread takes it down and up.
 */
public final class NodeHubble {
    /** What {@code ServerStatus.version} and {@code Node.version} say. */
    public static final String VERSION = "1.18.6+g95622e7";

    private final SimNode node;
    private final NodeEventRing ring;
    private final Clock clock;
    private final long skewNanos;
    private final AtomicLong seenFlows = new AtomicLong();
    private volatile boolean up = true;
    private volatile boolean reachable = true;
    private volatile long startedNanos;

    public NodeHubble(SimNode node, int ringCapacity, Clock clock, long skewNanos) {
        this.node = node;
        this.ring = new NodeEventRing(ringCapacity);
        this.clock = clock;
        this.skewNanos = skewNanos;
        this.startedNanos = clock.epochNanos();
    }

    public SimNode node() {
        return node;
    }

    public String name() {
        return node.name();
    }

    public NodeEventRing ring() {
        return ring;
    }

    /** Now on this node's (skewed) clock: what the agent stamps its own notices with. */
    public long localNanos() {
        return clock.epochNanos() + skewNanos;
    }

    public boolean isUp() {
        return up;
    }

    /** Whether Relay can reach the node's server (a break of the path leaves the agent recording). */
    public void setReachable(boolean value) {
        reachable = value;
    }

    /** Records one event; events that arrive while the agent is down are the caller's to count. */
    public void record(GetFlowsResponse response, long timeNanos) {
        ring.append(response, timeNanos);
        if (response.hasFlow()) {
            seenFlows.incrementAndGet();
        }
    }

    public void stop() {
        up = false;
    }

    /** Starts again; with {@code keepRing == false} the ring comes back empty, as after an agent restart. */
    public void start(boolean keepRing) {
        if (!keepRing) {
            ring.clear();
        }
        startedNanos = clock.epochNanos();
        up = true;
    }

    public ServerStatusResponse serverStatus() {
        long uptime = Math.max(0, clock.epochNanos() - startedNanos);
        long seen = seenFlows.get();
        return ServerStatusResponse.newBuilder()
                .setNumFlows(ring.size())
                .setMaxFlows(ring.capacity())
                .setSeenFlows(seen)
                .setUptimeNs(uptime)
                .setVersion(VERSION)
                .setFlowsRate(uptime == 0 ? 0.0 : seen / (uptime / 1e9))
                .build();
    }

    /** This node as {@code GetNodes} lists it. */
    public Node describe(String address, boolean tls) {
        ServerStatusResponse status = serverStatus();
        return Node.newBuilder()
                .setName(node.name())
                .setVersion(VERSION)
                .setAddress(address)
                .setState(up && reachable ? NodeState.NODE_CONNECTED : NodeState.NODE_UNAVAILABLE)
                .setTls(TLS.newBuilder().setEnabled(tls).setServerName(tls ? node.tlsServerName() : ""))
                .setUptimeNs(up ? status.getUptimeNs() : 0)
                .setNumFlows(status.getNumFlows())
                .setMaxFlows(status.getMaxFlows())
                .setSeenFlows(status.getSeenFlows())
                .build();
    }
}
