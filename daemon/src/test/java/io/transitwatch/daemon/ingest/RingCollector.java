package io.transitwatch.daemon.ingest;

import io.transitwatch.daemon.decode.Uuids;
import io.transitwatch.daemon.handoff.HandoffRing;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.NodeEventHandler;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.topology.NodeAddresses;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/** The test thread as the ring's consumer: copies what it polls into plain records. */
final class RingCollector implements NodeEventHandler {
    record Event(byte kind, String node, String uuid, long timeNanos, String reason, long gapStart, long gapEnd,
            boolean backfilled) {}

    private final HandoffRing ring;
    private final StringDictionary dictionary;
    final List<Event> events = new ArrayList<>();
    /** The newest node-address snapshot handed over (NODE_ADDRESSES), or null. */
    NodeAddresses addresses;

    RingCollector(HandoffRing ring, StringDictionary dictionary) {
        this.ring = ring;
        this.dictionary = dictionary;
    }

    @Override
    public void onEvent(NodeEvent e, boolean endOfBatch) {
        if (e.kind == NodeEvent.NODE_ADDRESSES) {
            addresses = e.nodeAddresses;
        }
        events.add(new Event(e.kind, dictionary.get(e.node),
                e.uuidHi == 0 && e.uuidLo == 0 ? "" : Uuids.format(e.uuidHi, e.uuidLo), e.timeNanos,
                dictionary.get(e.reason), e.gapStartNanos, e.gapEndNanos, e.backfilled));
    }

    /**
     * Drains the ring until {@code condition} holds (checked after every drain, on this thread: the
     * ring's only consumer); fails after a generous deadline, never on timing.
     */
    void awaitUntil(String what, BooleanSupplier condition) {
        try {
            Awaitility.await(what).atMost(Duration.ofSeconds(60)).pollInSameThread()
                    .pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(5))
                    .until(() -> {
                        ring.poll(this, 1000);
                        return condition.getAsBoolean();
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + "; events: " + summary(), e);
        }
    }

    List<Event> of(byte kind, String node) {
        return events.stream().filter(e -> e.kind == kind && node.equals(e.node)).toList();
    }

    long count(byte kind, String node) {
        return of(kind, node).size();
    }

    String summary() {
        List<String> lines = new ArrayList<>();
        for (Event e : events) {
            if (e.kind != NodeEvent.FLOW) {
                lines.add(e.toString());
            }
        }
        return events.size() + " events, non-flows: " + lines;
    }
}
