package io.transitwatch.daemon.replay;

import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.observer.ExportEvent;
import io.transitwatch.proto.observer.GetFlowsResponse;

/**
 * Single-threaded: one per capture, used by the replay thread.
 *
 * <p>One line of a Hubble capture, as proto3 JSON (hubble-api.md §7), to the protobuf bytes of a
 * {@code GetFlowsResponse}: exactly what a live stream hands to
 * {@link io.transitwatch.daemon.decode.FlowDecoder}, so captures and live streams share one decoding
 * path. It reads the three shapes captures come in:
 *
 * <ul>
 *   <li>{@code hubble observe -o jsonpb} (and {@code -o json}, its alias): a {@code GetFlowsResponse}
 *       per line, {@code {"flow":{…},"node_name":…,"time":…}}, or {@code lost_events} /
 *       {@code node_status} in place of {@code flow};
 *   <li>the exporter's file ({@code /var/run/cilium/hubble/events.log}): an {@code ExportEvent} per
 *       line, the same shape plus {@code agent_event} and {@code debug_event}, which say nothing about
 *       packets and are skipped;
 *   <li>the legacy bare {@code Flow} per line ({@code HUBBLE_COMPAT=legacy-json-output}), wrapped into
 *       a response with the flow's own node name and time.
 * </ul>
 *
 * <p>Each line is parsed as an {@code ExportEvent}: it is {@code GetFlowsResponse} with two more
 * response types and the same field numbers, so its bytes are a valid {@code GetFlowsResponse}
 * whenever it carries a flow, lost events or a node status, and parsing as
 * {@code GetFlowsResponse} would mistake an agent event (an unknown field there) for a legacy flow.
 * Unknown fields are ignored (newer Cilium versions add some; hubble-api.md Appendix A).
 */
final class CaptureLineParser {
    private static final JsonFormat.Parser JSON = JsonFormat.parser().ignoringUnknownFields();
    private static final int MAX_REASON_CHARS = 200;

    /** What became of one line. */
    sealed interface Result permits Response, Skipped, Malformed {}

    /** A response to decode: the bytes of a {@code GetFlowsResponse}. */
    record Response(byte[] bytes) implements Result {}

    /** A valid line that carries nothing for the join; {@code what} names it. */
    record Skipped(String what) implements Result {}

    /** Not a Hubble event; {@code reason} says why. */
    record Malformed(String reason) implements Result {}

    Result parse(String line) {
        ExportEvent.Builder event = ExportEvent.newBuilder();
        try {
            JSON.merge(line, event);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return new Malformed(reason(e));
        }
        return switch (event.getResponseTypesCase()) {
            case FLOW, NODE_STATUS, LOST_EVENTS -> new Response(event.build().toByteArray());
            case AGENT_EVENT -> new Skipped("agent_event");
            case DEBUG_EVENT -> new Skipped("debug_event");
            case RESPONSETYPES_NOT_SET -> legacyFlow(line);
        };
    }

    private static Result legacyFlow(String line) {
        Flow.Builder flow = Flow.newBuilder();
        try {
            JSON.merge(line, flow);
        } catch (InvalidProtocolBufferException | RuntimeException e) {
            return new Malformed("neither a Hubble response nor a bare Flow: " + reason(e));
        }
        boolean looksLikeFlow = flow.hasTime() && (flow.getVerdictValue() != 0 || flow.hasIP() || flow.hasL4()
                || flow.hasEventType() || !flow.getNodeName().isEmpty());
        if (!looksLikeFlow) {
            return new Malformed("no flow, lost_events or node_status, and not a bare Flow (it needs a time and a "
                    + "verdict, IP, l4, event_type or node_name)");
        }
        GetFlowsResponse wrapped = GetFlowsResponse.newBuilder()
                .setFlow(flow).setNodeName(flow.getNodeName()).setTime(flow.getTime()).build();
        return new Response(wrapped.toByteArray());
    }

    private static String reason(Exception e) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        String oneLine = message.replace('\n', ' ').replace('\r', ' ');
        return oneLine.length() <= MAX_REASON_CHARS ? oneLine : oneLine.substring(0, MAX_REASON_CHARS) + "…";
    }
}
