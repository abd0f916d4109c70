package io.transitwatch.daemon.ingest;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Thread-safe: lookups are lock-free (one volatile array read); nodes are added and node health
 * changes under one lock, so that a health change and its NODE_UP/NODE_DOWN event are published
 * in the same order by the relay stream thread and the {@code GetNodes} poller.
 *
 * <p>Relay says when a node fails (NODE_ERROR, and GetNodes) but never when it is back: it re-queries
 * a recovered node at its next peer listing, silently, and events of the node from before the failure
 * may still come out of its sort buffer after the NODE_ERROR. So a node is announced back to the join
 * only by its first event after a straggler window, and GetNodes' "connected" changes only the
 * ingest's own view.
 *
 * <p>The nodes seen behind Hubble Relay, indexed by the dictionary id of their name.
 */
final class RelayNodes {
    /** One node behind Relay; {@code timeline} belongs to the relay stream's delivering thread. */
    static final class RelayNode {
        static final int UNKNOWN = 0;
        static final int UP = 1;
        static final int DOWN = 2;

        final int id;
        final NodeIngestState state;
        final NodeTimeline timeline;
        /** The ingest's view, for metrics: Relay, GetNodes or the node's events say it is reachable. */
        volatile int health = UNKNOWN;
        /** Whether the join has been told NODE_UP since the node's last NODE_DOWN. */
        volatile boolean announced;
        /** Daemon clock when the node's current (or last) outage was reported; 0 if it never was. */
        volatile long downAtNanos;
        /** Set once by the delivering thread on the node's first event; read by whoever publishes NODE_UP. */
        volatile boolean delivered;
        /** Delivering thread only: the outage ({@link #downAtNanos}) whose re-sends the timeline already checks. */
        long resendCheckedForDownAt;

        RelayNode(int id, NodeIngestState state, int dedupWindow) {
            this.id = id;
            this.state = state;
            this.timeline = new NodeTimeline(dedupWindow);
        }

        /**
         * Whether an event of this node received at {@code nowNanos} can show it back: it was never
         * down, or its outage was reported at least {@code stragglerWindowNanos} ago, so that the
         * event is not one of those Relay's sort buffer still held from before.
         */
        boolean pastStragglers(long nowNanos, long stragglerWindowNanos) {
            long down = downAtNanos;
            return down == 0 || nowNanos - down >= stragglerWindowNanos;
        }
    }

    /** Publishes the event of a node's change for the join; called with the lock held. */
    interface HealthListener {
        /** The node is down for {@code reason} (NODE_DOWN). */
        void onDown(RelayNode node, String reason);

        /** The node's stream delivers again, or for the first time (NODE_UP). */
        void onUp(RelayNode node, boolean backfilled);
    }

    private final StringDictionary dictionary;
    private final IngestState ingestState;
    private final int dedupWindow;
    private final HealthListener listener;
    private final Clock clock;
    private final Object lock = new Object();
    private volatile RelayNode[] byId = new RelayNode[64];
    private final Consumer<String> newNode;

    /** @param newNode told the name of each node on first sight (a node named by its address names that address) */
    RelayNodes(StringDictionary dictionary, IngestState ingestState, int dedupWindow, HealthListener listener,
            Clock clock, Consumer<String> newNode) {
        this.clock = clock;
        this.newNode = newNode;
        this.dictionary = dictionary;
        this.ingestState = ingestState;
        this.dedupWindow = dedupWindow;
        this.listener = listener;
    }

    /** The node of dictionary id {@code id}, created on first sight. */
    RelayNode get(int id) {
        RelayNode[] nodes = byId;
        RelayNode node = id < nodes.length ? nodes[id] : null;
        return node != null ? node : create(id);
    }

    private RelayNode create(int id) {
        synchronized (lock) {
            RelayNode[] nodes = byId;
            if (id >= nodes.length) {
                nodes = Arrays.copyOf(nodes, Math.max(id + 1, nodes.length * 2));
            } else if (nodes[id] != null) {
                return nodes[id];
            } else {
                nodes = nodes.clone();
            }
            RelayNode node = new RelayNode(id, ingestState.register(dictionary.get(id)), dedupWindow);
            nodes[id] = node;
            byId = nodes;
            newNode.accept(dictionary.get(id));
            return node;
        }
    }

    /**
     * Relay, GetNodes or the end of the relay stream says the node is down: NODE_DOWN, once per
     * outage. Its events that still come within the straggler window were on their way before.
     */
    void setDown(RelayNode node, String reason) {
        synchronized (lock) {
            if (node.health != RelayNode.DOWN) {
                node.health = RelayNode.DOWN;
                node.state.connected(false);
                node.state.lastError(reason);
                node.announced = false;
                node.downAtNanos = clock.epochNanos();
                listener.onDown(node, reason);
            }
        }
    }

    /**
     * GetNodes lists the node as connected: the ingest's view only. Relay re-queries a recovered node
     * only at its next peer listing, so the join hears of it with the node's first event after that.
     */
    void setReachable(RelayNode node) {
        synchronized (lock) {
            if (node.health != RelayNode.UP) {
                node.health = RelayNode.UP;
                node.state.connected(true);
            }
        }
    }

    /** The node's stream delivers: Relay's NODE_CONNECTED, or its first event after an outage. NODE_UP, once. */
    void announceUp(RelayNode node, boolean backfilled) {
        synchronized (lock) {
            node.health = RelayNode.UP;
            node.state.connected(true);
            if (!node.announced) {
                node.announced = true;
                listener.onUp(node, backfilled);
            }
        }
    }

    void forEach(Consumer<RelayNode> action) {
        for (RelayNode node : byId) {
            if (node != null) {
                action.accept(node);
            }
        }
    }
}
