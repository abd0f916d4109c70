package io.transitwatch.daemon.ingest;

import java.lang.System.Logger.Level;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Thread-confined to the ingest scheduler: nodes are added, moved and removed there only;
 * {@link #close} runs after the scheduler stopped taking work.
 *
 * <p>Direct mode: one {@link NodeStream} per node, from a static list or as the Peer service
 * announces them ({@link PeerDiscovery}). A node whose address changes gets a new stream that keeps
 * nothing of the old one but the name (its server is a different process: backfill cannot help).
 */
final class DirectIngest implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(DirectIngest.class.getName());

    /** How often a node with a BPF events rate limit is asked for its event count: its bucket refills every second. */
    private static final long EVENT_COUNT_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final IngestContext context;
    private final Map<String, NodeStream> streams = new HashMap<>();
    private final PeerDiscovery discovery;
    /** Which nodes to stream from: all, or a collector's shard (set before start, read on the scheduler). */
    private volatile Predicate<String> streamed = node -> true;
    /** Where a predecessor's writes end (collector clock, ns), 0 for none; each node resumes from it once. */
    private volatile long resumeAfterNanos;
    private volatile long resumeUntilNanos;
    private final java.util.Set<String> resumed = new java.util.HashSet<>();

    DirectIngest(IngestContext context) {
        this.context = context;
        this.discovery = context.config().mode() == IngestConfig.Mode.PEER ? new PeerDiscovery(context, this) : null;
    }

    void start() {
        long count = EVENT_COUNT_INTERVAL_NANOS;
        context.scheduler().scheduleWithFixedDelay(this::countEvents, count, count, TimeUnit.NANOSECONDS);
        if (discovery != null) {
            discovery.start();
            return;
        }
        context.scheduler().execute(() -> {
            for (IngestConfig.StaticNode node : context.config().staticNodes()) {
                upsert(node.name(), node.address(), context.config().tlsServerName(), false);
            }
        });
    }

    /** Asks each node with a BPF events rate limit for its Hubble's event count (EventRateWatch). Scheduler thread. */
    private void countEvents() {
        if (!context.rateWatch().anyLimited()) {
            return;
        }
        Set<Integer> asked = new HashSet<>();
        for (NodeStream stream : streams.values()) {
            if (stream.countEvents(2 * EVENT_COUNT_INTERVAL_NANOS)) {
                asked.add(stream.node());
            }
        }
        // a limited node not asked (its stream down, or no stream: not announced, or gone) is unknown meanwhile
        context.rateWatch().unknownExcept(asked, 2 * EVENT_COUNT_INTERVAL_NANOS);
    }

    /** Streams only from the nodes {@code nodes} accepts (a collector's shard); call before {@link #start}. */
    void streamOnly(Predicate<String> nodes) {
        streamed = nodes;
    }

    /**
     * The first stream of each node added before {@code untilNanos} resumes from {@code nanos} (see
     * {@link NodeTimeline#resumeAfter}); call before {@link #start}.
     */
    void resumeAfter(long nanos, long untilNanos) {
        resumeUntilNanos = untilNanos;
        resumeAfterNanos = nanos;
    }

    /** Adds a node, or replaces its stream if its address changed. Scheduler thread. */
    void upsert(String name, String address, String serverName, boolean plaintext) {
        if (!streamed.test(name)) {
            return; // another collector's node: not even a connection (its address is still learned)
        }
        NodeStream existing = streams.get(name);
        if (existing != null) {
            if (existing.nodeAddress().equals(address)) {
                return; // Peer re-announces every node after its own reconnect
            }
            existing.stop(name + " moved to " + address);
        }
        LOG.log(Level.INFO, "streaming flows from {0} at {1}{2}", name, address,
                plaintext ? " (no TLS announced)" : serverName == null ? "" : " (TLS name " + serverName + ")");
        NodeStream stream = new NodeStream(context, name, address, serverName, plaintext);
        if (resumeAfterNanos > 0 && context.clock().epochNanos() < resumeUntilNanos && resumed.add(name)) {
            stream.resumeAfter(resumeAfterNanos);
        }
        streams.put(name, stream);
        stream.start();
    }

    /** Stops a node that left the cluster. Scheduler thread. */
    void remove(String name) {
        NodeStream stream = streams.remove(name);
        if (stream != null) {
            LOG.log(Level.INFO, "{0} left the cluster", name);
            stream.stop(name + " removed from the cluster (Peer PEER_DELETED)");
        }
    }

    @Override
    public void close() {
        if (discovery != null) {
            discovery.close();
        }
        List<NodeStream> all = new ArrayList<>(streams.values());
        streams.clear();
        for (NodeStream stream : all) {
            stream.stop("ingest stopped");
        }
    }
}
