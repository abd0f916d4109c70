package io.transitwatch.daemon.sim.hubble;

import io.transitwatch.proto.flow.LostEvent;
import io.transitwatch.proto.flow.LostEventSource;
import io.transitwatch.proto.observer.GetFlowsResponse;

/**
 * Single-threaded: used by one stream at a time. One request's read position in one node's ring
 * (hubble-api.md §5.2): where it starts ({@code since}: walk back to the oldest event at or after
 * it; {@code number}: the last N matching flows, or the first N with {@code first}; {@code follow}
 * alone: only new events), and what it yields next. A reader that finds its position overwritten
 * yields one HUBBLE_RING_BUFFER LostEvent counting the events it missed (aggregated like Hubble
 * 1.19, where 1.18 sent one per lost event) and continues at the oldest event still held. Lost events
 * bypass filters.
 */
public final class RingCursor {
    private final NodeHubble hubble;
    private final FlowQuery query;
    private final long endSequence;
    private final long flowLimit;
    private long position;
    private long flowsSent;
    private boolean finished;

    public RingCursor(NodeHubble hubble, FlowQuery query) {
        this.hubble = hubble;
        this.query = query;
        NodeEventRing ring = hubble.ring();
        this.endSequence = query.follow() ? Long.MAX_VALUE : ring.nextSequence();
        this.flowLimit = query.follow() || query.hasSince() || query.number() == 0 ? Long.MAX_VALUE : query.number();
        this.position = startPosition(ring);
    }

    public String node() {
        return hubble.name();
    }

    public boolean finished() {
        return finished;
    }

    /** The next response to send, or {@code null} when there is none now (see {@link #finished()}). */
    public GetFlowsResponse poll() {
        NodeEventRing ring = hubble.ring();
        while (!finished) {
            long oldest = ring.oldestSequence();
            if (position < oldest) {
                long missed = oldest - position;
                position = oldest;
                return ringBufferLoss(missed);
            }
            if (position >= endSequence) {
                finished = true;
                return null;
            }
            NodeEventRing.Entry entry = ring.get(position);
            if (entry == null) {
                if (position < ring.oldestSequence()) {
                    continue; // overwritten between the two reads
                }
                return null; // caught up
            }
            position++;
            GetFlowsResponse response = entry.response();
            if (!response.hasFlow()) {
                return response;
            }
            if (entry.timeNanos() > query.untilNanos()) {
                finished = true;
                return null;
            }
            if (query.includes(response.getFlow())) {
                if (++flowsSent >= flowLimit) {
                    finished = true;
                }
                return query.present(response);
            }
        }
        return null;
    }

    private long startPosition(NodeEventRing ring) {
        long newest = ring.nextSequence() - 1;
        long oldest = ring.oldestSequence();
        if (query.hasSince()) {
            long start = newest + 1;
            for (long seq = newest; seq >= oldest; seq--) {
                NodeEventRing.Entry entry = ring.get(seq);
                if (entry == null || entry.timeNanos() < query.sinceNanos()) {
                    break;
                }
                start = seq;
            }
            return start;
        }
        if (query.first()) {
            return oldest;
        }
        if (query.number() > 0) {
            long matched = 0;
            long start = newest + 1;
            for (long seq = newest; seq >= oldest && matched < query.number(); seq--) {
                NodeEventRing.Entry entry = ring.get(seq);
                if (entry == null) {
                    break;
                }
                if (entry.response().hasFlow() && query.includes(entry.response().getFlow())) {
                    matched++;
                }
                start = seq;
            }
            return start;
        }
        return query.follow() ? newest + 1 : oldest;
    }

    private GetFlowsResponse ringBufferLoss(long missed) {
        return GetFlowsResponse.newBuilder()
                .setLostEvents(LostEvent.newBuilder()
                        .setSource(LostEventSource.HUBBLE_RING_BUFFER)
                        .setNumEventsLost(missed))
                .setNodeName(hubble.name())
                .setTime(Timestamps.of(hubble.localNanos()))
                .build();
    }
}
