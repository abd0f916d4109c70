package io.transitwatch.daemon.testsupport;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Timestamp;
import io.transitwatch.proto.flow.CiliumEventType;
import io.transitwatch.proto.flow.Endpoint;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.FlowType;
import io.transitwatch.proto.flow.IP;
import io.transitwatch.proto.flow.IPVersion;
import io.transitwatch.proto.flow.Layer4;
import io.transitwatch.proto.flow.LostEvent;
import io.transitwatch.proto.flow.LostEventSource;
import io.transitwatch.proto.flow.NetworkInterface;
import io.transitwatch.proto.flow.TCP;
import io.transitwatch.proto.flow.TCPFlags;
import io.transitwatch.proto.flow.TraceObservationPoint;
import io.transitwatch.proto.flow.TraceReason;
import io.transitwatch.proto.flow.Verdict;
import io.transitwatch.proto.flow.Workload;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.util.UUID;

/** Builds the Hubble messages tests feed to decoders and fake servers. */
public final class TestFlows {
    private TestFlows() {}

    public static Timestamp timestamp(long epochNanos) {
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(epochNanos, 1_000_000_000L))
                .setNanos((int) Math.floorMod(epochNanos, 1_000_000_000L)).build();
    }

    /** A cross-node SYN as the source node reports it ({@code to-network}, NEW), with a fresh uuid. */
    public static Flow.Builder syn(String node, long epochNanos, int sourcePort) {
        return Flow.newBuilder()
                .setTime(timestamp(epochNanos))
                .setUuid(UUID.randomUUID().toString())
                .setVerdict(Verdict.FORWARDED)
                .setIP(IP.newBuilder().setSource("fd00:101:224:5::10").setDestination("fd00:101:224:4::20")
                        .setIpVersion(IPVersion.IPv6))
                .setL4(Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(sourcePort).setDestinationPort(9090)
                        .setFlags(TCPFlags.newBuilder().setSYN(true))))
                .setSource(Endpoint.newBuilder().setID(1234).setIdentity(44187).setNamespace("flux-system")
                        .setPodName("kustomize-controller-57bbd7c-fdtpk")
                        .addWorkloads(Workload.newBuilder().setName("kustomize-controller").setKind("Deployment")))
                .setDestination(Endpoint.newBuilder().setIdentity(41034).setNamespace("flux-system")
                        .setPodName("source-controller-6ccfd78764-rzfnk"))
                .setType(FlowType.L3_L4)
                .setNodeName(node)
                .setEventType(CiliumEventType.newBuilder().setType(4).setSubType(11))
                .setTraceObservationPoint(TraceObservationPoint.TO_NETWORK)
                .setTraceReason(TraceReason.NEW)
                .setIsReply(BoolValue.of(false))
                .setInterface(NetworkInterface.newBuilder().setIndex(2).setName("ens18"));
    }

    public static GetFlowsResponse response(Flow flow) {
        return GetFlowsResponse.newBuilder().setFlow(flow).setNodeName(flow.getNodeName()).setTime(flow.getTime())
                .build();
    }

    public static GetFlowsResponse lost(String node, long epochNanos, long count) {
        return GetFlowsResponse.newBuilder()
                .setLostEvents(LostEvent.newBuilder().setSource(LostEventSource.HUBBLE_RING_BUFFER)
                        .setNumEventsLost(count))
                .setNodeName(node).setTime(timestamp(epochNanos)).build();
    }
}
