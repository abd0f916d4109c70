package io.transitwatch.daemon.sim.traffic;

import com.google.protobuf.BoolValue;
import io.transitwatch.daemon.sim.ClusterTopology;
import io.transitwatch.daemon.sim.ExternalPeer;
import io.transitwatch.daemon.sim.L4Protocol;
import io.transitwatch.daemon.sim.Pod;
import io.transitwatch.daemon.sim.SimNode;
import io.transitwatch.daemon.sim.hubble.Timestamps;
import io.transitwatch.proto.flow.CiliumEventType;
import io.transitwatch.proto.flow.DropReason;
import io.transitwatch.proto.flow.Endpoint;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.FlowType;
import io.transitwatch.proto.flow.IP;
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
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Single-threaded: owned by the traffic thread (its caches are plain maps). Builds {@code flow.Flow}
 * messages the way Cilium 1.18's Hubble parser fills them for the trace and drop events of
 * BPF-host-routed, native-routing traffic (hubble-api.md §1.2-§1.4, §4.3, §4.4). Endpoint messages
 * are immutable and shared between flows.
 */
final class FlowFactory {
    /** Monitor message types ({@code CiliumEventType.type}). */
    static final int MESSAGE_TYPE_DROP = 1;
    static final int MESSAGE_TYPE_TRACE = 4;
    /** Datapath trace points ({@code CiliumEventType.sub_type}): TO_ENDPOINT is 0 there, not 101. */
    static final int DATAPATH_TO_LXC = 0;
    static final int DATAPATH_TO_NETWORK = 11;
    static final int DATAPATH_TO_OVERLAY = 4;

    private static final CiliumEventType TO_NETWORK_EVENT =
            CiliumEventType.newBuilder().setType(MESSAGE_TYPE_TRACE).setSubType(DATAPATH_TO_NETWORK).build();
    private static final CiliumEventType TO_OVERLAY_EVENT =
            CiliumEventType.newBuilder().setType(MESSAGE_TYPE_TRACE).setSubType(DATAPATH_TO_OVERLAY).build();
    private static final SimNode.NetworkInterfaceName VXLAN = new SimNode.NetworkInterfaceName("cilium_vxlan", 4);
    private static final CiliumEventType TO_ENDPOINT_EVENT =
            CiliumEventType.newBuilder().setType(MESSAGE_TYPE_TRACE).setSubType(DATAPATH_TO_LXC).build();
    private static final CiliumEventType POLICY_DENIED_EVENT = CiliumEventType.newBuilder()
            .setType(MESSAGE_TYPE_DROP).setSubType(DropReason.POLICY_DENIED_VALUE).build();
    private static final BoolValue IS_REPLY = BoolValue.of(true);
    private static final BoolValue IS_NOT_REPLY = BoolValue.of(false);

    // Pods are the topology's singletons: identity maps spare hashing their (large) records per event.
    private final Map<Pod, Endpoint> localPods = new IdentityHashMap<>();
    private final Map<Pod, Endpoint> remotePods = new IdentityHashMap<>();
    private final Map<String, Endpoint> externalsByIp = new HashMap<>();
    private final Map<Integer, TCPFlags> tcpFlags = new HashMap<>();
    private final Map<String, NetworkInterface> interfaces = new HashMap<>();
    private final boolean tunnel;

    /** @param tunnel departures leave through the VXLAN device ({@code to-overlay}) instead of the uplink */
    FlowFactory(boolean tunnel) {
        this.tunnel = tunnel;
    }

    /** The sending node's {@code to-network} event: BPF host routing, emitted by bpf_lxc (hubble-api.md §2.3a). */
    Flow departure(SimNode observer, PacketView packet, TraceReason reason, long localNanos, String uuid) {
        boolean reply = reason == TraceReason.REPLY;
        boolean snat = packet.xlatedSourceIp() != null;
        TrafficDirection direction = snat || !reply ? TrafficDirection.EGRESS : TrafficDirection.INGRESS;
        return common(observer, packet, localNanos, uuid)
                .setVerdict(Verdict.FORWARDED)
                .setEventType(tunnel ? TO_OVERLAY_EVENT : TO_NETWORK_EVENT)
                .setTraceObservationPoint(tunnel ? TraceObservationPoint.TO_OVERLAY : TraceObservationPoint.TO_NETWORK)
                .setTraceReason(reason)
                .setIsReply(reply ? IS_REPLY : IS_NOT_REPLY)
                .setTrafficDirection(direction)
                .setInterface(iface(tunnel ? VXLAN : observer.uplink()))
                .build();
    }

    /** The receiving node's {@code to-endpoint} event (bpf_lxc ingress policy, after the CT lookup). */
    Flow arrival(SimNode observer, PacketView packet, TraceReason reason, long localNanos, String uuid) {
        boolean reply = reason == TraceReason.REPLY;
        // The trace's own endpoint is the destination, so a reply delivered to a pod reads EGRESS (§4.4).
        TrafficDirection direction = reply ? TrafficDirection.EGRESS : TrafficDirection.INGRESS;
        return common(observer, packet, localNanos, uuid)
                .setVerdict(Verdict.FORWARDED)
                .setEventType(TO_ENDPOINT_EVENT)
                .setTraceObservationPoint(TraceObservationPoint.TO_ENDPOINT)
                .setTraceReason(reason)
                .setIsReply(reply ? IS_REPLY : IS_NOT_REPLY)
                .setTrafficDirection(direction)
                .setInterface(iface(packet.destination().pod().lxc()))
                .build();
    }

    /**
     * A packet denied by ingress policy at the destination: one DROPPED event per packet, not
     * aggregated. Hubble still fills the deprecated numeric {@code drop_reason}.
     */
    @SuppressWarnings("deprecation")
    Flow policyDrop(SimNode observer, PacketView packet, long localNanos, String uuid) {
        return common(observer, packet, localNanos, uuid)
                .setVerdict(Verdict.DROPPED)
                .setEventType(POLICY_DENIED_EVENT)
                .setDropReason(DropReason.POLICY_DENIED_VALUE)
                .setDropReasonDesc(DropReason.POLICY_DENIED)
                .setTrafficDirection(TrafficDirection.INGRESS)
                .setInterface(iface(packet.destination().pod().lxc()))
                .build();
    }

    @SuppressWarnings("deprecation") // Summary is deprecated, and Hubble 1.18 still sends it
    private Flow.Builder common(SimNode observer, PacketView packet, long localNanos, String uuid) {
        IP.Builder ip = IP.newBuilder()
                .setSource(packet.sourceIp())
                .setDestination(packet.destinationIp())
                .setIpVersion(packet.family().ipVersion());
        if (packet.xlatedSourceIp() != null) {
            ip.setSourceXlated(packet.xlatedSourceIp());
        }
        return Flow.newBuilder()
                .setTime(Timestamps.of(localNanos))
                .setUuid(uuid)
                .setIP(ip)
                .setL4(layer4(packet))
                .setSource(endpoint(packet.source(), observer))
                .setDestination(endpoint(packet.destination(), observer))
                .setType(FlowType.L3_L4)
                .setNodeName(observer.name())
                .setSummary(summary(packet));
    }

    private Layer4 layer4(PacketView packet) {
        if (packet.protocol() == L4Protocol.UDP) {
            return Layer4.newBuilder().setUDP(UDP.newBuilder()
                    .setSourcePort(packet.sourcePort()).setDestinationPort(packet.destinationPort())).build();
        }
        return Layer4.newBuilder().setTCP(TCP.newBuilder()
                .setSourcePort(packet.sourcePort())
                .setDestinationPort(packet.destinationPort())
                .setFlags(tcpFlags.computeIfAbsent(packet.tcpFlags(), FlowFactory::toTcpFlags))).build();
    }

    private static TCPFlags toTcpFlags(int flags) {
        return TCPFlags.newBuilder()
                .setFIN((flags & ConntrackReporter.FIN) != 0)
                .setSYN((flags & ConntrackReporter.SYN) != 0)
                .setRST((flags & ConntrackReporter.RST) != 0)
                .setPSH((flags & ConntrackReporter.PSH) != 0)
                .setACK((flags & ConntrackReporter.ACK) != 0)
                .build();
    }

    /** Hubble's summary: flag names in the parser's order (SYN, ACK, RST, FIN, PSH). */
    private static String summary(PacketView packet) {
        if (packet.protocol() == L4Protocol.UDP) {
            return "UDP";
        }
        int flags = packet.tcpFlags();
        StringBuilder text = new StringBuilder("TCP Flags: ");
        appendFlag(text, flags, ConntrackReporter.SYN, "SYN");
        appendFlag(text, flags, ConntrackReporter.ACK, "ACK");
        appendFlag(text, flags, ConntrackReporter.RST, "RST");
        appendFlag(text, flags, ConntrackReporter.FIN, "FIN");
        appendFlag(text, flags, ConntrackReporter.PSH, "PSH");
        return text.toString();
    }

    private static void appendFlag(StringBuilder text, int flags, int bit, String name) {
        if ((flags & bit) != 0) {
            text.append(text.charAt(text.length() - 2) == ':' ? "" : ", ").append(name);
        }
    }

    /** {@code Endpoint.ID} is set only for endpoints local to the observing node. */
    private Endpoint endpoint(Peer peer, SimNode observer) {
        if (!peer.isPod()) {
            return externalsByIp.computeIfAbsent(peer.external().ip(), ip -> external(peer.external()));
        }
        Pod pod = peer.pod();
        boolean local = pod.node().name().equals(observer.name());
        return (local ? localPods : remotePods).computeIfAbsent(pod, p -> podEndpoint(p, local));
    }

    private static Endpoint podEndpoint(Pod pod, boolean local) {
        Endpoint.Builder endpoint = Endpoint.newBuilder()
                .setIdentity(pod.identity())
                .setClusterName(ClusterTopology.CLUSTER_NAME)
                .setNamespace(pod.namespace())
                .addAllLabels(pod.labels())
                .setPodName(pod.name())
                .addWorkloads(Workload.newBuilder().setName(pod.workload()).setKind(pod.workloadKind()));
        if (local) {
            endpoint.setID(pod.endpointId());
        }
        return endpoint.build();
    }

    private static Endpoint external(ExternalPeer peer) {
        return Endpoint.newBuilder().setIdentity(peer.identity()).addAllLabels(peer.labels()).build();
    }

    private NetworkInterface iface(SimNode.NetworkInterfaceName name) {
        return interfaces.computeIfAbsent(name.name(),
                n -> NetworkInterface.newBuilder().setName(name.name()).setIndex(name.index()).build());
    }
}
