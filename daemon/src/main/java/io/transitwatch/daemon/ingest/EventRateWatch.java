package io.transitwatch.daemon.ingest;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * Thread-safe: limits come from the Kubernetes discovery's thread, counts from the pollers' answers
 * on the channel executor, failures from the ingest timer; all are seconds apart, so it is simply
 * synchronized.
 *
 * <p>Watches the nodes whose datapath drops events past a rate limit. Cilium's
 * {@code bpf-events-default-rate-limit} is one token bucket per node, shared by its trace, drop and
 * policy-verdict events, topped up every second; an event that finds it empty is dropped in BPF and
 * no lost-events report ever tells (hubble-api.md §3.1). An arrival dropped that way would make its
 * departure look LOST. A drop at time t needs the bucket empty, which needs at least {@code limit - 1}
 * events let through in the second before t (the smaller of rate and burst; bpf/lib/ratelimit.h), and
 * Hubble counts every event let through ({@code seen_flows}, which Relay's {@code GetNodes} and each
 * server's {@code ServerStatus} report). So successive counts tell which seconds cannot have dropped
 * anything: a poll interval is suspect when the events counted from the latest poll at least a second
 * before its start to its end come near the limit. A suspect interval, a first count and a failed poll
 * (nothing known) go to the join as a LOST_EVENTS of {@link ControlEvent#rateLimited}: departures to the
 * node in that span are UNVERIFIED(LOST_EVENTS), never LOST.
 */
final class EventRateWatch {
    private static final System.Logger LOG = System.getLogger(EventRateWatch.class.getName());
    private static final long SECOND_NANOS = 1_000_000_000L;
    /**
     * Counts are compared with this share of the limit: Hubble does not count every event the bucket
     * let through (those its own perf-ring reader lost, reported separately; those a restricted
     * {@code hubble-monitor-events} filters out), so a count a little under the limit may still be one.
     */
    static final double NEAR = 0.9;
    /** Each end of a suspect span is widened by this much: the poll's clock against the events' frame times. */
    static final long MARGIN_NANOS = SECOND_NANOS;

    private final Clock clock;
    private final StringDictionary dictionary;
    /** A node's first count covers nothing before it: from this long before it (the first stream's backfill) it is unknown. */
    private final long unknownBeforeFirstNanos;
    private Map<Integer, Long> limits = Map.of();
    private final Map<Integer, NodeCounts> counts = new HashMap<>();

    EventRateWatch(Clock clock, StringDictionary dictionary, long unknownBeforeFirstNanos) {
        this.clock = clock;
        this.dictionary = dictionary;
        this.unknownBeforeFirstNanos = unknownBeforeFirstNanos;
    }

    /** The nodes (dictionary ids) with a limit, and each one's events per second; others are forgotten. */
    synchronized void limits(Map<Integer, Long> eventsPerSecond) {
        limits = Map.copyOf(eventsPerSecond);
        counts.keySet().retainAll(limits.keySet());
    }

    synchronized boolean limited(int node) {
        return limits.containsKey(node);
    }

    synchronized boolean anyLimited() {
        return !limits.isEmpty();
    }

    /**
     * Hubble counted {@code seenFlows} events of {@code node} in the {@code uptimeNanos} it has run (0:
     * not said); publishes the span that may have lost events, if any. Returns whether it published one.
     */
    boolean counted(int node, long seenFlows, long uptimeNanos, HandoffRing ring) {
        long[] span = judge(node, seenFlows, uptimeNanos, clock.epochNanos());
        return span != null && ControlEvent.rateLimited(node, span[0], span[1]).publishTo(ring);
    }

    /**
     * A poll for {@code node}'s count failed: nothing is known since its last count, nor for
     * {@code forNanos} from now (until the next poll). Publishes that span if the node is limited.
     */
    void unknown(int node, long forNanos, HandoffRing ring) {
        long now = clock.epochNanos();
        long from;
        synchronized (this) {
            if (!limits.containsKey(node)) {
                return;
            }
            NodeCounts state = counts.get(node);
            from = state == null || state.history.isEmpty() ? now - unknownBeforeFirstNanos : state.history.getLast()[0];
        }
        ControlEvent.rateLimited(node, from - MARGIN_NANOS, now + forNanos + MARGIN_NANOS).publishTo(ring);
    }

    /** The daemon-clock span {@code [from, to]} that may have lost events, or null; visible for tests. */
    synchronized long[] judge(int node, long seenFlows, long uptimeNanos, long nowNanos) {
        Long limit = limits.get(node);
        if (limit == null) {
            return null;
        }
        NodeCounts state = counts.computeIfAbsent(node, n -> new NodeCounts());
        long from;
        if (state.history.isEmpty()) {
            from = nowNanos - unknownBeforeFirstNanos;
        } else if (seenFlows < state.history.getLast()[1]
                || (uptimeNanos > 0 && uptimeNanos < nowNanos - state.history.getLast()[0])) {
            // Hubble restarted since the last count (its count began again): what it let through before is not counted
            from = state.history.getLast()[0];
            state.history.clear();
        } else if (state.secondBeforeLast() == null) {
            from = state.history.getLast()[0]; // the second count: nothing bounds the seconds reaching before the first
        } else {
            long counted = seenFlows - state.secondBeforeLast()[1];
            boolean near = counted >= NEAR * (limit - 1);
            if (near != state.near) {
                state.near = near;
                LOG.log(System.Logger.Level.WARNING, dictionary.get(node) + (near
                        ? ": Hubble's event count came near the node's BPF events rate limit (" + limit + " a second, "
                                + "cilium-config bpf-events-default-rate-limit): events over it are dropped unreported, "
                                + "so departures to it are UNVERIFIED(lost_events) until it is clear again"
                        : ": well under its BPF events rate limit again (" + limit + " a second)"));
            }
            from = near ? state.history.getLast()[0] : Long.MIN_VALUE;
        }
        state.history.addLast(new long[] {nowNanos, seenFlows});
        state.forgetBefore(nowNanos - SECOND_NANOS);
        return from == Long.MIN_VALUE ? null : new long[] {from - MARGIN_NANOS, nowNanos + MARGIN_NANOS};
    }

    /** One node's recent counts ({@code [time, seen]}, oldest first), enough to reach a second back. */
    private static final class NodeCounts {
        final ArrayDeque<long[]> history = new ArrayDeque<>();
        /** The last interval judged came near the limit (for the log: it says when this changes). */
        boolean near;

        /**
         * The newest count at least a second before the last one, or null. The events counted since it
         * bound from above those of every second that ends between the last count and the next.
         */
        long[] secondBeforeLast() {
            long startNanos = history.getLast()[0];
            long[] base = null;
            for (long[] count : history) {
                if (count[0] <= startNanos - SECOND_NANOS) {
                    base = count;
                }
            }
            return base;
        }

        /** Drops counts older than the newest one at or before {@code nanos}: later judgements start from there. */
        void forgetBefore(long nanos) {
            while (history.size() > 2) {
                var iterator = history.iterator();
                iterator.next();
                if (iterator.next()[0] > nanos) {
                    return;
                }
                history.removeFirst();
            }
        }
    }
}
