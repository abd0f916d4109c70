package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.decode.IpAddresses;
import io.transitwatch.daemon.decode.Uuids;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.NodeEventHandler;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.proto.flow.DropReason;
import io.transitwatch.proto.flow.LostEventSource;
import io.transitwatch.proto.flow.TraceObservationPoint;
import io.transitwatch.proto.flow.TraceReason;
import io.transitwatch.proto.flow.Verdict;
import java.io.PrintStream;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.Instant;

/**
 * Single thread: the hand-off ring's consumer thread, which owns the reused line buffer.
 *
 * <p>Prints each {@link NodeEvent} as one line, as text for people or as one JSON object per line
 * for tools:
 * <pre>
 * 2026-11-21T15:24:00.123456789Z solwk03 FLOW TO_NETWORK FORWARDED TCP [SYN] fd00:101:224:5::10:47972 -> fd00:101:224:4::20:9090 NEW flux-system/kustomize-controller-57bbd7c-fdtpk -> flux-system/source-controller-6ccfd78764-rzfnk
 * 2026-11-21T15:24:01.000000000Z solwk02 NODE_DOWN solwk02 (10.0.0.2:4244): TLS handshake failed: ...
 * </pre>
 * Not on the daemon's hot path: formatting allocates (enum names, timestamps) and that is fine here.
 */
public final class EventPrinter implements NodeEventHandler {
    public enum Format { TEXT, JSON }

    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSSSSS'Z'").withZone(ZoneOffset.UTC);
    private static final String[] TCP_FLAG_NAMES = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR", "NS"};

    private final PrintStream out;
    private final StringDictionary dictionary;
    private final Format format;
    private final StringBuilder line = new StringBuilder(256);
    private long printed;

    public EventPrinter(PrintStream out, StringDictionary dictionary, Format format) {
        this.out = out;
        this.dictionary = dictionary;
        this.format = format;
    }

    public long printed() {
        return printed;
    }

    @Override
    public void onEvent(NodeEvent event, boolean endOfBatch) {
        line.setLength(0);
        if (format == Format.JSON) {
            JsonLine.append(line, event, this);
        } else {
            appendText(event);
        }
        out.println(line);
        printed++;
        if (endOfBatch) {
            out.flush();
        }
    }

    private void appendText(NodeEvent e) {
        line.append(time(e.timeNanos)).append(' ').append(text(e.node)).append(' ').append(kindName(e.kind));
        switch (e.kind) {
            case NodeEvent.FLOW -> {
                line.append(' ').append(observationPoint(e)).append(' ').append(verdict(e)).append(' ')
                        .append(protocol(e));
                if (e.protocol == NodeEvent.PROTO_TCP) {
                    line.append(" [").append(tcpFlags(e.tcpFlags)).append(']');
                }
                line.append(' ').append(source(e)).append(" -> ").append(destination(e));
                if (e.traceReason != 0) {
                    line.append(' ').append(traceReason(e));
                }
                line.append(' ').append(endpoint(e.srcNamespace, e.srcPod)).append(" -> ")
                        .append(endpoint(e.dstNamespace, e.dstPod));
                if (e.dropReason != 0) {
                    line.append(" drop=").append(dropReason(e));
                }
            }
            case NodeEvent.LOST_EVENTS -> line.append(' ').append(e.lostCount).append(" lost at ").append(lostSource(e));
            case NodeEvent.GAP -> line.append(' ').append(time(e.gapStartNanos)).append(" .. ").append(time(e.gapEndNanos));
            case NodeEvent.NODE_DOWN -> line.append(' ').append(text(e.reason));
            default -> { }
        }
    }

    static String kindName(byte kind) {
        return switch (kind) {
            case NodeEvent.FLOW -> "FLOW";
            case NodeEvent.LOST_EVENTS -> "LOST_EVENTS";
            case NodeEvent.NODE_UP -> "NODE_UP";
            case NodeEvent.NODE_DOWN -> "NODE_DOWN";
            case NodeEvent.GAP -> "GAP";
            default -> "KIND_" + kind;
        };
    }

    String text(int id) {
        String text = dictionary.get(id);
        return text == null ? "?" : text;
    }

    static String time(long epochNanos) {
        return TIME.format(Instant.ofEpochSecond(Math.floorDiv(epochNanos, 1_000_000_000L),
                Math.floorMod(epochNanos, 1_000_000_000L)));
    }

    static String observationPoint(NodeEvent e) {
        TraceObservationPoint point = TraceObservationPoint.forNumber(e.observationPoint);
        return point == null ? "POINT_" + e.observationPoint : point.name();
    }

    static String verdict(NodeEvent e) {
        Verdict verdict = Verdict.forNumber(e.verdict);
        return verdict == null ? "VERDICT_" + e.verdict : verdict.name();
    }

    static String traceReason(NodeEvent e) {
        TraceReason reason = TraceReason.forNumber(e.traceReason);
        return reason == null ? "REASON_" + e.traceReason : reason.name();
    }

    static String dropReason(NodeEvent e) {
        DropReason reason = DropReason.forNumber(e.dropReason);
        return reason == null ? String.valueOf(e.dropReason) : reason.name();
    }

    static String lostSource(NodeEvent e) {
        if (e.lostSource == NodeEvent.LOST_SOURCE_EVENTS_RATE_LIMIT) {
            return "BPF_EVENTS_RATE_LIMIT";
        }
        LostEventSource source = LostEventSource.forNumber(e.lostSource);
        return source == null ? String.valueOf(e.lostSource) : source.name();
    }

    static String protocol(NodeEvent e) {
        return switch (e.protocol) {
            case NodeEvent.PROTO_TCP -> "TCP";
            case NodeEvent.PROTO_UDP -> "UDP";
            case NodeEvent.PROTO_SCTP -> "SCTP";
            case NodeEvent.PROTO_ICMPV4 -> "ICMPv4 " + e.icmpType + "/" + e.icmpCode;
            case NodeEvent.PROTO_ICMPV6 -> "ICMPv6 " + e.icmpType + "/" + e.icmpCode;
            default -> "L4?";
        };
    }

    static String tcpFlags(short flags) {
        StringBuilder names = new StringBuilder();
        for (int i = 0; i < TCP_FLAG_NAMES.length; i++) {
            if ((flags & (1 << i)) != 0) {
                names.append(names.length() == 0 ? "" : ",").append(TCP_FLAG_NAMES[i]);
            }
        }
        return names.toString();
    }

    static String address(long hi, long lo, int ipVersion) {
        return IpAddresses.format(hi, lo, ipVersion);
    }

    static String source(NodeEvent e) {
        String source = hostPort(address(e.srcHi, e.srcLo, e.ipVersion), e.srcPort, e.ipVersion);
        return e.hasXlated
                ? source + " (on wire " + hostPort(address(e.xlatedHi, e.xlatedLo, e.ipVersion), e.srcPort, e.ipVersion) + ")"
                : source;
    }

    static String destination(NodeEvent e) {
        return hostPort(address(e.dstHi, e.dstLo, e.ipVersion), e.dstPort, e.ipVersion);
    }

    /** {@code 10.0.0.1:80} and {@code [fd00::1]:80}: brackets keep an IPv6 address apart from its port. */
    private static String hostPort(String address, int port, int ipVersion) {
        return ipVersion == 6 ? "[" + address + "]:" + port : address + ":" + port;
    }

    String endpoint(int namespace, int pod) {
        return namespace == 0 && pod == 0 ? "-" : text(namespace) + "/" + text(pod);
    }

    static String uuid(NodeEvent e) {
        return e.uuidHi == 0 && e.uuidLo == 0 ? "" : Uuids.format(e.uuidHi, e.uuidLo);
    }
}
