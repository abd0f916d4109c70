package io.transitwatch.daemon.kubernetes;

import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.proto.flow.TraceObservationPoint;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Immutable. What one node's Cilium configuration means for the join (k8s-facts.md §2; DESIGN §3.1,
 * §3.8), with where each value came from: the merged {@code cilium-config} keys and the
 * CiliumNodeConfig overrides that select the node. An absent key is the agent's default, and says so.
 *
 * @param departurePoints observation points where this node reports a packet leaving for another node
 * @param arrivalExtras points beyond TO_ENDPOINT where it reports arrivals ({@code monitor-aggregation: none})
 * @param firstData whether its first ACK / PSH per direction are reported
 * @param egressTwice whether one packet can leave it reported twice: below {@code monitor-aggregation:
 *     medium} every egress point fires for every packet, the endpoint's program and the host's
 *     {@code to-netdev} alike (hubble-api.md §3.3)
 * @param ipv4 IPv4 enabled
 * @param ipv6 IPv6 enabled
 * @param eventsPerSecondLimit the most events per second its datapath's events map lets through
 *     ({@code bpf-events-default-rate-limit} and {@code -burst-limit}, the smaller), 0 when not limited
 * @param blindSpots what makes detection impossible on the node (non-empty: nothing can be trusted)
 * @param warnings what makes some verdicts doubtful
 * @param sources value name → where it came from ({@code cilium-config routing-mode=tunnel},
 *     {@code CiliumNodeConfig kube-system/legacy: enable-host-legacy-routing=true}, {@code agent default})
 */
record Calibration(Set<Integer> departurePoints, Set<Integer> arrivalExtras, boolean firstData,
        boolean egressTwice, boolean ipv4, boolean ipv6, long eventsPerSecondLimit, List<String> blindSpots,
        List<String> warnings, Map<String, String> sources) {

    Calibration {
        departurePoints = Set.copyOf(departurePoints);
        arrivalExtras = Set.copyOf(arrivalExtras);
        blindSpots = List.copyOf(blindSpots);
        warnings = List.copyOf(warnings);
        sources = Map.copyOf(sources);
    }

    /** One key's value and its origin after merging the ConfigMap and the node's CiliumNodeConfigs. */
    record Setting(String value, String source) {}

    /**
     * Derives a node's calibration.
     *
     * @param merged cilium-config keys with the node's overrides applied (key → value and origin)
     */
    static Calibration derive(Map<String, Setting> merged) {
        return derive(merged, List.of());
    }

    /**
     * Derives a node's calibration, checking also that native routing leaves pod-to-pod traffic
     * unmasqueraded.
     *
     * @param merged cilium-config keys with the node's overrides applied (key → value and origin)
     * @param podCidrs the cluster's pod CIDRs (CiliumNode, Node): where this node's pods send to
     */
    static Calibration derive(Map<String, Setting> merged, List<IpPrefix> podCidrs) {
        Map<String, String> sources = new LinkedHashMap<>();
        List<String> blind = new ArrayList<>();
        List<String> warnings = new ArrayList<>();

        Set<Integer> departures = new LinkedHashSet<>();
        String routing = value(merged, "routing-mode");
        String routingSource;
        if (routing == null) {
            String legacyTunnel = value(merged, "tunnel");
            if (legacyTunnel != null) {
                routing = "disabled".equals(legacyTunnel) ? "native" : "tunnel";
                routingSource = origin(merged, "tunnel") + " tunnel=" + legacyTunnel;
            } else {
                routing = "tunnel";
                routingSource = "agent default routing-mode=tunnel";
            }
        } else {
            routingSource = origin(merged, "routing-mode") + " routing-mode=" + routing;
        }
        if ("tunnel".equals(routing)) {
            departures.add(TraceObservationPoint.TO_OVERLAY_VALUE);
            sources.put("departure-points", "TO_OVERLAY from " + routingSource);
        } else {
            String legacy = value(merged, "enable-host-legacy-routing");
            if ("true".equals(legacy)) {
                departures.add(TraceObservationPoint.TO_STACK_VALUE);
                sources.put("departure-points", "TO_STACK from " + routingSource + ", "
                        + origin(merged, "enable-host-legacy-routing") + " enable-host-legacy-routing=true");
            } else if ("false".equals(legacy)) {
                departures.add(TraceObservationPoint.TO_NETWORK_VALUE);
                sources.put("departure-points", "TO_NETWORK from " + routingSource + ", "
                        + origin(merged, "enable-host-legacy-routing") + " enable-host-legacy-routing=false");
            } else {
                // The agent picks BPF host routing unless the kernel lacks it, and then falls back silently.
                departures.add(TraceObservationPoint.TO_NETWORK_VALUE);
                departures.add(TraceObservationPoint.TO_STACK_VALUE);
                sources.put("departure-points", "TO_NETWORK or TO_STACK from " + routingSource
                        + ", enable-host-legacy-routing absent (the agent decides by kernel)");
            }
        }

        Set<Integer> arrivals = new LinkedHashSet<>();
        String setAggregation = value(merged, "monitor-aggregation");
        // Absent, the agent's own flag default applies: none, every packet reported (hubble-api.md §3.1;
        // Helm and cilium-cli write medium). Read that way, a wrong guess costs capacity, not false alerts.
        String aggregation = setAggregation == null ? "none"
                : setAggregation.trim().toLowerCase(java.util.Locale.ROOT);
        if ("none".equals(aggregation)) {
            arrivals.add(TraceObservationPoint.FROM_NETWORK_VALUE);
            arrivals.add(TraceObservationPoint.FROM_OVERLAY_VALUE);
        }
        sources.put("monitor-aggregation", setAggregation == null ? "agent default (none: every packet reported)"
                : origin(merged, "monitor-aggregation") + " monitor-aggregation=" + setAggregation);

        String flags = value(merged, "monitor-aggregation-flags");
        boolean firstData;
        if ("none".equals(aggregation)) {
            firstData = true;
            sources.put("first-data", "yes: monitor-aggregation=none"
                    + (setAggregation == null ? " (agent default)" : "") + " reports every packet");
        } else {
            List<String> names = flags == null ? List.of("syn", "fin", "rst")
                    : List.of(flags.toLowerCase(java.util.Locale.ROOT).replace(" ", "").split(","));
            firstData = names.contains("all") || (names.contains("ack") && names.contains("psh"));
            sources.put("first-data", (firstData ? "yes" : "no") + ": " + (flags == null
                    ? "agent default monitor-aggregation-flags=syn,fin,rst"
                    : origin(merged, "monitor-aggregation-flags") + " monitor-aggregation-flags=" + flags));
        }

        boolean ipv4 = !"false".equals(value(merged, "enable-ipv4"));
        boolean ipv6 = "true".equals(value(merged, "enable-ipv6"));
        sources.put("families", (ipv4 ? "IPv4" : "") + (ipv4 && ipv6 ? "+" : "") + (ipv6 ? "IPv6" : "")
                + " from enable-ipv4=" + orDefault(merged, "enable-ipv4", "true (agent default)")
                + ", enable-ipv6=" + orDefault(merged, "enable-ipv6", "false (agent default)"));

        if ("false".equals(value(merged, "bpf-events-trace-enabled"))) {
            blind.add(origin(merged, "bpf-events-trace-enabled") + " bpf-events-trace-enabled=false: the datapath "
                    + "emits no trace events, so this node reports no departures and no arrivals");
        }
        List<String> monitorEvents = monitorEventTypes(merged);
        if (monitorEvents != null && !monitorEvents.contains("trace")) {
            // hubble-api.md §5.3, §9.2: Hubble keeps only the listed event types; without trace, drops only
            blind.add(origin(merged, "hubble-monitor-events") + " hubble-monitor-events="
                    + value(merged, "hubble-monitor-events") + ": Hubble "
                    + "keeps no trace events of this node, so it reports no departures and no arrivals");
        }
        if ("false".equals(value(merged, "bpf-events-drop-enabled"))) {
            warnings.add("bpf-events-drop-enabled=false: drops at this node are not reported (no DROPPED_AT_DESTINATION)");
        }
        long eventsLimit = eventsPerSecondLimit(merged, warnings);
        if (eventsLimit > 0) {
            warnings.add(origin(merged, "bpf-events-default-rate-limit") + " bpf-events-default-rate-limit="
                    + value(merged, "bpf-events-default-rate-limit") + ", bpf-events-default-burst-limit="
                    + orDefault(merged, "bpf-events-default-burst-limit", "0") + ": the datapath drops events over "
                    + eventsLimit + " a second without a lost-events report; where TransitWatch reads Hubble itself "
                    + "(not scaled mode's collectors), it polls this node's event count (seen_flows) and departures "
                    + "to it are UNVERIFIED(LOST_EVENTS) in the seconds that came near the limit");
        }
        if ("true".equals(value(merged, "enable-wireguard")) || "true".equals(value(merged, "enable-ipsec"))) {
            warnings.add("encryption is on (enable-wireguard / enable-ipsec): encrypted packets may leave at "
                    + "TO_CRYPTO, which is not a departure point");
        }
        String replacement = value(merged, "kube-proxy-replacement");
        boolean podsUseSocketLb = "true".equals(value(merged, "bpf-lb-sock"))
                && !"true".equals(value(merged, "bpf-lb-sock-hostns-only"));
        if (("false".equals(replacement) || "disabled".equals(replacement)) && !podsUseSocketLb) {
            warnings.add(origin(merged, "kube-proxy-replacement") + " kube-proxy-replacement=" + replacement
                    + " without socket LB for pods (bpf-lb-sock=true, bpf-lb-sock-hostns-only=false): kube-proxy "
                    + "translates ClusterIPs where Cilium does not see it, so a backend's replies to a client on "
                    + "another node are UNVERIFIED(request_unseen), not LOST; the client's node judges those "
                    + "connections as round trips to the service address when the pod CIDRs are known");
        }
        if (!"tunnel".equals(routing)) {
            warnings.addAll(masqueradedPodCidrs(merged, podCidrs));
        }
        boolean egressTwice = List.of("none", "low", "lowest").contains(aggregation);
        return new Calibration(departures, arrivals, firstData, egressTwice, ipv4, ipv6, eventsLimit, blind, warnings,
                sources);
    }

    /**
     * In native routing a pod's packet to an address outside {@code ipv4-native-routing-cidr} (or the
     * IPv6 one) is masqueraded to the node's address: a pod CIDR outside it makes the destination see
     * (and its network policy judge) the source node instead of the pod. The join still matches such
     * packets by the node's address, when SNAT keeps the source port.
     */
    private static List<String> masqueradedPodCidrs(Map<String, Setting> merged, List<IpPrefix> podCidrs) {
        List<String> warnings = new ArrayList<>();
        for (boolean ipv4 : new boolean[] {true, false}) {
            String family = ipv4 ? "ipv4" : "ipv6";
            String key = family + "-native-routing-cidr";
            String routingCidr = value(merged, key);
            if (routingCidr == null || routingCidr.isEmpty()
                    || "false".equals(value(merged, "enable-" + family + "-masquerade"))) {
                continue;
            }
            IpPrefix covering;
            try {
                covering = IpPrefix.parse(routingCidr);
            } catch (IllegalArgumentException e) {
                continue; // the agent refuses to start with it: nothing of this node's traffic to judge
            }
            List<String> outside = podCidrs.stream().filter(cidr -> cidr.ipv4() == ipv4)
                    .filter(cidr -> !covers(covering, cidr)).map(IpPrefix::toString).distinct().sorted().toList();
            if (!outside.isEmpty()) {
                warnings.add(origin(merged, key) + " " + key + "=" + routingCidr + " does not cover the pod CIDRs "
                        + outside + ": packets from this node's pods to them are masqueraded to the node's address, "
                        + "so the destination (and its network policy) sees the node, not the pod; TransitWatch "
                        + "matches them by the node's address while SNAT keeps their source port "
                        + "(transitwatch_join_matched_masqueraded_total)");
            }
        }
        return warnings;
    }

    private static boolean covers(IpPrefix outer, IpPrefix inner) {
        return inner.length() >= outer.length() && outer.contains(inner.hi(), inner.lo());
    }

    /**
     * The events map's token bucket (bpf/lib/ratelimit.h, one per node, shared by trace, drop and
     * policy-verdict events): topped up with {@code rate} tokens every second, never holding more than
     * {@code burst} (Cilium refuses a rate without a burst; read here as the rate, a bucket as large as
     * one second's top-up). A dropped event needs the bucket empty, which needs {@code min(rate, burst)}
     * events let through in the second before it. An unreadable number, or a {@code hubble-monitor-events}
     * list that keeps Hubble from counting every event that takes a token, is read as the smallest limit
     * (1) and named in the warnings, so that every second counts as possibly lossy rather than none.
     */
    private static long eventsPerSecondLimit(Map<String, Setting> merged, List<String> warnings) {
        long rate = nonNegative(merged, "bpf-events-default-rate-limit", warnings);
        if (rate == 0) {
            return 0;
        }
        long burst = nonNegative(merged, "bpf-events-default-burst-limit", warnings);
        List<String> monitorEvents = monitorEventTypes(merged);
        if (monitorEvents != null && !(monitorEvents.contains("drop") && monitorEvents.contains("policy-verdict"))) {
            // the events it leaves out still take tokens: Hubble's count says too little to judge by
            warnings.add(origin(merged, "hubble-monitor-events") + " hubble-monitor-events="
                    + value(merged, "hubble-monitor-events") + " with a BPF events rate limit: Hubble does not count "
                    + "the drop or policy-verdict events that also take the limit's tokens, so every second of this "
                    + "node counts as near the limit");
            return 1;
        }
        return burst == 0 ? rate : Math.min(rate, burst);
    }

    /** The event types {@code hubble-monitor-events} keeps (lower case), or null when it keeps them all (unset). */
    private static List<String> monitorEventTypes(Map<String, Setting> merged) {
        String listed = value(merged, "hubble-monitor-events");
        return listed == null || listed.isBlank() ? null
                : List.of(listed.toLowerCase(java.util.Locale.ROOT).split("[,\\s]+"));
    }

    private static long nonNegative(Map<String, Setting> merged, String key, List<String> warnings) {
        String text = value(merged, key);
        if (text == null || text.isEmpty()) {
            return 0;
        }
        try {
            long parsed = Long.parseLong(text);
            if (parsed >= 0) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // named below
        }
        warnings.add(origin(merged, key) + " " + key + "=" + text + " is not a count of events: read as 1 a second");
        return 1;
    }

    private static String value(Map<String, Setting> merged, String key) {
        Setting setting = merged.get(key);
        return setting == null ? null : setting.value().trim();
    }

    private static String origin(Map<String, Setting> merged, String key) {
        Setting setting = merged.get(key);
        return setting == null ? "agent default" : setting.source();
    }

    private static String orDefault(Map<String, Setting> merged, String key, String fallback) {
        String value = value(merged, key);
        return value == null ? fallback : value;
    }
}
