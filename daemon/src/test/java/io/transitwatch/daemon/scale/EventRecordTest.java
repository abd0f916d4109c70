package io.transitwatch.daemon.scale;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class EventRecordTest {
    private final StringDictionary collectorNames = new StringDictionary(1024);
    private final StringDictionary correlatorNames = new StringDictionary(1024);
    private final EventRecordWriter writer = new EventRecordWriter(collectorNames);
    private final EventRecordReader reader = new EventRecordReader(correlatorNames);
    private final byte[] buffer = new byte[EventRecordFormat.MAX_RECORD];

    @Test
    void shouldCarryEveryFieldTheJoinReadsOfAFlow() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        for (int round = 0; round < 200; round++) {
            NodeEvent flow = randomFlow(random);
            int length = writer.writeEvent(flow, 3, buffer);
            NodeEvent read = new NodeEvent();
            assertEquals(EventRecordReader.EVENT, reader.read(buffer, 0, length, read));
            assertSameFields(flow, read);
            assertEquals(3, reader.eventShard());
        }
    }

    @Test
    void shouldCarryStreamHealthEvents() throws Exception {
        for (byte kind : new byte[] {NodeEvent.LOST_EVENTS, NodeEvent.NODE_UP, NodeEvent.NODE_DOWN, NodeEvent.GAP}) {
            NodeEvent event = new NodeEvent();
            event.clear();
            event.kind = kind;
            event.node = collectorNames.pin("solwk02");
            event.timeNanos = 1_700_000_000_123_456_789L;
            event.receivedNanos = 1_700_000_000_223_456_789L;
            event.lostSource = 1;
            event.lostCount = 200;
            event.lostCpu = 3;
            event.lostFirstNanos = 11;
            event.lostLastNanos = 12;
            event.gapStartNanos = 21;
            event.gapEndNanos = 22;
            event.reason = collectorNames.intern("UNAVAILABLE: connection refused");
            event.backfilled = kind == NodeEvent.NODE_UP;
            event.resumedFromNanos = kind == NodeEvent.NODE_UP ? 1_700_000_000_000_000_031L : 0;
            event.upAnnounced = kind == NodeEvent.NODE_DOWN;
            int length = writer.writeEvent(event, 0, buffer);
            assertTrue(length < EventRecordFormat.FLOW_END, "a status record is shorter than a flow");
            NodeEvent read = new NodeEvent();
            assertEquals(EventRecordReader.EVENT, reader.read(buffer, 0, length, read));
            assertSameFields(event, read);
        }
    }

    @Test
    void shouldRefuseKindsThatStayInTheProcess() {
        NodeEvent event = new NodeEvent();
        event.clear();
        event.kind = NodeEvent.NODE_ADDRESSES;
        assertThrows(IllegalArgumentException.class, () -> writer.writeEvent(event, 0, buffer));
    }

    @Test
    void shouldReadAHeartbeat() {
        int length = writer.writeHeartbeat(1, 2, 42_000_000_000L, 39_500_000_000L, 17, "collector-1".getBytes(), buffer);
        assertEquals(EventRecordReader.HEARTBEAT, reader.read(buffer, 0, length, new NodeEvent()));
        assertEquals(1, reader.heartbeatShard());
        assertEquals(2, reader.heartbeatShards());
        assertEquals(42_000_000_000L, reader.heartbeatWatermarkNanos());
        assertEquals(39_500_000_000L, reader.heartbeatUndeliveredSinceNanos());
        assertEquals(17, reader.heartbeatSequence());
        assertEquals("collector-1", correlatorNames.get(reader.heartbeatMember()));
    }

    /** A collector of an earlier release (during a rolling upgrade) writes heartbeats without the undelivered-since field. */
    @Test
    void shouldReadAHeartbeatWrittenBeforeTheUndeliveredSinceField() {
        reader.read(buffer, 0, writer.writeHeartbeat(0, 2, 1L, 7L, 1, new byte[0], buffer), new NodeEvent());
        int length = writer.writeHeartbeat(1, 2, 42_000_000_000L, 0, 17, "collector-1".getBytes(), buffer);
        int shorter = EventRecordFormat.HEARTBEAT_END - EventRecordFormat.HEARTBEAT_MIN_END;
        byte[] old = new byte[length - shorter];
        System.arraycopy(buffer, 0, old, 0, EventRecordFormat.HEARTBEAT_MIN_END);
        System.arraycopy(buffer, EventRecordFormat.HEARTBEAT_END, old, EventRecordFormat.HEARTBEAT_MIN_END,
                length - EventRecordFormat.HEARTBEAT_END);
        old[2] = 0;
        old[3] = (byte) (EventRecordFormat.HEARTBEAT_MIN_END - 4);

        assertEquals(EventRecordReader.HEARTBEAT, reader.read(old, 0, old.length, new NodeEvent()));
        assertEquals(42_000_000_000L, reader.heartbeatWatermarkNanos());
        assertEquals(0, reader.heartbeatUndeliveredSinceNanos(), "not the previous heartbeat's");
        assertEquals(17, reader.heartbeatSequence());
        assertEquals("collector-1", correlatorNames.get(reader.heartbeatMember()));
    }

    @Test
    void shouldCountAndSkipWhatItCannotRead() {
        NodeEvent flow = randomFlow(new SplittableRandom(1));
        int length = writer.writeEvent(flow, 0, buffer);
        NodeEvent slot = new NodeEvent();
        slot.clear();
        slot.node = 99;

        for (int cut = 0; cut < length; cut++) {
            assertEquals(EventRecordReader.MALFORMED, reader.read(buffer, 0, cut, slot), "cut at " + cut);
        }
        assertEquals(length, reader.malformed(EventRecordReader.Malformed.TRUNCATED));
        assertEquals(99, slot.node, "a record cut short leaves the slot as it was");

        byte[] other = buffer.clone();
        other[0] = 2;
        assertEquals(EventRecordReader.MALFORMED, reader.read(other, 0, length, slot));
        assertEquals(1, reader.malformed(EventRecordReader.Malformed.UNKNOWN_VERSION));
        other = buffer.clone();
        other[1] = 9;
        assertEquals(EventRecordReader.MALFORMED, reader.read(other, 0, length, slot));
        assertEquals(1, reader.malformed(EventRecordReader.Malformed.UNKNOWN_TYPE));
        other = buffer.clone();
        other[EventRecordFormat.OFF_KIND] = NodeEvent.DISCOVERY;
        assertEquals(EventRecordReader.MALFORMED, reader.read(other, 0, length, slot));
        assertEquals(1, reader.malformed(EventRecordReader.Malformed.BAD_KIND));
        other = buffer.clone();
        other[EventRecordFormat.OFF_IP_VERSION] = 5;
        assertEquals(EventRecordReader.MALFORMED, reader.read(other, 0, length, slot));
        assertEquals(1, reader.malformed(EventRecordReader.Malformed.BAD_VALUE));
        assertEquals(EventRecordReader.MALFORMED, reader.read(null, 0, 0, slot));
        assertEquals(length + 5, reader.malformedTotal());
    }

    @Test
    void shouldReadARecordOfTheSameVersionWithFieldsAddedAtTheEnd() throws Exception {
        NodeEvent flow = randomFlow(new SplittableRandom(2));
        int length = writer.writeEvent(flow, 5, buffer);
        // A later writer of version 1: 8 more fixed bytes after the known ones, one more string after the known ones.
        byte[] newer = new byte[length + 8 + 4];
        System.arraycopy(buffer, 0, newer, 0, EventRecordFormat.FLOW_END);
        System.arraycopy(buffer, EventRecordFormat.FLOW_END, newer, EventRecordFormat.FLOW_END + 8,
                length - EventRecordFormat.FLOW_END);
        EventRecordFormat.putU16(newer, 2, EventRecordFormat.FLOW_END + 8 - EventRecordFormat.HEADER);
        newer[length + 8] = 3;
        newer[length + 9] = 'n';
        newer[length + 10] = 'e';
        newer[length + 11] = 'w';
        NodeEvent read = new NodeEvent();
        assertEquals(EventRecordReader.EVENT, reader.read(newer, 0, newer.length, read));
        assertSameFields(flow, read);
    }

    @Test
    void shouldCutLongNamesAtACharacterBoundary() {
        NodeEvent flow = randomFlow(new SplittableRandom(3));
        flow.srcPod = collectorNames.intern("é".repeat(200)); // 400 bytes of two-byte characters
        int length = writer.writeEvent(flow, 0, buffer);
        NodeEvent read = new NodeEvent();
        assertEquals(EventRecordReader.EVENT, reader.read(buffer, 0, length, read));
        assertEquals("é".repeat(127), correlatorNames.get(read.srcPod));
        assertEquals(1, writer.truncatedStrings());
    }

    @Test
    void shouldReadFromAnOffsetInsideALargerBuffer() throws Exception {
        NodeEvent flow = randomFlow(new SplittableRandom(4));
        int length = writer.writeEvent(flow, 1, buffer);
        byte[] padded = new byte[length + 20];
        System.arraycopy(buffer, 0, padded, 13, length);
        NodeEvent read = new NodeEvent();
        assertEquals(EventRecordReader.EVENT, reader.read(padded, 13, length, read));
        assertSameFields(flow, read);
    }

    private NodeEvent randomFlow(SplittableRandom random) {
        NodeEvent flow = new NodeEvent();
        flow.clear();
        flow.kind = NodeEvent.FLOW;
        flow.node = collectorNames.pin("node-" + random.nextInt(6));
        flow.timeNanos = random.nextLong();
        flow.receivedNanos = random.nextLong();
        flow.verdict = (byte) random.nextInt(1, 12);
        flow.flowType = (byte) random.nextInt(4);
        flow.observationPoint = (short) random.nextInt(0, 102);
        flow.traceReason = (byte) random.nextInt(8);
        flow.isReply = (byte) random.nextInt(-1, 2);
        flow.ipVersion = random.nextBoolean() ? (byte) 4 : (byte) 6;
        flow.srcHi = random.nextLong();
        flow.srcLo = random.nextLong();
        flow.dstHi = random.nextLong();
        flow.dstLo = random.nextLong();
        flow.hasXlated = random.nextBoolean();
        flow.xlatedHi = flow.hasXlated ? random.nextLong() : 0;
        flow.xlatedLo = flow.hasXlated ? random.nextLong() : 0;
        flow.protocol = new byte[] {NodeEvent.PROTO_TCP, NodeEvent.PROTO_UDP, NodeEvent.PROTO_ICMPV6,
                NodeEvent.PROTO_SCTP}[random.nextInt(4)];
        flow.srcPort = random.nextInt(65536);
        flow.dstPort = random.nextInt(65536);
        flow.tcpFlags = (short) random.nextInt(512);
        flow.icmpType = random.nextInt(256);
        flow.icmpCode = random.nextInt(256);
        flow.srcEndpointId = random.nextInt();
        flow.dstEndpointId = random.nextInt();
        flow.srcIdentity = random.nextInt();
        flow.dstIdentity = random.nextInt();
        flow.srcReservedLabels = (byte) random.nextInt(16);
        flow.dstReservedLabels = (byte) random.nextInt(16);
        flow.srcNamespace = collectorNames.intern("ns-" + random.nextInt(3));
        flow.srcPod = collectorNames.intern("pod-" + random.nextInt(100));
        flow.srcWorkload = random.nextBoolean() ? 0 : collectorNames.intern("workload-" + random.nextInt(10));
        flow.dstNamespace = collectorNames.intern("ns-" + random.nextInt(3));
        flow.dstPod = collectorNames.intern("pod-" + random.nextInt(100));
        flow.dstWorkload = collectorNames.intern("workload-" + random.nextInt(10));
        flow.eventType = random.nextInt();
        flow.eventSubType = random.nextInt();
        flow.interfaceIndex = random.nextInt();
        flow.interfaceName = collectorNames.intern("eth" + random.nextInt(3));
        flow.dropReason = random.nextInt();
        flow.uuidHi = random.nextLong();
        flow.uuidLo = random.nextLong();
        return flow;
    }

    /**
     * Every public field of the slot, strings compared by text (each side has its own dictionary), so
     * a field added to NodeEvent and forgotten here fails; the object-valued ones stay in the process.
     */
    private void assertSameFields(NodeEvent written, NodeEvent read) throws IllegalAccessException {
        for (Field field : NodeEvent.class.getDeclaredFields()) {
            if (Modifier.isStatic(field.getModifiers()) || !Modifier.isPublic(field.getModifiers())
                    || field.getName().equals("nodeAddresses") || field.getName().equals("discovery")) {
                continue;
            }
            Object expected = field.get(written);
            Object actual = field.get(read);
            if (isString(field.getName())) {
                expected = collectorNames.get((Integer) expected);
                actual = correlatorNames.get((Integer) actual);
            }
            assertEquals(expected, actual, field.getName());
        }
    }

    private static boolean isString(String field) {
        return Arrays.asList("node", "srcNamespace", "srcPod", "srcWorkload", "dstNamespace", "dstPod", "dstWorkload",
                "interfaceName", "reason").contains(field);
    }
}
