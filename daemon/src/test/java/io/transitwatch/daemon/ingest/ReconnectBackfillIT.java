package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A node's Hubble server killed and restarted on the same port, mid-stream. */
class ReconnectBackfillIT {
    private static final String NODE = "solwk02";
    private static final long T0 = 1_795_274_640_000_000_000L;

    private FakeHubbleServer server;

    @AfterEach
    void stop() {
        server.close();
    }

    private IngestHarness startIngest() throws Exception {
        server = FakeHubbleServer.start(null);
        IngestHarness harness = new IngestHarness(IngestConfig.staticNodes(
                List.of(new IngestConfig.StaticNode(NODE, server.address()))));
        harness.awaitSubscribed(server, 1);
        return harness;
    }

    private static long flows(IngestHarness harness) {
        return harness.collector.count(NodeEvent.FLOW, NODE);
    }

    @Test
    void backfillsFromTheServersRingWithoutDuplicatesOrGap() throws Exception {
        try (IngestHarness harness = startIngest()) {
            List<GetFlowsResponse> sent = new ArrayList<>(IngestHarness.emitFlows(server, NODE, T0, 50));
            harness.collector.awaitUntil("first 50", () -> flows(harness) == 50);
            GetFlowsRequest first = server.requests.get(0);

            server = server.restart(null, true);
            harness.collector.awaitUntil("node down", () -> harness.collector.count(NodeEvent.NODE_DOWN, NODE) == 1);
            harness.awaitSubscribed(server, 1);
            sent.addAll(IngestHarness.emitFlows(server, NODE, T0 + 1_000_000_000L, 50));
            harness.collector.awaitUntil("next 50", () -> flows(harness) == 100);

            List<String> uuids = harness.collector.of(NodeEvent.FLOW, NODE).stream().map(RingCollector.Event::uuid).toList();
            assertEquals(100, uuids.size());
            assertEquals(sent.stream().map(r -> r.getFlow().getUuid()).collect(Collectors.toSet()), Set.copyOf(uuids));
            assertEquals(0, harness.collector.count(NodeEvent.GAP, NODE));
            assertEquals(0, harness.node(NODE).gaps());
            assertEquals(50, harness.node(NODE).duplicates(), "the whole overlap came again and was dropped");
            List<RingCollector.Event> ups = harness.collector.of(NodeEvent.NODE_UP, NODE);
            assertEquals(2, ups.size());
            assertFalse(ups.get(0).backfilled(), "the first connection had nothing to backfill");
            assertTrue(ups.get(1).backfilled(), "the reconnect resumed from the last event seen");

            assertFalse(first.hasSince(), "a first stream reads no history: it starts at the server's newest event");
            GetFlowsRequest resumed = server.requests.get(0);
            long lastSeen = FakeHubbleServer.timeOf(sent.get(49));
            long since = resumed.getSince().getSeconds() * 1_000_000_000L + resumed.getSince().getNanos();
            assertEquals(lastSeen - 2_000_000_000L, since, "since = last seen - overlap");
            assertTrue(harness.node(NODE).reconnects() >= 1);
        }
    }

    @Test
    void reportsAGapWhenTheRestartedServerNoLongerHasTheEvents() throws Exception {
        try (IngestHarness harness = startIngest()) {
            List<GetFlowsResponse> before = IngestHarness.emitFlows(server, NODE, T0, 10);
            harness.collector.awaitUntil("first 10", () -> flows(harness) == 10);

            server = server.restart(null, false);
            harness.awaitSubscribed(server, 1);
            List<GetFlowsResponse> after = IngestHarness.emitFlows(server, NODE, T0 + 5_000_000_000L, 10);
            harness.collector.awaitUntil("next 10", () -> flows(harness) == 20);

            List<RingCollector.Event> gaps = harness.collector.of(NodeEvent.GAP, NODE);
            assertEquals(1, gaps.size());
            assertEquals(FakeHubbleServer.timeOf(before.get(9)), gaps.get(0).gapStart());
            assertEquals(FakeHubbleServer.timeOf(after.get(0)), gaps.get(0).gapEnd());
            assertEquals(1, harness.node(NODE).gaps());
            int gapIndex = harness.collector.events.indexOf(gaps.get(0));
            assertEquals(NodeEvent.NODE_UP, harness.collector.events.get(gapIndex + 1).kind(),
                    "the gap comes before the NODE_UP that lets the join drop the outage");
            assertEquals(after.get(0).getFlow().getUuid(), harness.collector.events.get(gapIndex + 2).uuid(),
                    "then the first new event");
        }
    }
}
