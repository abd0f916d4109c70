package io.transitwatch.daemon.sim.hubble;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.grpc.Status;
import io.grpc.StatusException;
import io.transitwatch.proto.flow.EventTypeFilter;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.flow.FlowFilter;
import io.transitwatch.proto.flow.Layer4;
import io.transitwatch.proto.flow.TCPFlags;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;

/**
 * Immutable, thread-safe. Hubble's flow filter semantics (hubble-api.md §1.5, §6) for the fields the
 * simulator supports: within one {@code FlowFilter} the set fields are ANDed and the values of one
 * field ORed; a whitelist passes a flow any of whose filters matches (an empty whitelist passes all);
 * a blacklist drops a flow any of whose filters matches. A filter that uses an unsupported field is
 * rejected up front rather than silently ignored.
 */
final class FlowFilterMatcher {
    private static final Set<String> SUPPORTED = Set.of("uuid", "source_ip", "destination_ip", "source_ip_xlated",
            "source_pod", "destination_pod", "traffic_direction", "verdict", "drop_reason_desc", "event_type",
            "protocol", "source_port", "destination_port", "reply", "source_identity", "destination_identity",
            "tcp_flags", "node_name", "ip_version");

    private final List<FlowFilter> whitelist;
    private final List<FlowFilter> blacklist;

    private FlowFilterMatcher(List<FlowFilter> whitelist, List<FlowFilter> blacklist) {
        this.whitelist = whitelist;
        this.blacklist = blacklist;
    }

    static FlowFilterMatcher of(List<FlowFilter> whitelist, List<FlowFilter> blacklist) throws StatusException {
        for (FlowFilter filter : whitelist) {
            requireSupported(filter);
        }
        for (FlowFilter filter : blacklist) {
            requireSupported(filter);
        }
        return new FlowFilterMatcher(List.copyOf(whitelist), List.copyOf(blacklist));
    }

    boolean includes(Flow flow) {
        boolean whitelisted = whitelist.isEmpty() || whitelist.stream().anyMatch(f -> matches(f, flow));
        return whitelisted && blacklist.stream().noneMatch(f -> matches(f, flow));
    }

    static boolean matches(FlowFilter f, Flow flow) {
        return (f.getUuidCount() == 0 || f.getUuidList().contains(flow.getUuid()))
                && (f.getSourceIpCount() == 0 || anyAddressMatches(f.getSourceIpList(), flow.getIP().getSource()))
                && (f.getDestinationIpCount() == 0
                        || anyAddressMatches(f.getDestinationIpList(), flow.getIP().getDestination()))
                && (f.getSourceIpXlatedCount() == 0
                        || anyAddressMatches(f.getSourceIpXlatedList(), flow.getIP().getSourceXlated()))
                && (f.getSourcePodCount() == 0 || anyPodMatches(f.getSourcePodList(), flow.getSource()))
                && (f.getDestinationPodCount() == 0 || anyPodMatches(f.getDestinationPodList(), flow.getDestination()))
                && (f.getTrafficDirectionCount() == 0 || f.getTrafficDirectionList().contains(flow.getTrafficDirection()))
                && (f.getVerdictCount() == 0 || f.getVerdictList().contains(flow.getVerdict()))
                && (f.getDropReasonDescCount() == 0 || f.getDropReasonDescList().contains(flow.getDropReasonDesc()))
                && (f.getEventTypeCount() == 0 || f.getEventTypeList().stream().anyMatch(e -> eventTypeMatches(e, flow)))
                && (f.getProtocolCount() == 0 || f.getProtocolList().stream().anyMatch(p -> protocolMatches(p, flow)))
                && (f.getSourcePortCount() == 0 || f.getSourcePortList().contains(Integer.toString(sourcePort(flow))))
                && (f.getDestinationPortCount() == 0
                        || f.getDestinationPortList().contains(Integer.toString(destinationPort(flow))))
                && (f.getReplyCount() == 0 || replyMatches(f.getReplyList(), flow))
                && (f.getSourceIdentityCount() == 0 || f.getSourceIdentityList().contains(flow.getSource().getIdentity()))
                && (f.getDestinationIdentityCount() == 0
                        || f.getDestinationIdentityList().contains(flow.getDestination().getIdentity()))
                && (f.getTcpFlagsCount() == 0 || f.getTcpFlagsList().stream().anyMatch(t -> tcpFlagsMatch(t, flow)))
                && (f.getNodeNameCount() == 0 || f.getNodeNameList().stream().anyMatch(n -> globMatches(n, flow.getNodeName())))
                && (f.getIpVersionCount() == 0 || f.getIpVersionList().contains(flow.getIP().getIpVersion()));
    }

    /** {@code type == 0} matches any type; {@code match_sub_type} is needed because sub_type 0 (to-endpoint) is valid. */
    private static boolean eventTypeMatches(EventTypeFilter filter, Flow flow) {
        return (filter.getType() == 0 || filter.getType() == flow.getEventType().getType())
                && (!filter.getMatchSubType() || filter.getSubType() == flow.getEventType().getSubType());
    }

    /** Superset semantics: every flag set in the filter must be set in the packet (so SYN matches SYN-ACK). */
    private static boolean tcpFlagsMatch(TCPFlags wanted, Flow flow) {
        if (!flow.getL4().hasTCP()) {
            return false;
        }
        TCPFlags have = flow.getL4().getTCP().getFlags();
        return (!wanted.getFIN() || have.getFIN()) && (!wanted.getSYN() || have.getSYN())
                && (!wanted.getRST() || have.getRST()) && (!wanted.getPSH() || have.getPSH())
                && (!wanted.getACK() || have.getACK()) && (!wanted.getURG() || have.getURG())
                && (!wanted.getECE() || have.getECE()) && (!wanted.getCWR() || have.getCWR())
                && (!wanted.getNS() || have.getNS());
    }

    private static boolean protocolMatches(String protocol, Flow flow) {
        Layer4 l4 = flow.getL4();
        return switch (protocol.toLowerCase(java.util.Locale.ROOT)) {
            case "tcp" -> l4.hasTCP();
            case "udp" -> l4.hasUDP();
            case "sctp" -> l4.hasSCTP();
            case "icmp" -> l4.hasICMPv4() || l4.hasICMPv6();
            case "icmpv4" -> l4.hasICMPv4();
            case "icmpv6" -> l4.hasICMPv6();
            default -> false; // L7 protocols: the simulator emits no L7 flows
        };
    }

    /** An unknown {@code is_reply} never matches, except on drops (Hubble's filters/reply.go). */
    private static boolean replyMatches(List<Boolean> wanted, Flow flow) {
        if (!flow.hasIsReply()) {
            return flow.getVerdict() == io.transitwatch.proto.flow.Verdict.DROPPED && wanted.contains(false);
        }
        return wanted.contains(flow.getIsReply().getValue());
    }

    private static boolean anyPodMatches(List<String> patterns, io.transitwatch.proto.flow.Endpoint endpoint) {
        String namespace = endpoint.getNamespace();
        String pod = endpoint.getPodName();
        for (String pattern : patterns) {
            int slash = pattern.indexOf('/');
            String wantedNamespace = slash < 0 ? "default" : pattern.substring(0, slash);
            String podPrefix = slash < 0 ? pattern : pattern.substring(slash + 1);
            if ((wantedNamespace.isEmpty() || wantedNamespace.equals(namespace)) && !pod.isEmpty()
                    && pod.startsWith(podPrefix)) {
                return true;
            }
        }
        return false;
    }

    /** Exact address or CIDR. */
    private static boolean anyAddressMatches(List<String> patterns, String address) {
        if (address.isEmpty()) {
            return false;
        }
        for (String pattern : patterns) {
            if (pattern.contains("/") ? inCidr(pattern, address) : pattern.equals(address)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inCidr(String cidr, String address) {
        try {
            int slash = cidr.indexOf('/');
            byte[] network = InetAddress.getByName(cidr.substring(0, slash)).getAddress();
            byte[] candidate = InetAddress.getByName(address).getAddress();
            int bits = Integer.parseInt(cidr.substring(slash + 1));
            if (network.length != candidate.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >>> (i % 8);
                if ((network[i / 8] & mask) != (candidate[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        } catch (UnknownHostException | NumberFormatException | IndexOutOfBoundsException e) {
            return false; // literals only: no name is ever resolved
        }
    }

    /** Node name patterns: exact, or with {@code *} wildcards (e.g. {@code solwk*}). */
    private static boolean globMatches(String pattern, String name) {
        if (!pattern.contains("*")) {
            return pattern.equals(name);
        }
        String regex = java.util.regex.Pattern.quote(pattern).replace("*", "\\E.*\\Q");
        return name.matches(regex);
    }

    private static int sourcePort(Flow flow) {
        Layer4 l4 = flow.getL4();
        return l4.hasTCP() ? l4.getTCP().getSourcePort() : l4.hasUDP() ? l4.getUDP().getSourcePort() : -1;
    }

    private static int destinationPort(Flow flow) {
        Layer4 l4 = flow.getL4();
        return l4.hasTCP() ? l4.getTCP().getDestinationPort() : l4.hasUDP() ? l4.getUDP().getDestinationPort() : -1;
    }

    private static void requireSupported(FlowFilter filter) throws StatusException {
        for (FieldDescriptor field : filter.getAllFields().keySet()) {
            if (!SUPPORTED.contains(field.getName())) {
                throw Status.INVALID_ARGUMENT
                        .withDescription("the simulator does not implement FlowFilter." + field.getName()
                                + "; supported: " + new java.util.TreeSet<>(SUPPORTED))
                        .asException();
            }
        }
    }
}
