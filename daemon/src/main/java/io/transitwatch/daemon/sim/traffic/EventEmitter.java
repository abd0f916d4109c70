package io.transitwatch.daemon.sim.traffic;

import com.google.protobuf.Int32Value;
import io.transitwatch.daemon.sim.Fault;
import io.transitwatch.daemon.sim.SimNode;
import io.transitwatch.daemon.sim.hubble.NodeHubble;
import io.transitwatch.daemon.sim.hubble.Timestamps;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.LostEvent;
import io.transitwatch.proto.flow.LostEventSource;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;

/**
 * Single-threaded: owned by the traffic thread. The path of an event from a node's datapath to its
 * Hubble ring: the agent reads it from the perf ring a little later (0-20 ms) and stamps it with the
 * node's skewed clock; one reader drains the ring in order, so a read that comes late delays the
 * events behind it too and a node's events keep the order its datapath produced them in (a
 * connection's first data segment is never read before its handshake); a lagging node's events reach the ring late; an overflowing perf ring swallows
 * a run of events and says how many; a node's events rate limit drops events silently; a Hubble that is down records nothing.
 */
final class EventEmitter {
    /**
     * An overflow of the perf ring lasts at most this long: the agent's reader then catches up and
     * reports what it lost, however few events came meanwhile (a quiet node must not hold the report
     * back until it has seen the run's full count).
     */
    static final long LOST_RUN_MAX_NANOS = 1_000_000_000L;
    private static final long SECOND_NANOS = 1_000_000_000L;

    /** Who wants to know whether an event made it into the ring. */
    @FunctionalInterface
    interface Outcome {
        Outcome NONE = (recorded, eventTimeNanos) -> {};

        void emitted(boolean recorded, long eventTimeNanos);
    }

    /** Builds the flow once its node-local time and uuid are known. */
    @FunctionalInterface
    interface FlowMaker {
        Flow make(long localNanos, String uuid);
    }

    private final EventScheduler scheduler;
    private final FaultModel faults;
    private final TruthRecorder truth;
    private final SplittableRandom random;
    private final Map<String, NodeHubble> hubbles;
    private final Map<String, NodeEventLog> logs;
    private final Map<String, LostRun> lostRuns = new HashMap<>();
    /** Per node with an events rate limit: its token bucket, {@code [tokens, last top-up]}. */
    private final Map<String, long[]> buckets = new HashMap<>();
    /** Per node, the perf-read delay of its latest event: the next one is read no earlier. */
    private final Map<String, long[]> lastRead = new HashMap<>();

    EventEmitter(EventScheduler scheduler, FaultModel faults, TruthRecorder truth, SplittableRandom random,
            Map<String, NodeHubble> hubbles, Map<String, NodeEventLog> logs) {
        this.scheduler = scheduler;
        this.faults = faults;
        this.truth = truth;
        this.random = random;
        this.hubbles = hubbles;
        this.logs = logs;
    }

    /** The datapath of {@code node} produced an event at true time {@code trueNanos}. */
    void emit(SimNode node, long trueNanos, FlowMaker maker, Outcome outcome) {
        long[] last = lastRead.computeIfAbsent(node.name(), n -> new long[] {0});
        // read after the one before it, a microsecond on at least: equal times would let a time-sorted
        // merge (Relay's buffer) swap the two
        long perfDelay = Math.max(perfReadDelayNanos(), last[0] + 1_000 - trueNanos);
        last[0] = trueNanos + perfDelay;
        long localNanos = trueNanos + faults.skewNanos(node.name()) + perfDelay;
        long visibleAt = trueNanos + perfDelay + faults.reorderDelayNanos(node.name());
        if (!takeToken(node.name(), trueNanos)) {
            // dropped in BPF before the perf ring: nothing is read, and nothing says so
            truth.unobservable(node.name(), trueNanos, trueNanos);
            scheduler.at(visibleAt, () -> outcome.emitted(false, localNanos));
            return;
        }
        Flow flow = maker.make(localNanos, nextUuid());
        scheduler.at(visibleAt, () -> record(node.name(), trueNanos, localNanos, flow, outcome));
    }

    /** Cilium's events-map token bucket ({@code ratelimit_check_and_take}): whether the event may be emitted. */
    private boolean takeToken(String node, long trueNanos) {
        Fault.EventsRateLimit limit = faults.eventsRateLimit(node);
        if (limit == null) {
            return true;
        }
        long[] bucket = buckets.get(node);
        if (bucket == null) {
            buckets.put(node, new long[] {limit.rate() - 1, trueNanos});
            return true;
        }
        long sinceTopUp = trueNanos - bucket[1];
        if (sinceTopUp > SECOND_NANOS) {
            bucket[0] = Math.min(limit.burst(), bucket[0] + sinceTopUp / SECOND_NANOS * limit.rate());
            bucket[1] = trueNanos - sinceTopUp % SECOND_NANOS;
        }
        if (bucket[0] > 0) {
            bucket[0]--;
            return true;
        }
        return false;
    }

    /** From now on the next {@code count} events of {@code node} overflow its perf ring. */
    void startLostRun(String node, int count) {
        if (lostRuns.containsKey(node)) {
            return;
        }
        LostRun run = new LostRun(count);
        lostRuns.put(node, run);
        scheduler.at(scheduler.now() + LOST_RUN_MAX_NANOS, () -> {
            if (lostRuns.get(node) == run) {
                endLostRun(node, run);
            }
        });
    }

    /** The reader caught up: report what the run swallowed, if anything. */
    private void endLostRun(String node, LostRun run) {
        lostRuns.remove(node);
        if (run.swallowed() == 0) {
            return;
        }
        truth.unobservable(node, run.firstTrueNanos, run.lastTrueNanos);
        NodeHubble hubble = hubbles.get(node);
        if (hubble.isUp()) {
            append(hubble, logs.get(node), run.notice(node, random.nextInt(4)), run.lastLocalNanos);
        }
    }

    private void record(String node, long trueNanos, long localNanos, Flow flow, Outcome outcome) {
        NodeHubble hubble = hubbles.get(node);
        NodeEventLog log = logs.get(node);
        if (!hubble.isUp()) {
            log.lostWhileDown();
            outcome.emitted(false, localNanos);
            return;
        }
        LostRun run = lostRuns.get(node);
        if (run != null) {
            run.swallow(trueNanos, localNanos);
            log.lostInPerfRing();
            outcome.emitted(false, localNanos);
            if (run.remaining == 0) {
                endLostRun(node, run);
            }
            return;
        }
        append(hubble, log, GetFlowsResponse.newBuilder()
                .setFlow(flow).setNodeName(node).setTime(flow.getTime()).build(), localNanos);
        outcome.emitted(true, localNanos);
    }

    private static void append(NodeHubble hubble, NodeEventLog log, GetFlowsResponse response, long timeNanos) {
        hubble.record(response, timeNanos);
        log.recorded(response);
    }

    /** Mostly sub-millisecond, sometimes a batch read late: up to 20 ms. */
    private long perfReadDelayNanos() {
        return random.nextInt(10) < 8 ? random.nextLong(20_000, 2_000_000) : random.nextLong(2_000_000, 20_000_000);
    }

    private String nextUuid() {
        long high = (random.nextLong() & ~0xF000L) | 0x4000L; // version 4
        long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L; // IETF variant
        return new UUID(high, low).toString();
    }

    /** One overflow of a node's perf ring, in progress. */
    private static final class LostRun {
        private int remaining;
        private final int count;
        private long firstTrueNanos = -1;
        private long lastTrueNanos;
        private long firstLocalNanos;
        private long lastLocalNanos;

        LostRun(int count) {
            this.count = count;
            this.remaining = count;
        }

        int swallowed() {
            return count - remaining;
        }

        void swallow(long trueNanos, long localNanos) {
            if (firstTrueNanos < 0) {
                firstTrueNanos = trueNanos;
                firstLocalNanos = localNanos;
            }
            lastTrueNanos = trueNanos;
            lastLocalNanos = localNanos;
            remaining--;
        }

        GetFlowsResponse notice(String node, int cpu) {
            LostEvent lost = LostEvent.newBuilder()
                    .setSource(LostEventSource.PERF_EVENT_RING_BUFFER)
                    .setNumEventsLost(swallowed())
                    .setCpu(Int32Value.of(cpu))
                    .setFirst(Timestamps.of(firstLocalNanos))
                    .setLast(Timestamps.of(lastLocalNanos))
                    .build();
            return GetFlowsResponse.newBuilder().setLostEvents(lost).setNodeName(node)
                    .setTime(Timestamps.of(lastLocalNanos)).build();
        }
    }
}
