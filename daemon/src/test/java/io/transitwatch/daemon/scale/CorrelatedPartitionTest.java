package io.transitwatch.daemon.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.incident.AlertFactory;
import io.transitwatch.daemon.incident.IncidentConfig;
import io.transitwatch.daemon.incident.IncidentTracker;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinEngine;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.Topology;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.EventIds;
import io.transitwatch.sinks.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The replay gate of a correlator's partition, without a broker: what the previous owner published is not published again. */
class CorrelatedPartitionTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long S = 1_000_000_000L;
    private static final long TIMEOUT = 2 * S;

    private final StringDictionary collectorNames = new StringDictionary(256);
    private final EventRecordWriter writer = new EventRecordWriter(collectorNames);
    private final byte[] buffer = new byte[EventRecordFormat.MAX_RECORD];

    /** The partition as the collectors of a (shard 0) and b (shard 1) wrote it: one SYN a → b, never arriving, then one more. */
    private final List<byte[]> topic = new ArrayList<>();
    private long heartbeatSequence;

    private final class Owner {
        final List<Alert> published = new ArrayList<>();
        final List<PairCount> counts = new ArrayList<>();
        final JoinCounters counters = new JoinCounters(64, 256);
        final CorrelatedPartition partition;

        Owner(long startOffset, long liveFrom) {
            StringDictionary names = new StringDictionary(256);
            OutputGate gate = new OutputGate(published::add);
            JoinConfig config = JoinConfig.defaults().withCapacities(1024, 1024, 256)
                    .withNodeAndPairCapacity(64, 256, Duration.ofMinutes(10));
            Topology topology = new Topology(Map.of("a", List.of(IpPrefix.parse("10.0.1.0/24")),
                    "b", List.of(IpPrefix.parse("10.0.2.0/24"))), names::pin, 1000, Duration.ofMinutes(10));
            EventIds ids = new EventIds(Clock.fixed(Instant.ofEpochSecond(1_700_000_000L), ZoneOffset.UTC), new Random(7));
            IncidentTracker incidents = new IncidentTracker(new IncidentConfig(Duration.ofMinutes(1),
                    Duration.ofSeconds(10), 3), 256, ids, gate);
            AlertFactory alerts = new AlertFactory(names, topology, incidents, ids, gate, 64);
            PartitionJoin join = new PartitionJoin(new JoinEngine(config, topology, alerts, counters),
                    new EventRecordReader(names), TIMEOUT);
            partition = new CorrelatedPartition(0, join, gate, new PairCountDeltas(counters, alerts.roundTrips(), names),
                    startOffset, liveFrom);
        }

        /** Reads the topic from {@code from}; returns the offset whose record made the first alert, or -1. */
        long read(long from) {
            long decidedAt = -1;
            for (int offset = (int) from; offset < topic.size(); offset++) {
                int before = published.size();
                partition.onRecord(offset, offset /* Kafka timestamp, ms: unused here */, topic.get(offset),
                        T0 + 30 * S); // wall clock: every collector is alive
                if (decidedAt < 0 && published.size() > before) {
                    decidedAt = offset;
                }
            }
            partition.collectCounts(counts);
            return decidedAt;
        }

        long lost() {
            return counts.stream().mapToLong(PairCount::lost).sum();
        }
    }

    CorrelatedPartitionTest() {
        record(event("a", NodeEvent.NODE_UP, T0), 0);
        record(event("b", NodeEvent.NODE_UP, T0), 1);
        heartbeats(T0);
        record(syn(T0 + S, 40000), 0);
        for (long t = T0 + S; t <= T0 + 10 * S; t += S / 4) {
            heartbeats(t);
        }
        record(syn(T0 + 11 * S, 40001), 0);
        for (long t = T0 + 11 * S; t <= T0 + 20 * S; t += S / 4) {
            heartbeats(t);
        }
    }

    @Test
    void shouldPublishEverythingWhenNothingWasCommittedBefore() {
        Owner owner = new Owner(0, 0);
        owner.read(0);
        assertEquals(List.of(Verdict.LOST_IN_TRANSIT, Verdict.LOST_IN_TRANSIT),
                owner.published.stream().map(Alert::verdict).toList());
        assertEquals(2, owner.lost());
        assertEquals(topic.size(), owner.partition.commitOffset());
    }

    @Test
    void shouldPublishAVerdictDecidedAtTheCommittedOffsetAndMuteOneDecidedJustBefore() {
        long decidedAt = new Owner(0, 0).read(0);
        assertTrue(decidedAt > 0, "the first LOST is decided by a heartbeat after the departure");

        Owner liveAtTheDecision = new Owner(0, decidedAt);
        liveAtTheDecision.read(0);
        assertEquals(2, liveAtTheDecision.published.size(), "decided by the record at the committed offset: not published yet");

        Owner liveAfterTheDecision = new Owner(0, decidedAt + 1);
        liveAfterTheDecision.read(0);
        assertEquals(1, liveAfterTheDecision.published.size(), "the previous owner published the first one");
        assertEquals(1, liveAfterTheDecision.partition.gate().muted());
        assertEquals(1, liveAfterTheDecision.lost(), "pair counts leave out the muted replay too");
    }

    @Test
    void shouldCommitNothingWhileReplayingBeforeTheCommittedOffset() {
        Owner owner = new Owner(0, topic.size());
        owner.read(0);
        assertEquals(-1, owner.partition.commitOffset(), "committing a replayed offset would move the group back");
        assertTrue(owner.published.isEmpty());
        assertEquals(0, owner.lost());
        assertEquals(2, owner.counters.get(JoinCounters.Global.LOST), "the join still decided: its state is rebuilt");
    }

    @Test
    void shouldJudgeWindowsOfANodeDownBeforeTheReplayUnverifiedNotLost() {
        int departure = indexOfFirstFlow();
        Owner owner = new Owner(departure, departure);
        NodeEvent down = event("b", NodeEvent.NODE_DOWN, T0 + S / 2);
        owner.partition.seedStatus(encode(down, 1), T0 + 30 * S);
        owner.partition.seedStatus(encode(event("a", NodeEvent.NODE_UP, T0), 0), T0 + 30 * S); // ignored: not a down
        owner.read(departure);
        assertTrue(owner.published.isEmpty(), "b's stream is down: its arrivals are unknown");
        assertEquals(0, owner.counters.get(JoinCounters.Global.LOST));
        long unverified = owner.counters.get(JoinCounters.Global.UNVERIFIED);
        assertTrue(unverified >= 1, "the departure right after the replay's start waited on b: UNVERIFIED");
        assertEquals(unverified, owner.counts.stream().mapToLong(PairCount::unverified).sum());
    }

    private int indexOfFirstFlow() {
        NodeEvent slot = new NodeEvent();
        EventRecordReader reader = new EventRecordReader(new StringDictionary(64));
        for (int i = 0; i < topic.size(); i++) {
            byte[] value = topic.get(i);
            if (reader.read(value, 0, value.length, slot) == EventRecordReader.EVENT && slot.kind == NodeEvent.FLOW) {
                return i;
            }
        }
        throw new AssertionError("no flow in the topic");
    }

    private NodeEvent syn(long at, int sourcePort) {
        NodeEvent flow = event("a", NodeEvent.FLOW, at);
        flow.verdict = JoinConstants.VERDICT_FORWARDED;
        flow.observationPoint = JoinConstants.POINT_TO_NETWORK;
        flow.traceReason = JoinConstants.TRACE_REASON_NEW;
        flow.ipVersion = 4;
        flow.srcLo = 0x0000_ffff_0a00_0105L;
        flow.dstLo = 0x0000_ffff_0a00_0207L;
        flow.protocol = NodeEvent.PROTO_TCP;
        flow.tcpFlags = NodeEvent.TCP_SYN;
        flow.srcPort = sourcePort;
        flow.dstPort = 8080;
        return flow;
    }

    private NodeEvent event(String node, byte kind, long at) {
        NodeEvent event = new NodeEvent();
        event.clear();
        event.kind = kind;
        event.node = collectorNames.pin(node);
        event.timeNanos = at;
        event.receivedNanos = at;
        return event;
    }

    private void record(NodeEvent event, int shard) {
        topic.add(encode(event, shard));
    }

    private byte[] encode(NodeEvent event, int shard) {
        return Arrays.copyOf(buffer, writer.writeEvent(event, shard, buffer));
    }

    /** Each collector's heartbeat; its sequence grows, as one process's does (a reset is a restart). */
    private void heartbeats(long watermark) {
        heartbeatSequence++;
        for (int shard = 0; shard < 2; shard++) {
            topic.add(Arrays.copyOf(buffer, writer.writeHeartbeat(shard, 2, watermark, 0, heartbeatSequence, new byte[0],
                    buffer)));
        }
    }
}
