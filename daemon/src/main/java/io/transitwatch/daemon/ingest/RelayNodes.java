package io.transitwatch.daemon.ingest;

import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * Thread-safe: lookups are lock-free (one volatile array read); nodes are added and node health
 * changes under one lock, so that a health change and its NODE_UP/NODE_DOWN event are published
 * in the same order by the relay stream thread and the {@code GetNodes} poller.
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
        volatile int health = UNKNOWN;
        /** Set when the node goes down; the delivering thread re-arms gap detection on its next event. */
        final java.util.concurrent.atomic.AtomicBoolean resync = new java.util.concurrent.atomic.AtomicBoolean();
        /** Set once by the delivering thread on the node's first event; read by whoever publishes NODE_UP. */
        volatile boolean delivered;

        RelayNode(int id, NodeIngestState state, int dedupWindow) {
            this.id = id;
            this.state = state;
            this.timeline = new NodeTimeline(dedupWindow);
        }
    }

    /** Publishes the event of a health change; called with the lock held. */
    interface HealthListener {
        void onHealthChange(RelayNode node, boolean up, String reason);
    }

    private final StringDictionary dictionary;
    private final IngestState ingestState;
    private final int dedupWindow;
    private final HealthListener listener;
    private final Object lock = new Object();
    private volatile RelayNode[] byId = new RelayNode[64];

    RelayNodes(StringDictionary dictionary, IngestState ingestState, int dedupWindow, HealthListener listener) {
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
            return node;
        }
    }

    /** Moves {@code node} to up or down; publishes through the listener only if that is a change. */
    void setHealth(RelayNode node, boolean up, String reason) {
        synchronized (lock) {
            int next = up ? RelayNode.UP : RelayNode.DOWN;
            if (node.health != next) {
                node.health = next;
                node.state.connected(up);
                if (!up) {
                    node.state.lastError(reason);
                    node.resync.set(true);
                }
                listener.onHealthChange(node, up, reason);
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
