package io.transitwatch.bench.e2e;

import io.transitwatch.bench.StreamReplay;
import io.transitwatch.bench.TransitStream;
import io.transitwatch.bench.decode.FlowMessages;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Immutable after {@link #generate}; {@link #write} may be called from any thread.
 *
 * <p>The load server's workload: one lap of {@link TransitStream} (six dual-stack nodes, TCP SYN /
 * SYN-ACK and DNS departures at {@code to-network} with their {@code to-endpoint} arrivals, 1% of
 * connections lost, SYN retransmissions) serialized once, up front, as the field-masked
 * {@code GetFlowsResponse} messages a Hubble server sends ({@link FlowMessages.Shape#MASKED}).
 *
 * <p>The server sends lap after lap. So that time moves on and every lap's keys are new, four
 * things are rewritten in place in a copy of each message as it is sent, at positions found once
 * here: {@code Flow.time} and {@code GetFlowsResponse.time} (the message's due time on the load
 * server's schedule plus its node's clock skew), the client's ephemeral port (rotated per lap like
 * {@link StreamReplay} does) and the first 8 hex digits of the uuid (a new uuid per lap). For that,
 * both timestamps are encoded with fixed-width (padded) varints, 12 bytes each, which every
 * protobuf parser accepts; a message is 2-4 bytes longer than Hubble's minimal encoding. Ports
 * 32768-60999 are always 3-byte varints, so they are rewritten in place as they are.
 *
 * <p>Besides the lap, one connect message per node ({@link #writeConnect}): the node's first flow of
 * {@link TransitStream#connectEvents()}, a pod's packet at {@code from-endpoint} that the joins
 * ignore. A stream that starts from the beginning sends it first, {@link TransitStream#CONNECT_LEAD_MILLIS}
 * ms before the lap, so that every destination's stream has delivered before the first departure to
 * it (the join cannot verify a departure to a node whose stream had delivered nothing yet).
 */
public final class Workload {
    /** Node clock minus true time (DESIGN §3.3: the join must absorb ±2 s of skew). */
    private static final Map<String, Long> CLOCK_SKEW_NANOS = Map.of(
            "solcp01", 0L, "solcp02", 350_000_000L, "solcp03", -2_000_000_000L,
            "solwk01", 2_000_000_000L, "solwk02", -900_000_000L, "solwk03", 12_000_000L);
    private static final int TIMESTAMP_BYTES = 12;
    /** The last client port (Linux {@code ip_local_port_range}), as in {@link TransitStream}. */
    private static final int EPHEMERAL_LAST = 60999;
    private static final byte[] RESPONSE_TIME_TAG = {(byte) 0xCA, 0x3E, TIMESTAMP_BYTES}; // field 1001, LEN, 12

    private final TransitStream stream;
    private final String[] nodes;
    private final byte[] bytes;
    private final int[] offset;
    private final int[] length;
    private final byte[] node;
    private final int[] flowTimeAt;
    private final int[] portAt;
    private final int[] port;
    private final int[] uuidAt;
    private final int[] uuidPrefix;
    /** Per node index, its connect message. */
    private final byte[][] connect;

    private Workload(TransitStream stream, byte[] bytes, int[] offset, int[] length, byte[] node, int[] flowTimeAt,
            int[] portAt, int[] port, int[] uuidAt, int[] uuidPrefix, byte[][] connect) {
        this.stream = stream;
        this.nodes = stream.nodeNames();
        this.bytes = bytes;
        this.offset = offset;
        this.length = length;
        this.node = node;
        this.flowTimeAt = flowTimeAt;
        this.portAt = portAt;
        this.port = port;
        this.uuidAt = uuidAt;
        this.uuidPrefix = uuidPrefix;
        this.connect = connect;
    }

    /** A lap of about {@code lapEvents} messages, deterministic from {@code seed}. */
    public static Workload generate(int lapEvents, long seed) {
        TransitStream stream = TransitStream.generate(lapEvents, seed);
        NodeEvent[] events = stream.events();
        List<String> names = List.of(stream.nodeNames());
        ByteArrayOutputStream out = new ByteArrayOutputStream(events.length * 340);
        int n = events.length;
        int[] offset = new int[n];
        int[] length = new int[n];
        byte[] node = new byte[n];
        int[] flowTimeAt = new int[n];
        int[] portAt = new int[n];
        int[] port = new int[n];
        int[] uuidAt = new int[n];
        int[] uuidPrefix = new int[n];
        NodeEvent probe = new NodeEvent();
        for (int i = 0; i < n; i++) {
            NodeEvent e = events[i];
            node[i] = (byte) names.indexOf(stream.dictionary().get(e.node));
            if (!CLOCK_SKEW_NANOS.containsKey(names.get(node[i]))) {
                throw new IllegalStateException("no clock skew for node " + names.get(node[i]));
            }
            byte[] message = encode(e, stream);
            // Find the client port and the uuid by encoding once more with each changed.
            probe.copyFrom(e);
            StreamReplay.shiftClientPort(probe, 1);
            int portDiff = firstDifference(message, encode(probe, stream));
            probe.copyFrom(e);
            probe.uuidHi ^= 1L << 63;
            int uuidDiff = firstDifference(message, encode(probe, stream));
            offset[i] = out.size();
            length[i] = message.length;
            flowTimeAt[i] = findFlowTime(message);
            portAt[i] = portDiff;
            port[i] = e.isReply == 1 ? e.dstPort : e.srcPort;
            uuidAt[i] = uuidDiff;
            uuidPrefix[i] = (int) (e.uuidHi >>> 32);
            if (readVarint(message, portDiff) != port[i] || varintSize(port[i]) != 3) {
                throw new IllegalStateException("client port not found in message " + i);
            }
            out.writeBytes(message);
        }
        byte[][] connect = new byte[names.size()][];
        for (NodeEvent first : stream.connectFlows()) {
            connect[names.indexOf(stream.dictionary().get(first.node))] = encode(first, stream);
        }
        return new Workload(stream, out.toByteArray(), offset, length, node, flowTimeAt, portAt, port, uuidAt,
                uuidPrefix, connect);
    }

    /**
     * {@code GetFlowsResponse{flow{time(fixed width), rest of the masked flow}, node_name, time(fixed width)}},
     * fields in number order like any protobuf encoder writes them.
     */
    private static byte[] encode(NodeEvent e, TransitStream stream) {
        GetFlowsResponse response = FlowMessages.response(e, stream.dictionary(), FlowMessages.Shape.MASKED);
        byte[] flowRest = response.getFlow().toBuilder().clearTime().build().toByteArray();
        byte[] nodeName = response.toBuilder().clearFlow().clearTime().build().toByteArray();
        int flowLength = 2 + TIMESTAMP_BYTES + flowRest.length;
        ByteArrayOutputStream out = new ByteArrayOutputStream(flowLength + nodeName.length + 32);
        out.write(0x0A); // field 1 (flow), LEN
        writeVarint(out, flowLength);
        out.write(0x0A); // Flow field 1 (time), LEN
        out.write(TIMESTAMP_BYTES);
        out.writeBytes(timestamp(e.timeNanos));
        out.writeBytes(flowRest);
        out.writeBytes(nodeName);
        out.writeBytes(RESPONSE_TIME_TAG);
        out.writeBytes(timestamp(e.timeNanos));
        return out.toByteArray();
    }

    /** After the response's flow tag and length, and the flow's time tag and length. */
    private static int findFlowTime(byte[] message) {
        return 1 + varintSize(readVarint(message, 1)) + 2;
    }

    /**
     * Writes message {@code i} of lap {@code lap}, due at {@code dueEpochNanos} on the load server's
     * clock, into {@code target} at 0.
     *
     * @return its length
     */
    public int write(int i, long lap, long dueEpochNanos, byte[] target) {
        int len = length[i];
        System.arraycopy(bytes, offset[i], target, 0, len);
        long time = dueEpochNanos + skewNanos(node[i]);
        writeTimestamp(target, flowTimeAt[i], time);
        writeTimestamp(target, len - TIMESTAMP_BYTES, time);
        int shift = (int) ((lap * StreamReplay.PORT_SHIFT_PER_LAP) % StreamReplay.EPHEMERAL_COUNT);
        int p = port[i] + shift;
        if (p > EPHEMERAL_LAST) {
            p -= StreamReplay.EPHEMERAL_COUNT;
        }
        int at = portAt[i];
        target[at] = (byte) (p & 0x7f | 0x80);
        target[at + 1] = (byte) ((p >>> 7) & 0x7f | 0x80);
        target[at + 2] = (byte) (p >>> 14);
        writeHex(target, uuidAt[i], uuidPrefix[i] + (int) lap * 0x9E3779B9);
        return len;
    }

    /**
     * Writes the connect message of node {@code nodeIndex}, sent at {@code epochNanos} on the load
     * server's clock, into {@code target} at 0.
     *
     * @return its length
     */
    public int writeConnect(int nodeIndex, long epochNanos, byte[] target) {
        byte[] message = connect[nodeIndex];
        System.arraycopy(message, 0, target, 0, message.length);
        long time = epochNanos + skewNanos(nodeIndex);
        writeTimestamp(target, findFlowTime(message), time);
        writeTimestamp(target, message.length - TIMESTAMP_BYTES, time);
        return message.length;
    }

    /** Connect messages, one per node, sent once by a stream that starts from the beginning. */
    public int connectMessageCount() {
        return connect.length;
    }

    public int messageCount() {
        return offset.length;
    }

    public int maxMessageBytes() {
        return Math.max(Arrays.stream(length).max().orElse(0),
                Arrays.stream(connect).mapToInt(message -> message.length).max().orElse(0));
    }

    public double averageMessageBytes() {
        return (double) bytes.length / offset.length;
    }

    /** Index into {@link #nodeNames()} of the node that reports message {@code i}. */
    public int nodeOf(int i) {
        return node[i];
    }

    public String[] nodeNames() {
        return nodes.clone();
    }

    public long skewNanos(int nodeIndex) {
        return CLOCK_SKEW_NANOS.get(nodes[nodeIndex]);
    }

    /** Clock skew of a node by name (0 for a name not in the workload). */
    public static long skewNanos(String nodeName) {
        return CLOCK_SKEW_NANOS.getOrDefault(nodeName, 0L);
    }

    /** Ground truth: departures per lap whose arrival is in the lap. */
    public long matchedPerLap() {
        return stream.matchedPerLap();
    }

    /** Ground truth: departures per lap that never arrive. */
    public long lostPerLap() {
        return stream.lostPerLap();
    }

    /** The {@code topology.pod-cidrs} flag value: {@code solcp01=10.101.224.0/24,fd00:101:224:0::/64;...}. */
    public String podCidrsSetting() {
        return stream.podCidrs().entrySet().stream()
                .map(entry -> entry.getKey() + "=" + String.join(",", entry.getValue()))
                .collect(Collectors.joining(";"));
    }

    @Override
    public String toString() {
        return String.format("Workload[%,d field-masked messages per lap (%.0f B average, %d B max), "
                        + "%,d matched + %,d lost departures per lap, %d nodes]", messageCount(),
                averageMessageBytes(), maxMessageBytes(), matchedPerLap(), lostPerLap(), nodes.length);
    }

    // ---- wire-format helpers ----

    private static byte[] timestamp(long epochNanos) {
        byte[] out = new byte[TIMESTAMP_BYTES];
        writeTimestamp(out, 0, epochNanos);
        return out;
    }

    /** {@code Timestamp{seconds = 5-byte varint, nanos = 5-byte varint}} at {@code at}, 12 bytes. */
    static void writeTimestamp(byte[] target, int at, long epochNanos) {
        target[at] = 0x08;
        writeVarint5(target, at + 1, Math.floorDiv(epochNanos, 1_000_000_000L));
        target[at + 6] = 0x10;
        writeVarint5(target, at + 7, Math.floorMod(epochNanos, 1_000_000_000L));
    }

    private static void writeVarint5(byte[] target, int at, long value) {
        target[at] = (byte) (value & 0x7f | 0x80);
        target[at + 1] = (byte) ((value >>> 7) & 0x7f | 0x80);
        target[at + 2] = (byte) ((value >>> 14) & 0x7f | 0x80);
        target[at + 3] = (byte) ((value >>> 21) & 0x7f | 0x80);
        target[at + 4] = (byte) ((value >>> 28) & 0x7f);
    }

    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private static void writeHex(byte[] target, int at, int value) {
        for (int i = 0; i < 8; i++) {
            target[at + i] = HEX[(value >>> (28 - 4 * i)) & 0xf];
        }
    }

    private static void writeVarint(ByteArrayOutputStream out, int value) {
        while ((value & ~0x7f) != 0) {
            out.write(value & 0x7f | 0x80);
            value >>>= 7;
        }
        out.write(value);
    }

    private static int varintSize(long value) {
        int size = 1;
        while ((value & ~0x7fL) != 0) {
            value >>>= 7;
            size++;
        }
        return size;
    }

    private static long readVarint(byte[] b, int at) {
        long value = 0;
        for (int shift = 0; ; shift += 7) {
            byte x = b[at++];
            value |= (long) (x & 0x7f) << shift;
            if (x >= 0) {
                return value;
            }
        }
    }

    private static int firstDifference(byte[] a, byte[] b) {
        if (a.length != b.length) {
            throw new IllegalStateException("re-encoding changed the message length");
        }
        int i = Arrays.mismatch(a, b);
        if (i < 0) {
            throw new IllegalStateException("re-encoding changed nothing");
        }
        return i;
    }
}
