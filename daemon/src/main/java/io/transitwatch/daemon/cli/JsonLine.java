package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.decode.IpAddresses;
import io.transitwatch.daemon.handoff.NodeEvent;

/**
 * Thread-safe (stateless). One {@link NodeEvent} as one JSON object with named fields, the
 * {@code --format json} line of {@code transitwatch tail}; {@code schema} names the kind of line.
 */
final class JsonLine {
    private JsonLine() {}

    static void append(StringBuilder json, NodeEvent e, EventPrinter names) {
        json.append("{\"schema\":\"transitwatch.node-event/v1\"");
        field(json, "kind", EventPrinter.kindName(e.kind));
        field(json, "node", names.text(e.node));
        field(json, "time", EventPrinter.time(e.timeNanos));
        field(json, "received", EventPrinter.time(e.receivedNanos));
        switch (e.kind) {
            case NodeEvent.FLOW -> appendFlow(json, e, names);
            case NodeEvent.LOST_EVENTS -> {
                field(json, "lost_source", EventPrinter.lostSource(e));
                number(json, "lost_count", e.lostCount);
                if (e.lostCpu != NodeEvent.CPU_UNKNOWN) {
                    number(json, "lost_cpu", e.lostCpu);
                }
            }
            case NodeEvent.GAP -> {
                field(json, "gap_start", EventPrinter.time(e.gapStartNanos));
                field(json, "gap_end", EventPrinter.time(e.gapEndNanos));
            }
            case NodeEvent.NODE_DOWN -> field(json, "reason", names.text(e.reason));
            default -> { }
        }
        json.append('}');
    }

    private static void appendFlow(StringBuilder json, NodeEvent e, EventPrinter names) {
        field(json, "uuid", EventPrinter.uuid(e));
        field(json, "observation_point", EventPrinter.observationPoint(e));
        field(json, "verdict", EventPrinter.verdict(e));
        field(json, "trace_reason", EventPrinter.traceReason(e));
        json.append(",\"is_reply\":").append(e.isReply == NodeEvent.REPLY_UNKNOWN ? "null" : e.isReply == 1);
        field(json, "family", e.ipVersion == 4 ? "IPv4" : e.ipVersion == 6 ? "IPv6" : "");
        field(json, "protocol", EventPrinter.protocol(e));
        field(json, "tcp_flags", EventPrinter.tcpFlags(e.tcpFlags));
        endpoint(json, "source", e.srcHi, e.srcLo, e.srcPort, e.srcNamespace, e.srcPod, e.srcWorkload,
                e.srcIdentity, e.srcEndpointId, e, names);
        if (e.hasXlated) {
            field(json, "source_xlated", IpAddresses.format(e.xlatedHi, e.xlatedLo, e.ipVersion));
        }
        endpoint(json, "destination", e.dstHi, e.dstLo, e.dstPort, e.dstNamespace, e.dstPod, e.dstWorkload,
                e.dstIdentity, e.dstEndpointId, e, names);
        number(json, "event_type", e.eventType);
        number(json, "event_sub_type", e.eventSubType);
        field(json, "interface", names.text(e.interfaceName));
        number(json, "interface_index", e.interfaceIndex);
        if (e.dropReason != 0) {
            field(json, "drop_reason", EventPrinter.dropReason(e));
        }
    }

    private static void endpoint(StringBuilder json, String name, long hi, long lo, int port, int namespace, int pod,
            int workload, int identity, int endpointId, NodeEvent e, EventPrinter names) {
        json.append(",\"").append(name).append("\":{\"ip\":");
        string(json, IpAddresses.format(hi, lo, e.ipVersion));
        number(json, "port", port);
        field(json, "namespace", names.text(namespace));
        field(json, "pod", names.text(pod));
        field(json, "workload", names.text(workload));
        number(json, "identity", identity);
        number(json, "endpoint_id", endpointId);
        json.append('}');
    }

    private static void field(StringBuilder json, String name, String value) {
        json.append(",\"").append(name).append("\":");
        string(json, value);
    }

    private static void number(StringBuilder json, String name, long value) {
        json.append(",\"").append(name).append("\":").append(value);
    }

    private static void string(StringBuilder json, String value) {
        json.append('"');
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        json.append('"');
    }
}
