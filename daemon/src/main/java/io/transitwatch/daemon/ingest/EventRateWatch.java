package io.transitwatch.daemon.ingest;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Thread-safe: limits come from the Kubernetes discovery's thread, counts and failed polls from the
 * gRPC callback threads; all are seconds apart, so it is simply synchronized. It publishes into the
 * hand-off ring's control headroom under its lock, so that the join gets each node's reports in the
 * order they were judged (the join never takes this lock; a full headroom waits for the join).
 *
 * <p>Watches the nodes whose datapath drops events past a rate limit. Cilium's
 * {@code bpf-events-default-rate-limit} is one token bucket per node, shared by its trace, drop and
 * policy-verdict events, topped up every second; an event that finds it empty is dropped in BPF and
 * no lost-events report ever tells (hubble-api.md §3.1). An arrival dropped that way would make its
 * departure look LOST. A drop at time t needs the bucket empty, which needs at least {@code limit - 1}
 * events let through in the second before t (the smaller of rate and burst; bpf/lib/ratelimit.h), and
 * Hubble counts the events it gets ({@code seen_flows}, which Relay's {@code GetNodes} and each
 * server's {@code ServerStatus} report). So successive counts tell which seconds cannot have dropped
 * anything: a poll interval is near the limit when the events counted from the latest count answered at
 * least a second before its start to its end come near it.
 *
 * <p>What it tells the join, per watched node, in this order: a LOST_EVENTS ({@link
 * ControlEvent#rateLimited}) for each span that may have dropped events (an interval near the limit;
 * everything before a node's first count, or before a restart of its Hubble; whatever a failed poll,
 * or a poll that did not count the node, left unknown), then an EVENTS_COUNTED saying up to when it has
 * judged the node. The join decides nothing of the node past that point, so a departure there is
 * UNVERIFIED(LOST_EVENTS) or waits (UNVERIFIED(BEHIND) if no poll says anything), never LOST for want of
 * a count.
 *
 * <p>A limit applies when the node's agent starts (the datapath is compiled with it): a lower one is
 * taken at once (it can only make more seconds suspect), a higher or removed one only after the node's
 * Hubble is seen to restart.
 */
final class EventRateWatch {
    private static final System.Logger LOG = System.getLogger(EventRateWatch.class.getName());
    private static final long SECOND_NANOS = 1_000_000_000L;
    /**
     * Counts are compared with this share of the limit: Hubble does not count every event the bucket
     * let through (those its perf-ring reader lost, reported separately; those a restricted
     * {@code hubble-monitor-events} or a decoding failure leaves out), so a count a little under the
     * limit may still be one.
     */
    static final double NEAR = 0.9;
    /** Each end of a suspect span is widened by this much: the poll's clock against the events' frame times. */
    static final long MARGIN_NANOS = SECOND_NANOS;
    /** From where a node's first count, or a restart, leaves everything unknown: before any event. */
    private static final long BEGINNING = 0;
    private static final int ASKED = 0;
    private static final int ANSWERED = 1;
    private static final int SEEN = 2;

    private final Clock clock;
    private final StringDictionary dictionary;
    private final HandoffRing ring;
    /** Node → the limit its datapath enforces as far as we know. */
    private final Map<Integer, Long> active = new HashMap<>();
    /** Node → the limit configured since, higher or none ({@link Long#MAX_VALUE}): taken at the node's next restart. */
    private final Map<Integer, Long> afterRestart = new HashMap<>();
    private final Map<Integer, NodeCounts> counts = new HashMap<>();

    EventRateWatch(Clock clock, StringDictionary dictionary, HandoffRing ring) {
        this.clock = clock;
        this.dictionary = dictionary;
        this.ring = ring;
    }

    /** The nodes (dictionary ids) with a limit as configured now, and each one's events per second. */
    synchronized void limits(Map<Integer, Long> configured) {
        Set<Integer> nodes = new HashSet<>(active.keySet());
        nodes.addAll(configured.keySet());
        for (int node : nodes) {
            Long enforced = active.get(node);
            long wanted = configured.getOrDefault(node, Long.MAX_VALUE);
            if (enforced == null) {
                active.put(node, wanted);
                ControlEvent.counted(node, Long.MIN_VALUE).publishTo(ring); // nothing judged yet
            } else if (wanted <= enforced) {
                active.put(node, wanted);
                afterRestart.remove(node);
            } else {
                afterRestart.put(node, wanted);
            }
        }
    }

    synchronized boolean limited(int node) {
        return active.containsKey(node);
    }

    synchronized boolean anyLimited() {
        return !active.isEmpty();
    }

    /**
     * Hubble counted {@code seenFlows} events of {@code node} in the {@code uptimeNanos} it has run (0:
     * not said), asked at {@code askedNanos}; tells the join what it means.
     */
    synchronized void counted(int node, long seenFlows, long uptimeNanos, long askedNanos) {
        publish(judge(node, seenFlows, uptimeNanos, askedNanos, clock.epochNanos()));
    }

    /**
     * A poll for {@code node}'s count failed: nothing is known since its last count, nor for
     * {@code forNanos} from now (until the next poll can tell). Tells the join if the node is watched.
     */
    synchronized void unknown(int node, long forNanos) {
        publish(unknownFor(node, forNanos, clock.epochNanos()));
    }

    /**
     * A poll has asked (or counted) only the nodes {@code asked}: every other watched node (not listed,
     * not connected, its stream down, gone from the cluster) is unknown for {@code forNanos} from now.
     */
    synchronized void unknownExcept(Set<Integer> asked, long forNanos) {
        long now = clock.epochNanos();
        for (int node : List.copyOf(active.keySet())) {
            if (!asked.contains(node)) {
                publish(unknownFor(node, forNanos, now));
            }
        }
    }

    private void publish(List<ControlEvent> events) {
        events.forEach(event -> event.publishTo(ring));
    }

    /** What a failed poll means for the join: visible for tests. */
    synchronized List<ControlEvent> unknownFor(int node, long forNanos, long nowNanos) {
        if (!active.containsKey(node)) {
            return List.of();
        }
        NodeCounts state = counts.get(node);
        long from = state == null || state.history.isEmpty() ? BEGINNING : state.history.getLast()[ASKED];
        long to = nowNanos + forNanos;
        return List.of(ControlEvent.rateLimited(node, from - MARGIN_NANOS, to + MARGIN_NANOS),
                ControlEvent.counted(node, to));
    }

    /**
     * What a count means for the join: visible for tests. Hubble took {@code seenFlows} some time between
     * {@code askedNanos} and {@code answeredNanos}: it holds every event up to the first, and none after
     * the second. A count judges the seconds that end between the previous count's asking and its own.
     */
    synchronized List<ControlEvent> judge(int node, long seenFlows, long uptimeNanos, long askedNanos,
            long answeredNanos) {
        Long limit = active.get(node);
        if (limit == null) {
            return List.of();
        }
        NodeCounts state = counts.computeIfAbsent(node, n -> new NodeCounts());
        if (askedNanos < state.lastAskedNanos) {
            return List.of(); // an answer overtaken by a later one: the later one already said more
        }
        state.lastAskedNanos = askedNanos;
        if (seenFlows == 0 && uptimeNanos == 0) {
            return unknownFor(node, 0, askedNanos); // a server that said nothing: no count to judge by
        }
        long[] base = state.history.isEmpty() ? null : state.secondBeforeLast();
        long from;
        if (state.history.isEmpty()) {
            from = BEGINNING;
        } else if (seenFlows < state.history.getLast()[SEEN]
                || (uptimeNanos > 0 && uptimeNanos < answeredNanos - state.history.getLast()[ASKED])) {
            // Hubble restarted since the last count (its count began again): its agent runs the limit configured now
            from = BEGINNING;
            state.history.clear();
            Long next = afterRestart.remove(node);
            if (next != null && next == Long.MAX_VALUE) {
                active.remove(node);
                counts.remove(node);
                LOG.log(System.Logger.Level.INFO, dictionary.get(node) + ": restarted without a BPF events rate limit");
                return List.of(ControlEvent.rateLimited(node, from - MARGIN_NANOS, askedNanos + MARGIN_NANOS),
                        ControlEvent.counted(node, Long.MAX_VALUE));
            } else if (next != null) {
                active.put(node, next);
            }
        } else if (base == null) {
            from = state.history.getLast()[ASKED]; // the second count: nothing bounds the seconds reaching before the first
        } else {
            boolean near = seenFlows - base[SEEN] >= NEAR * (limit - 1);
            if (near != state.near) {
                state.near = near;
                LOG.log(System.Logger.Level.WARNING, dictionary.get(node) + (near
                        ? ": Hubble's event count came near the node's BPF events rate limit (" + limit + " a second, "
                                + "cilium-config bpf-events-default-rate-limit): events over it are dropped unreported, "
                                + "so departures to it are UNVERIFIED(lost_events) until it is clear again"
                        : ": well under its BPF events rate limit again (" + limit + " a second)"));
            }
            from = near ? state.history.getLast()[ASKED] : Long.MIN_VALUE;
        }
        state.history.addLast(new long[] {askedNanos, answeredNanos, seenFlows});
        state.forgetBefore(askedNanos - SECOND_NANOS);
        ControlEvent judged = ControlEvent.counted(node, askedNanos);
        return from == Long.MIN_VALUE ? List.of(judged)
                : List.of(ControlEvent.rateLimited(node, from - MARGIN_NANOS, askedNanos + MARGIN_NANOS), judged);
    }

    /** One node's recent counts ({@code [asked, answered, seen]}, oldest first), enough to reach a second back. */
    private static final class NodeCounts {
        final ArrayDeque<long[]> history = new ArrayDeque<>();
        /** When the newest answer taken was asked for: an older one that comes after it is stale. */
        long lastAskedNanos = Long.MIN_VALUE;
        /** The last interval judged came near the limit (for the log: it says when this changes). */
        boolean near;

        /**
         * The newest count answered at least a second before the last one was asked, or null. The events
         * counted since it bound from above those of every second that ends after the last count's asking.
         */
        long[] secondBeforeLast() {
            long startNanos = history.getLast()[ASKED];
            long[] base = null;
            for (long[] count : history) {
                if (count[ANSWERED] <= startNanos - SECOND_NANOS) {
                    base = count;
                }
            }
            return base;
        }

        /** Drops counts older than the newest one answered at or before {@code nanos}: later judgements start there. */
        void forgetBefore(long nanos) {
            while (history.size() > 2) {
                var iterator = history.iterator();
                iterator.next();
                if (iterator.next()[ANSWERED] > nanos) {
                    return;
                }
                history.removeFirst();
            }
        }
    }
}
