package io.transitwatch.bench.decode;

import com.google.protobuf.BoolValue;
import com.google.protobuf.Timestamp;
import io.transitwatch.daemon.decode.IpAddresses;
import io.transitwatch.daemon.decode.Uuids;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.proto.flow.CiliumEventType;
import io.transitwatch.proto.flow.Emitter;
import io.transitwatch.proto.flow.Endpoint;
import io.transitwatch.proto.flow.Ethernet;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.FlowType;
import io.transitwatch.proto.flow.IP;
import io.transitwatch.proto.flow.IPVersion;
import io.transitwatch.proto.flow.Layer4;
import io.transitwatch.proto.flow.NetworkInterface;
import io.transitwatch.proto.flow.TCP;
import io.transitwatch.proto.flow.TCPFlags;
import io.transitwatch.proto.flow.TraceObservationPoint;
import io.transitwatch.proto.flow.TraceReason;
import io.transitwatch.proto.flow.TrafficDirection;
import io.transitwatch.proto.flow.UDP;
import io.transitwatch.proto.flow.Verdict;
import io.transitwatch.proto.flow.Workload;
import io.transitwatch.proto.observer.GetFlowsResponse;
import java.util.List;

/**
 * Stateless. Turns a hand-off slot back into the {@code observer.GetFlowsResponse} a Hubble server
 * would have sent for it, with the generated message classes, in one of two shapes. Setup-time
 * only: it allocates freely.
 */
public final class FlowMessages {
    /** What the server puts into each flow. */
    public enum Shape {
        /**
         * Only the fields of the daemon's field mask (ingest {@code FlowsRequests.FIELD_MASK}):
         * time, uuid, node name, verdict, Type, IP, l4, source/destination ID, identity, namespace,
         * pod name and workloads, event type, observation point, trace reason, is_reply, interface,
         * drop reason.
         */
        MASKED,
        /**
         * Everything a Cilium 1.19 agent fills for such a trace flow when no mask is given: the
         * above plus Ethernet addresses, seven k8s labels and the cluster name per endpoint, the
         * node's labels, traffic direction, the emitter and the Summary text.
         */
        FULL
    }

    private FlowMessages() {}

    /** The serialized response for {@code event}, whose names are ids in {@code dictionary}. */
    public static byte[] encode(NodeEvent event, StringDictionary dictionary, Shape shape) {
        return response(event, dictionary, shape).toByteArray();
    }

    @SuppressWarnings("deprecation") // Summary is deprecated in flow.proto, yet agents still send it unmasked
    public static GetFlowsResponse response(NodeEvent e, StringDictionary dictionary, Shape shape) {
        boolean full = shape == Shape.FULL;
        String node = dictionary.get(e.node);
        Timestamp time = timestamp(e.timeNanos);
        Flow.Builder flow = Flow.newBuilder()
                .setTime(time)
                .setUuid(Uuids.format(e.uuidHi, e.uuidLo))
                .setVerdict(Verdict.forNumber(e.verdict))
                .setIP(IP.newBuilder()
                        .setSource(IpAddresses.format(e.srcHi, e.srcLo, e.ipVersion))
                        .setDestination(IpAddresses.format(e.dstHi, e.dstLo, e.ipVersion))
                        .setIpVersion(e.ipVersion == 6 ? IPVersion.IPv6 : IPVersion.IPv4))
                .setL4(layer4(e))
                .setSource(endpoint(dictionary, e.srcEndpointId, e.srcIdentity, e.srcNamespace, e.srcPod,
                        e.srcWorkload, full))
                .setDestination(endpoint(dictionary, e.dstEndpointId, e.dstIdentity, e.dstNamespace, e.dstPod,
                        e.dstWorkload, full))
                .setType(FlowType.L3_L4)
                .setNodeName(node)
                .setEventType(CiliumEventType.newBuilder().setType(e.eventType).setSubType(e.eventSubType))
                .setTraceObservationPoint(TraceObservationPoint.forNumber(e.observationPoint))
                .setTraceReason(TraceReason.forNumber(e.traceReason))
                .setIsReply(BoolValue.of(e.isReply == 1));
        if (e.interfaceName != 0) {
            flow.setInterface(NetworkInterface.newBuilder().setIndex(e.interfaceIndex)
                    .setName(dictionary.get(e.interfaceName)));
        }
        if (full) {
            boolean departure = e.observationPoint == JoinConstants.POINT_TO_NETWORK;
            flow.setEthernet(Ethernet.newBuilder().setSource(mac(e.srcLo)).setDestination(mac(e.dstLo)))
                    .setTrafficDirection(departure == (e.isReply == 0) ? TrafficDirection.EGRESS : TrafficDirection.INGRESS)
                    .addAllNodeLabels(List.of("beta.kubernetes.io/arch=amd64", "beta.kubernetes.io/os=linux",
                            "kubernetes.io/arch=amd64", "kubernetes.io/hostname=" + node, "kubernetes.io/os=linux",
                            node.startsWith("solcp") ? "node-role.kubernetes.io/control-plane=" : "node.kubernetes.io/worker="))
                    .setEmitter(Emitter.newBuilder().setName("Hubble").setVersion("1.19.0"))
                    .setSummary(summary(e));
        }
        return GetFlowsResponse.newBuilder().setFlow(flow).setNodeName(node).setTime(time).build();
    }

    private static Layer4 layer4(NodeEvent e) {
        if (e.protocol == NodeEvent.PROTO_UDP) {
            return Layer4.newBuilder().setUDP(UDP.newBuilder().setSourcePort(e.srcPort).setDestinationPort(e.dstPort))
                    .build();
        }
        return Layer4.newBuilder().setTCP(TCP.newBuilder().setSourcePort(e.srcPort).setDestinationPort(e.dstPort)
                .setFlags(TCPFlags.newBuilder()
                        .setSYN((e.tcpFlags & NodeEvent.TCP_SYN) != 0)
                        .setACK((e.tcpFlags & NodeEvent.TCP_ACK) != 0)
                        .setFIN((e.tcpFlags & NodeEvent.TCP_FIN) != 0)
                        .setRST((e.tcpFlags & NodeEvent.TCP_RST) != 0)))
                .build();
    }

    private static Endpoint endpoint(StringDictionary dictionary, int id, int identity, int namespace, int pod,
            int workload, boolean full) {
        Endpoint.Builder endpoint = Endpoint.newBuilder().setID(id).setIdentity(identity);
        String ns = dictionary.get(namespace);
        String app = dictionary.get(workload);
        if (namespace != 0) {
            endpoint.setNamespace(ns);
        }
        if (pod != 0) {
            endpoint.setPodName(dictionary.get(pod));
        }
        if (workload != 0) {
            endpoint.addWorkloads(Workload.newBuilder().setName(app).setKind("Deployment"));
        }
        if (full) {
            endpoint.setClusterName("default").addAllLabels(List.of(
                    "k8s:app.kubernetes.io/name=" + app,
                    "k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=" + ns,
                    "k8s:io.cilium.k8s.policy.cluster=default",
                    "k8s:io.cilium.k8s.policy.serviceaccount=" + app,
                    "k8s:io.kubernetes.pod.namespace=" + ns,
                    "k8s:app.kubernetes.io/part-of=" + ns,
                    "k8s:pod-template-hash=6ccfd78764"));
        }
        return endpoint.build();
    }

    private static String summary(NodeEvent e) {
        if (e.protocol == NodeEvent.PROTO_UDP) {
            return "UDP";
        }
        return (e.tcpFlags & NodeEvent.TCP_ACK) != 0 ? "TCP Flags: SYN, ACK" : "TCP Flags: SYN";
    }

    private static String mac(long seed) {
        long m = (seed * 0x9E3779B97F4A7C15L) & 0xfeffffffffffL;
        char[] text = new char[17];
        for (int i = 0; i < 6; i++) {
            int octet = (int) (m >>> (8 * (5 - i))) & 0xff;
            text[3 * i] = Character.forDigit(octet >>> 4, 16);
            text[3 * i + 1] = Character.forDigit(octet & 15, 16);
            if (i < 5) {
                text[3 * i + 2] = ':';
            }
        }
        return new String(text);
    }

    private static Timestamp timestamp(long epochNanos) {
        return Timestamp.newBuilder().setSeconds(Math.floorDiv(epochNanos, 1_000_000_000L))
                .setNanos((int) Math.floorMod(epochNanos, 1_000_000_000L)).build();
    }
}
