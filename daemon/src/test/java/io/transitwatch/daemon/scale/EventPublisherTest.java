package io.transitwatch.daemon.scale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.topology.IpPrefix;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class EventPublisherTest {
    private static final int PARTITIONS = 12;
    private static final long S = 1_000_000_000L;

    record Sent(int partition, byte[] key, byte[] value) {}

    private final StringDictionary dictionary = new StringDictionary(1024);
    private final List<Sent> sent = new ArrayList<>();
    private final EventKeys keys = new EventKeys(JoinConfig.defaults(),
            List.of(IpPrefix.parse("10.0.1.0/24"), IpPrefix.parse("10.0.2.0/24")));
    /** Two shards; the nodes each owns, found by the assignment itself. */
    private final String ours = IntStream.range(0, 100).mapToObj(n -> "node-" + n)
            .filter(n -> ShardAssignment.ownerOf(n, 2) == 1).findFirst().orElseThrow();
    private final String theirs = IntStream.range(0, 100).mapToObj(n -> "node-" + n)
            .filter(n -> ShardAssignment.ownerOf(n, 2) == 0).findFirst().orElseThrow();
    private final EventPublisher publisher = new EventPublisher(dictionary, new ShardAssignment(2, 1), keys,
            (partition, key, value) -> sent.add(new Sent(partition, key, value)), PARTITIONS, "collector-1");

    @Test
    void shouldKeyADepartureAndLeaveThePartitionToThePartitioner() {
        beginViewOf(ours);
        publisher.onEvent(syn(ours, JoinConstants.POINT_TO_NETWORK, "10.0.2.7"), true);

        assertEquals(1, sent.size());
        assertEquals(-1, sent.get(0).partition());
        assertEquals(EventKeys.TUPLE_KEY_LENGTH, sent.get(0).key().length);
        NodeEvent read = new NodeEvent();
        EventRecordReader reader = new EventRecordReader(new StringDictionary(64));
        assertEquals(EventRecordReader.EVENT, reader.read(sent.get(0).value(), 0, sent.get(0).value().length, read));
        assertEquals(1, reader.eventShard());
        assertEquals(1, publisher.published());
    }

    @Test
    void shouldDropEventsOfNodesAnotherShardOwns() {
        publisher.onEvent(syn(theirs, JoinConstants.POINT_TO_NETWORK, "10.0.2.7"), true);
        assertTrue(sent.isEmpty());
        assertEquals(1, publisher.foreign());
    }

    @Test
    void shouldDropWhatTheJoinIgnores() {
        NodeEvent plainAck = syn(ours, JoinConstants.POINT_TO_NETWORK, "10.0.2.7");
        plainAck.tcpFlags = NodeEvent.TCP_ACK; // first data is off by default: not join-safe
        publisher.onEvent(plainAck, true);
        NodeEvent addresses = new NodeEvent();
        addresses.clear();
        addresses.kind = NodeEvent.NODE_ADDRESSES;
        publisher.onEvent(addresses, true);
        // the ignored flow is not published, but it is the node's first: its view begins there
        assertEquals(PARTITIONS, sent.size());
        assertTrue(sent.stream().allMatch(s -> s.key() == null && s.value()[1] == EventRecordFormat.TYPE_VIEW_BEGINS));
        assertEquals(0, publisher.published());
        assertEquals(2, publisher.ignored());
    }

    @Test
    void shouldWriteStreamHealthIntoEveryPartition() {
        NodeEvent down = new NodeEvent();
        down.clear();
        down.kind = NodeEvent.NODE_DOWN;
        down.node = dictionary.pin(ours);
        down.upAnnounced = true;
        publisher.onEvent(down, true);

        assertEquals(PARTITIONS, sent.size());
        for (int p = 0; p < PARTITIONS; p++) {
            assertEquals(p, sent.get(p).partition());
            assertNull(sent.get(p).key());
            assertArrayEquals(sent.get(0).value(), sent.get(p).value());
        }
    }

    @Test
    void shouldSendAReplyToItsClientsPartitionAsWellWhenItIsAlsoAnArrival() {
        NodeEvent synAck = syn(ours, JoinConstants.POINT_TO_ENDPOINT, "10.0.1.5");
        synAck.tcpFlags = NodeEvent.TCP_SYN | NodeEvent.TCP_ACK;
        synAck.traceReason = JoinConstants.TRACE_REASON_REPLY;
        int tries = 0;
        // ports until the tuple and client keys fall into different partitions, then into the same one
        boolean sawTwo = false;
        boolean sawOne = false;
        beginViewOf(ours);
        for (int port = 1000; port < 1200 && !(sawTwo && sawOne); port++, tries++) {
            sent.clear();
            synAck.dstPort = port;
            publisher.onEvent(synAck, true);
            keys.route(synAck);
            boolean apart = KafkaPartitions.of(keys.tupleKey(), PARTITIONS) != KafkaPartitions.of(keys.clientKey(), PARTITIONS);
            assertEquals(apart ? 2 : 1, sent.size(), "port " + port);
            sawTwo |= apart;
            sawOne |= !apart;
        }
        assertTrue(sawTwo && sawOne, "both cases seen in " + tries + " tries");
    }

    @Test
    void shouldWriteAHeartbeatIntoEveryPartition() {
        publisher.heartbeat(5_000_000_000L);
        publisher.heartbeat(6_000_000_000L);

        assertEquals(2 * PARTITIONS, sent.size());
        EventRecordReader reader = new EventRecordReader(new StringDictionary(64));
        Sent last = sent.get(sent.size() - 1);
        assertEquals(PARTITIONS - 1, last.partition());
        assertEquals(EventRecordReader.HEARTBEAT, reader.read(last.value(), 0, last.value().length, new NodeEvent()));
        assertEquals(6_000_000_000L, reader.heartbeatWatermarkNanos());
        assertEquals(2, reader.heartbeatSequence());
        assertEquals(1, reader.heartbeatShard());
        assertEquals(2, reader.heartbeatShards());
        assertEquals(2, publisher.heartbeats());
    }

    /**
     * Partition 3's records are not acknowledged after the heartbeat at 5 s (its leader is down): from
     * a second later on, its heartbeats say they are undelivered since 5 s; the other partitions' do
     * not, and nor do partition 3's once the broker has acknowledged again.
     */
    @Test
    void shouldSayInAPartitionsHeartbeatSinceWhenItsRecordsAreUndelivered() {
        long[] delivered = new long[PARTITIONS];
        List<Sent> heartbeats = new ArrayList<>();
        EventPublisher tracked = new EventPublisher(dictionary, new ShardAssignment(2, 1), keys,
                new EventPublisher.RecordSink() {
                    @Override
                    public void send(int partition, byte[] key, byte[] value) {
                        throw new AssertionError("heartbeats only");
                    }

                    @Override
                    public void heartbeat(int partition, byte[] value, long watermarkNanos) {
                        heartbeats.add(new Sent(partition, null, value));
                        if (partition != 3 || watermarkNanos <= 5 * S || watermarkNanos >= 8 * S) {
                            delivered[partition] = watermarkNanos; // acknowledged at once
                        }
                    }

                    @Override
                    public long deliveredThrough(int partition) {
                        return delivered[partition];
                    }
                }, PARTITIONS, "collector-1");
        long[] undeliveredSince = new long[9];
        for (int second = 4; second <= 8; second++) {
            for (long at = second * S; at < (second + 1) * S; at += S / 4) {
                heartbeats.clear();
                tracked.heartbeat(at);
                EventRecordReader reader = new EventRecordReader(new StringDictionary(64));
                for (Sent heartbeat : heartbeats) {
                    reader.read(heartbeat.value(), 0, heartbeat.value().length, new NodeEvent());
                    if (heartbeat.partition() != 3) {
                        assertEquals(0, reader.heartbeatUndeliveredSinceNanos(), "partition " + heartbeat.partition());
                    } else if (at == second * S) {
                        undeliveredSince[second] = reader.heartbeatUndeliveredSinceNanos();
                    }
                }
                assertEquals(PARTITIONS, heartbeats.size());
            }
        }
        assertArrayEquals(new long[] {0, 0, 0, 5 * S, 5 * S}, java.util.Arrays.copyOfRange(undeliveredSince, 4, 9),
                "partition 3's heartbeats at 4, 5, 6, 7 and 8 s");
        assertEquals(8, tracked.undeliveredHeartbeats(), "partition 3's from 6.25 s to 8 s (acknowledged after it)");
    }

    @Test
    void shouldBeginANodesViewInEveryPartitionAtItsFirstFlowAfterItsStreamCameUp() {
        NodeEvent first = syn(ours, JoinConstants.POINT_TO_NETWORK, "10.0.2.7");
        first.timeNanos = 7_000_000_000L;
        first.receivedNanos = 7_250_000_000L;
        publisher.onEvent(first, true);

        assertEquals(PARTITIONS + 1, sent.size(), "the view begins in every partition, then the departure by key");
        NodeEvent read = new NodeEvent();
        StringDictionary readNames = new StringDictionary(64);
        EventRecordReader reader = new EventRecordReader(readNames);
        for (int p = 0; p < PARTITIONS; p++) {
            Sent record = sent.get(p);
            assertEquals(p, record.partition());
            assertEquals(EventRecordReader.VIEW_BEGINS, reader.read(record.value(), 0, record.value().length, read));
            assertEquals(NodeEvent.FLOW, read.kind);
            assertEquals(0, read.ipVersion, "a flow without addresses: nothing the join can join");
            assertEquals(7_000_000_000L, read.timeNanos);
            assertEquals(7_250_000_000L, read.receivedNanos);
            assertEquals(ours, readNames.get(read.node));
            assertEquals(1, reader.eventShard());
        }
        assertEquals(-1, sent.get(PARTITIONS).partition());

        sent.clear();
        publisher.onEvent(syn(ours, JoinConstants.POINT_TO_NETWORK, "10.0.2.8"), true);
        assertEquals(1, sent.size(), "only a node's first flow begins its view");

        sent.clear();
        NodeEvent up = new NodeEvent();
        up.clear();
        up.kind = NodeEvent.NODE_UP;
        up.node = dictionary.pin(ours);
        publisher.onEvent(up, true);
        publisher.onEvent(syn(ours, JoinConstants.POINT_TO_NETWORK, "10.0.2.9"), true);
        assertEquals(PARTITIONS + PARTITIONS + 1, sent.size(), "NODE_UP, then the view begins again");
        assertEquals(2, publisher.viewsBegun());
    }

    /** Lets {@code node}'s first flow (one the join ignores) begin its view, and forgets what it sent. */
    private void beginViewOf(String node) {
        NodeEvent ignored = syn(node, JoinConstants.POINT_FROM_ENDPOINT, "10.96.0.10");
        publisher.onEvent(ignored, true);
        sent.clear();
    }

    private NodeEvent syn(String node, int point, String dst) {
        NodeEvent flow = new NodeEvent();
        flow.clear();
        flow.kind = NodeEvent.FLOW;
        flow.node = dictionary.pin(node);
        flow.verdict = JoinConstants.VERDICT_FORWARDED;
        flow.observationPoint = (short) point;
        flow.traceReason = JoinConstants.TRACE_REASON_NEW;
        flow.ipVersion = 4;
        flow.srcHi = 0;
        flow.srcLo = 0x0000_ffff_0a00_0105L; // 10.0.1.5
        flow.dstHi = 0;
        flow.dstLo = 0x0000_ffff_0000_0000L | ipv4(dst);
        flow.protocol = NodeEvent.PROTO_TCP;
        flow.tcpFlags = NodeEvent.TCP_SYN;
        flow.srcPort = 40000;
        flow.dstPort = 8080;
        return flow;
    }

    private static long ipv4(String dotted) {
        long value = 0;
        for (String part : dotted.split("\\.")) {
            value = (value << 8) | Integer.parseInt(part);
        }
        return value;
    }
}
