package io.transitwatch.bench.decode;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.bench.TransitStream;
import io.transitwatch.bench.baseline.ProtoFlowConverter;
import io.transitwatch.daemon.decode.FlowDecoder;
import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The decode benchmarks feed the join what it would get from the wire: every slot of the stream,
 * serialized by {@link FlowMessages} in either shape and read back by the daemon's
 * {@link FlowDecoder} or by the protobuf baseline, comes back with every field the join reads intact.
 */
class FlowMessagesRoundTripTest {
    private static final TransitStream STREAM = TransitStream.generate(20_000, 7);

    @ParameterizedTest
    @EnumSource(FlowMessages.Shape.class)
    void bothDecodersRestoreEverySlot(FlowMessages.Shape shape) {
        EncodedStream encoded = EncodedStream.encode(STREAM, shape);
        FlowDecoder decoder = new FlowDecoder(encoded.dictionary());
        ProtoFlowConverter baseline = new ProtoFlowConverter(encoded.dictionary());
        NodeEvent decoded = new NodeEvent();
        NodeEvent converted = new NodeEvent();
        DecodeReplay viaDecoder = new DecodeReplay(encoded);
        DecodeReplay viaBaseline = new DecodeReplay(encoded);
        NodeEvent[] events = STREAM.events();
        int[] index = {0};
        for (NodeEvent original : events) {
            viaDecoder.deliver((b, o, l, e) -> assertEquals(FlowDecoder.FLOW, decoder.decode(b, o, l, e)), decoded,
                    (e, end) -> { }, 1);
            viaBaseline.deliver(baseline::decode, converted, (e, end) -> { }, 1);
            assertEquals(describe(original), describe(decoded), "FlowDecoder, message " + index[0]);
            assertEquals(describe(original), describe(converted), "protobuf baseline, message " + index[0]);
            index[0]++;
        }
        if (shape == FlowMessages.Shape.FULL) {
            assertTrue(encoded.averageMessageBytes() > 2 * EncodedStream.encode(STREAM, FlowMessages.Shape.MASKED)
                    .averageMessageBytes(), "an unmasked flow is much larger than a masked one");
        }
    }

    /** Every field the join, the topology and the alerts read, as one comparable string. */
    private static String describe(NodeEvent e) {
        return List.of(e.kind, e.node, e.timeNanos, e.receivedNanos, e.verdict, e.flowType, e.observationPoint,
                e.traceReason, e.isReply, e.ipVersion, e.srcHi, e.srcLo, e.dstHi, e.dstLo, e.hasXlated, e.protocol,
                e.srcPort, e.dstPort, e.tcpFlags, e.srcEndpointId, e.dstEndpointId, e.srcIdentity, e.dstIdentity,
                e.srcNamespace, e.srcPod, e.srcWorkload, e.dstNamespace, e.dstPod, e.dstWorkload, e.eventType,
                e.eventSubType, e.interfaceIndex, e.interfaceName, e.dropReason, e.uuidHi, e.uuidLo).toString();
    }
}
