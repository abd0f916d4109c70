package io.transitwatch.daemon.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinEngine;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.Topology;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.function.LongUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PartitionJoinTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long S = 1_000_000_000L;
    private static final long TIMEOUT = 2 * S;

    private final StringDictionary collectorNames = new StringDictionary(256);
    private final EventRecordWriter writer = new EventRecordWriter(collectorNames);
    private final byte[] buffer = new byte[EventRecordFormat.MAX_RECORD];
    private final StringDictionary names = new StringDictionary(256);
    private final JoinCounters counters = new JoinCounters(64, 256);
    private final PartitionJoin join;
    private final long[] sequence = new long[2];

    PartitionJoinTest() {
        JoinConfig config = JoinConfig.defaults().withCapacities(1024, 1024, 256)
                .withNodeAndPairCapacity(64, 256, Duration.ofMinutes(10));
        Topology topology = new Topology(Map.of("a", List.of(IpPrefix.parse("10.0.1.0/24")),
                "b", List.of(IpPrefix.parse("10.0.2.0/24"))), names::pin, 1000, Duration.ofMinutes(10));
        join = new PartitionJoin(new JoinEngine(config, topology, io.transitwatch.daemon.join.VerdictListener.NONE,
                counters), new EventRecordReader(names), TIMEOUT);
    }

    @Test
    void shouldDeclareLostWhenBothCollectorsHeartbeatPastTheWindow() {
        start();
        departure(T0 + S);
        bothCollectorsHeartbeat(T0 + S, T0 + 10 * S);
        assertEquals(1, counters.get(JoinCounters.Global.LOST));
        assertEquals(0, counters.get(JoinCounters.Global.UNVERIFIED));
    }

    @Test
    void shouldNotDecideBeyondTheSlowestCollectorsHeartbeat() {
        start();
        departure(T0 + S);
        // alive, but its watermark stays before the window's end, up to the timeout behind the other's
        for (long t = T0 + S; t <= T0 + S + TIMEOUT; t += S / 4) {
            heartbeat(0, t, t);
            heartbeat(1, T0 + S, t);
            join.advance(t);
        }
        assertEquals(T0 + S, join.frontier());
        assertEquals(0, join.collectorsGone());
        assertEquals(0, counters.get(JoinCounters.Global.LOST));
        assertEquals(0, counters.get(JoinCounters.Global.UNVERIFIED));
    }

    @Test
    void shouldTurnTheWindowsOfAGoneCollectorsNodesUnverifiedNeverLost() {
        start();
        departure(T0 + S);
        heartbeat(1, T0 + S, T0 + S); // the collector of b, the destination, then goes silent
        for (long t = T0 + S; t <= T0 + 20 * S; t += S / 4) {
            heartbeat(0, t, t);
            join.advance(t);
        }
        assertEquals(1, join.collectorsGone());
        assertEquals("shard 1 (collector-1), 2.3 s behind", join.lastGoneCollector());
        assertEquals(0, counters.get(JoinCounters.Global.LOST));
        assertEquals(1, counters.get(JoinCounters.Global.UNVERIFIED));
    }

    /**
     * The broker is down from 2 s to 10 s. When it is back, collector 0's producer delivers what it
     * held first: its heartbeats up to 10 s stand in the partition before anything collector 1 held,
     * and b's collector looks 8 s silent. Its heartbeats from 3.25 s on said their records were
     * undelivered since 2 s, so that silence is the outage's: nobody is gone, and the departure to b
     * is LOST once collector 1's backlog (with no arrival) is read. Without that, collector 1 would be
     * gone and the departure UNVERIFIED.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void shouldNotCountACollectorGoneWhenABrokerOutageHeldItsRecordsLongerThanAnothers(boolean saysUndelivered) {
        start();
        departure(T0 + S);
        bothCollectorsHeartbeat(T0 + S, T0 + 2 * S);
        long delivered = T0 + 2 * S;
        for (int shard = 0; shard < 2; shard++) { // each producer's backlog in turn, then its first heartbeats after it
            for (long t = T0 + 2 * S + S / 4; t <= T0 + 11 * S; t += S / 4) {
                boolean held = saysUndelivered && t <= T0 + 10 * S && t - delivered > EventPublisher.UNDELIVERED_AFTER_NANOS;
                heartbeat(shard, t, t, held ? delivered : 0);
                join.advance(t);
            }
        }
        bothCollectorsHeartbeat(T0 + 11 * S, T0 + 20 * S);

        assertEquals(saysUndelivered ? 0 : 1, join.collectorsGone());
        assertEquals(saysUndelivered ? 1 : 0, counters.get(JoinCounters.Global.LOST));
        assertEquals(saysUndelivered ? 0 : 1, counters.get(JoinCounters.Global.UNVERIFIED));
    }

    /**
     * b's collector fell silent at 1 s, for good. A broker outage later holds collector 0's records
     * from 5 s to 9 s, or from 1.5 s to 6 s. The first began when b's collector was already past the
     * timeout (2 s here): it is gone as soon as its silence reaches the timeout, at 3 s. The second
     * began within it, so the outage could explain that silence: it is gone the timeout after the
     * outage ended, at 8 s. Late, never a LOST: the departure to b is UNVERIFIED either way.
     */
    @ParameterizedTest
    @CsvSource({"5, 9, 3", "1.5, 6, 8"})
    void shouldStillCountACollectorGoneThatFellSilentBeforeABrokerOutage(double outageFrom, double outageTo,
            double goneAt) {
        long from = T0 + (long) (outageFrom * S);
        long to = T0 + (long) (outageTo * S);
        long goneSeen = whenBsCollectorIsGoneWithHeldSince(
                t -> t > from + EventPublisher.UNDELIVERED_AFTER_NANOS && t <= to ? from : 0);
        assertEquals(T0 + (long) (goneAt * S) + S / 4, goneSeen, "the first heartbeat past the timeout");
        assertEquals(1, join.collectorsGone());
        assertEquals(0, counters.get(JoinCounters.Global.LOST));
        assertEquals(1, counters.get(JoinCounters.Global.UNVERIFIED));
    }

    /**
     * The broker acknowledges collector 0's records 1.25 s late, for good: every heartbeat of it says
     * they are held since 1.25 s before its watermark. b's collector stops at 1 s. Only the heartbeats
     * held since no later than the timeout after 1 s excuse it (up to 4.25 s), so it is gone at 6.5 s,
     * not waited for as long as the broker stays slow.
     */
    @Test
    void shouldCountACollectorGoneWhileTheBrokerIsSlowForGood() {
        assertEquals(T0 + 6 * S + S / 2, whenBsCollectorIsGoneWithHeldSince(t -> t - S - S / 4));
        assertEquals(0, counters.get(JoinCounters.Global.LOST));
        assertEquals(1, counters.get(JoinCounters.Global.UNVERIFIED));
    }

    /**
     * As above, outage from 5 s to 9 s, read as a correlator reads a backlog: everything up to 10 s,
     * then one advance. The outage is in what was read, but it began when b's collector was already
     * past the timeout, so it explains nothing: b's collector is gone at that advance.
     */
    @Test
    void shouldNotLetABrokerOutageExcuseASilenceAlreadyPastTheTimeout() {
        start();
        departure(T0 + S);
        bothCollectorsHeartbeat(T0 + S, T0 + S);
        for (long t = T0 + S + S / 4; t <= T0 + 10 * S; t += S / 4) {
            boolean held = t > T0 + 6 * S && t <= T0 + 9 * S;
            heartbeat(0, t, t, held ? T0 + 5 * S : 0);
        }
        join.advance(T0 + 10 * S);
        assertEquals(1, join.collectorsGone());
    }

    /**
     * The collector of b, the destination, is killed and started again (same shard): the new process's
     * heartbeats start again at sequence 1, with a watermark far past the departure, before its stream
     * of b has re-read anything. Read as the old collector's heartbeat, that watermark would promise b's
     * arrival had been written and the departure would be LOST; b is down from its last watermark
     * instead, so the departure is UNVERIFIED. Once b's new stream is up and delivering, a departure
     * lost after it is LOST again.
     */
    @Test
    void shouldNotLetARestartedCollectorsFirstHeartbeatPassItsNodesUnreadEvents() {
        start();
        departure(T0 + S);
        heartbeat(0, T0 + S, T0 + S);
        heartbeat(1, T0 + S, T0 + S);
        join.advance(T0 + S);
        sequence[1] = 0; // a new process of shard 1
        bothCollectorsHeartbeat(T0 + 2 * S, T0 + 19 * S);
        assertEquals(0, counters.get(JoinCounters.Global.LOST));
        assertEquals(1, counters.get(JoinCounters.Global.UNVERIFIED));
        assertEquals(1, join.collectorRestarts());
        assertEquals(0, join.collectorsGone(), "back within the timeout");

        join.onRecord(record(event("b", NodeEvent.NODE_UP, T0 + 19 * S), 1), T0 + 19 * S);
        join.onRecord(record(event("b", NodeEvent.FLOW, T0 + 19 * S), 1), T0 + 19 * S);
        departure(T0 + 20 * S);
        bothCollectorsHeartbeat(T0 + 20 * S, T0 + 40 * S);
        assertEquals(1, counters.get(JoinCounters.Global.LOST));
        assertEquals(1, counters.get(JoinCounters.Global.UNVERIFIED));
    }

    /**
     * The collector of a, the source, is killed after its departure was matched, and its new process
     * re-reads a's ring from before the kill ({@code since}): the same departure reaches the partition
     * a second time, long after b's arrival matched it. Fed again it would be LOST; it is skipped as a
     * duplicate, being no newer than the old process's last flow of a here.
     */
    @Test
    void shouldSkipARestartedCollectorsFlowsItsPreviousProcessHadWritten() {
        start();
        departure(T0 + S);
        join.onRecord(record(arrivalOfTheDeparture(), 1), T0 + S);
        bothCollectorsHeartbeat(T0 + S, T0 + 10 * S);
        assertEquals(1, counters.get(JoinCounters.Global.MATCHED));

        sequence[0] = 0; // a new process of shard 0, whose stream of a starts 2 s before the kill
        heartbeat(0, T0 + 11 * S, T0 + 11 * S);
        join.onRecord(record(event("a", NodeEvent.NODE_UP, T0 + 11 * S), 0), T0 + 11 * S);
        departure(T0 + S);
        bothCollectorsHeartbeat(T0 + 11 * S, T0 + 30 * S);
        assertEquals(0, counters.get(JoinCounters.Global.LOST));
        assertEquals(1, counters.get(JoinCounters.Global.MATCHED));
        assertEquals(1, join.duplicatesSkipped());
    }

    /**
     * The old process of a's collector wrote departures on ports 40001 and 40003, half a second apart,
     * and was killed with the one on 40002 between them still in its producer. The new process
     * re-reads all three: the two written are skipped, flow by flow, and the one never written is
     * fed and judged, LOST like the single process says, although it is older than the old
     * process's last flow here (within Hubble's reordering margin). No span around the restart is
     * left UNVERIFIED.
     */
    @Test
    void shouldJudgeARestartedCollectorsFlowThatItsPreviousProcessNeverWrote() {
        start();
        departure(T0 + S, 40001);
        departure(T0 + S + S / 2, 40003);
        heartbeat(0, T0 + S + S / 2, T0 + S + S / 2);
        heartbeat(1, T0 + S + S / 2, T0 + S + S / 2);
        join.advance(T0 + S + S / 2);

        sequence[0] = 0; // a new process of shard 0, resuming a's stream from before the kill
        heartbeat(0, T0 + 2 * S, T0 + 2 * S);
        join.onRecord(record(event("a", NodeEvent.NODE_UP, T0 + 2 * S), 0), T0 + 2 * S);
        departure(T0 + S, 40001);
        departure(T0 + S + S / 4, 40002);
        departure(T0 + S + S / 2, 40003);
        bothCollectorsHeartbeat(T0 + 2 * S, T0 + 20 * S);
        assertEquals(2, join.duplicatesSkipped());
        assertEquals(3, counters.get(JoinCounters.Global.LOST), "each departure once, none UNVERIFIED");
        assertEquals(0, counters.get(JoinCounters.Global.UNVERIFIED));
    }

    /**
     * Both collectors are killed and restarted together (a rollout): a's new process starts first,
     * then b's, before either re-read arrives. Each re-read is dropped against its own old process's
     * prints, so the departure matched before the kill is neither fed again nor LOST.
     */
    @Test
    void shouldSkipTheReReadsOfTwoCollectorsRestartedTogether() {
        start();
        departure(T0 + S);
        join.onRecord(record(arrivalOfTheDeparture(), 1), T0 + S);
        bothCollectorsHeartbeat(T0 + S, T0 + 10 * S);
        assertEquals(1, counters.get(JoinCounters.Global.MATCHED));

        sequence[0] = 0;
        sequence[1] = 0;
        heartbeat(0, T0 + 11 * S, T0 + 11 * S);
        heartbeat(1, T0 + 11 * S, T0 + 11 * S);
        join.onRecord(record(event("a", NodeEvent.NODE_UP, T0 + 11 * S), 0), T0 + 11 * S);
        join.onRecord(record(event("b", NodeEvent.NODE_UP, T0 + 11 * S), 1), T0 + 11 * S);
        departure(T0 + S);
        join.onRecord(record(arrivalOfTheDeparture(), 1), T0 + 11 * S);
        bothCollectorsHeartbeat(T0 + 11 * S, T0 + 30 * S);
        assertEquals(2, join.duplicatesSkipped());
        assertEquals(0, counters.get(JoinCounters.Global.LOST));
        assertEquals(1, counters.get(JoinCounters.Global.MATCHED));
    }

    /**
     * A destination whose only flow hashes into another partition: in the single process its view
     * begins at that flow, so a departure to it a moment later, never answered, is LOST. The
     * collector's view-begins record gives the departure's partition the same beginning; without it
     * that partition would see b's stream up but silent until the catch-up limit, and say
     * UNVERIFIED(NO_OBSERVER).
     */
    @Test
    void shouldDeclareLostToADestinationWhoseOnlyFlowIsInAnotherPartition() {
        JoinConfig config = JoinConfig.defaults().withCapacities(1024, 1024, 256)
                .withNodeAndPairCapacity(64, 256, Duration.ofMinutes(10));
        StringDictionary correlatorNames = new StringDictionary(256);
        JoinCounters[] partitionCounters = new JoinCounters[2];
        PartitionJoin[] joins = new PartitionJoin[2];
        for (int p = 0; p < 2; p++) {
            partitionCounters[p] = new JoinCounters(64, 256);
            Topology topology = new Topology(Map.of("a", List.of(IpPrefix.parse("10.0.1.0/24")),
                    "b", List.of(IpPrefix.parse("10.0.2.0/24"))), correlatorNames::pin, 1000, Duration.ofMinutes(10));
            joins[p] = new PartitionJoin(new JoinEngine(config, topology,
                    io.transitwatch.daemon.join.VerdictListener.NONE, partitionCounters[p]),
                    new EventRecordReader(correlatorNames), Long.MAX_VALUE);
        }
        long[] now = {T0 - S};
        int[] keyedTo = {-1};
        EventPublisher collector = new EventPublisher(collectorNames, new ShardAssignment(1, 0),
                new EventKeys(config, List.of(IpPrefix.parse("10.0.1.0/24"), IpPrefix.parse("10.0.2.0/24"))),
                (partition, key, value) -> {
                    int to = partition >= 0 ? partition : KafkaPartitions.of(key, 2);
                    if (partition < 0) {
                        keyedTo[0] = to;
                    }
                    joins[to].onRecord(value, now[0]);
                }, 2, "collector-0");
        Runnable heartbeat = () -> {
            collector.heartbeat(now[0]);
            joins[0].advance(now[0]);
            joins[1].advance(now[0]);
        };
        heartbeat.run(); // the partitions' time runs before the streams come up, as in a live correlator

        now[0] = T0;
        collector.onEvent(event("a", NodeEvent.NODE_UP, T0), true);
        collector.onEvent(event("b", NodeEvent.NODE_UP, T0), true);
        NodeEvent first = flow("b", T0 + S / 10, 0x0000_ffff_0a00_0207L, 0x0000_ffff_0a00_0105L, 8080);
        int departurePort = 40000;
        collector.onEvent(first, true);
        int bPartition = keyedTo[0];
        while (partitionOf(config, flow("a", 0, 0x0000_ffff_0a00_0105L, 0x0000_ffff_0a00_0207L, departurePort))
                == bPartition) {
            departurePort++;
        }
        now[0] = T0 + S;
        collector.onEvent(flow("a", T0 + S, 0x0000_ffff_0a00_0105L, 0x0000_ffff_0a00_0207L, departurePort), true);
        int departurePartition = keyedTo[0];
        for (long t = T0 + S; t <= T0 + 20 * S; t += S / 4) {
            now[0] = t;
            heartbeat.run();
        }

        assertEquals(1 - bPartition, departurePartition, "b's flow and a's departure are in different partitions");
        assertEquals(1, partitionCounters[departurePartition].get(JoinCounters.Global.LOST));
        assertEquals(0, partitionCounters[departurePartition].get(JoinCounters.Global.UNVERIFIED));
        // the view-begins records were read as flows without addresses, never as departures
        assertEquals(1, partitionCounters[departurePartition].get(JoinCounters.Global.DEPARTURES));
        assertEquals(2, partitionCounters[departurePartition].get(JoinCounters.Global.IGNORED_NO_IP));
        // b's own departure to a, before a's view began (a's first flow), is UNVERIFIED there as in one process
        assertEquals(0, partitionCounters[bPartition].get(JoinCounters.Global.LOST));
        assertEquals(1, partitionCounters[bPartition].get(JoinCounters.Global.UNVERIFIED));
        assertEquals(2, collector.viewsBegun(), "a's and b's first flows");
    }

    /**
     * A partition taken over at its committed offset with nothing to replay (its records all older
     * than the replay's reach: a group catching up on a backlog): no NODE_UP, no view-begins, the
     * heartbeats mid-sequence. The nodes' flows show their streams up, and what follows is decided.
     */
    @Test
    void shouldDecideAPartitionTakenOverMidStreamWithoutItsNodesStatus() {
        sequence[0] = 5000;
        sequence[1] = 7000;
        for (long t = T0; t < T0 + 2 * S; t += S / 4) {
            join.onRecord(record(flow("a", t, 0x0000_ffff_0a00_0109L, 0x0000_ffff_0a00_0309L, 30000 + (int) ((t - T0) / 1000000)), 0), t);
            join.onRecord(record(flow("b", t, 0x0000_ffff_0a00_0209L, 0x0000_ffff_0a00_0309L, 31000 + (int) ((t - T0) / 1000000)), 1), t);
            heartbeat(0, t, t);
            heartbeat(1, t, t);
            join.advance(t);
        }
        departure(T0 + 2 * S);
        for (long t = T0 + 2 * S; t <= T0 + 12 * S; t += S / 4) {
            join.onRecord(record(flow("b", t, 0x0000_ffff_0a00_0209L, 0x0000_ffff_0a00_0309L, 32000 + (int) ((t - T0) / 1000000)), 1), t);
            heartbeat(0, t, t);
            heartbeat(1, t, t);
            join.advance(t);
        }
        assertEquals(1, counters.get(JoinCounters.Global.LOST), "the departure to b, decided");
    }

    private static int partitionOf(JoinConfig config, NodeEvent flow) {
        EventKeys keys = new EventKeys(config, List.of(IpPrefix.parse("10.0.1.0/24"), IpPrefix.parse("10.0.2.0/24")));
        keys.route(flow);
        return KafkaPartitions.of(keys.tupleKey(), 2);
    }

    /** A SYN leaving {@code node} (IPv4-mapped addresses) from {@code port} to port 8080. */
    private NodeEvent flow(String node, long at, long srcLo, long dstLo, int port) {
        NodeEvent flow = event(node, NodeEvent.FLOW, at);
        flow.verdict = JoinConstants.VERDICT_FORWARDED;
        flow.observationPoint = JoinConstants.POINT_TO_NETWORK;
        flow.traceReason = JoinConstants.TRACE_REASON_NEW;
        flow.ipVersion = 4;
        flow.srcLo = srcLo;
        flow.dstLo = dstLo;
        flow.protocol = NodeEvent.PROTO_TCP;
        flow.tcpFlags = NodeEvent.TCP_SYN;
        flow.srcPort = port;
        flow.dstPort = 8080;
        return flow;
    }

    /** Streams of a (shard 0) and b (shard 1) up at T0, each with a first event. */
    private void start() {
        for (String node : List.of("a", "b")) {
            NodeEvent up = event(node, NodeEvent.NODE_UP, T0);
            join.onRecord(record(up, node.equals("a") ? 0 : 1), T0);
        }
        heartbeat(0, T0, T0);
        heartbeat(1, T0, T0);
        join.advance(T0);
    }

    /**
     * A departure to b at 1 s, when b's collector writes its last heartbeat; collector 0 then
     * heart-beats every 250 ms up to 20 s, each heartbeat held since {@code heldSince} of its
     * watermark (0: not held), the join advancing after each.
     *
     * @return the watermark of the heartbeat after which b's collector was first gone, 0 never
     */
    private long whenBsCollectorIsGoneWithHeldSince(LongUnaryOperator heldSince) {
        start();
        departure(T0 + S);
        bothCollectorsHeartbeat(T0 + S, T0 + S);
        long goneSeen = 0;
        for (long t = T0 + S + S / 4; t <= T0 + 20 * S; t += S / 4) {
            heartbeat(0, t, t, heldSince.applyAsLong(t));
            join.advance(t);
            if (goneSeen == 0 && join.collectorsGone() == 1) {
                goneSeen = t;
            }
        }
        return goneSeen;
    }

    /** Both collectors heart-beat every 250 ms from {@code from} to {@code to}, the join advancing after each. */
    private void bothCollectorsHeartbeat(long from, long to) {
        for (long t = from; t <= to; t += S / 4) {
            heartbeat(0, t, t);
            heartbeat(1, t, t);
            join.advance(t);
        }
    }

    private void departure(long at) {
        departure(at, 40000);
    }

    /** b's TO_ENDPOINT of {@link #departure(long)} at {@code T0 + S}, 1 ms after it. */
    private NodeEvent arrivalOfTheDeparture() {
        NodeEvent arrival = event("b", NodeEvent.FLOW, T0 + S + 1_000_000);
        arrival.verdict = JoinConstants.VERDICT_FORWARDED;
        arrival.observationPoint = JoinConstants.POINT_TO_ENDPOINT;
        arrival.traceReason = JoinConstants.TRACE_REASON_NEW;
        arrival.ipVersion = 4;
        arrival.srcLo = 0x0000_ffff_0a00_0105L;
        arrival.dstLo = 0x0000_ffff_0a00_0207L;
        arrival.protocol = NodeEvent.PROTO_TCP;
        arrival.tcpFlags = NodeEvent.TCP_SYN;
        arrival.srcPort = 40000;
        arrival.dstPort = 8080;
        return arrival;
    }

    private void departure(long at, int sourcePort) {
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
        join.onRecord(record(flow, 0), at);
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

    private byte[] record(NodeEvent event, int shard) {
        return Arrays.copyOf(buffer, writer.writeEvent(event, shard, buffer));
    }

    private void heartbeat(int shard, long watermark, long now) {
        heartbeat(shard, watermark, now, 0);
    }

    private void heartbeat(int shard, long watermark, long now, long undeliveredSince) {
        join.onRecord(Arrays.copyOf(buffer, writer.writeHeartbeat(shard, 2, watermark, undeliveredSince,
                ++sequence[shard], ("collector-" + shard).getBytes(StandardCharsets.UTF_8), buffer)), now);
    }
}
