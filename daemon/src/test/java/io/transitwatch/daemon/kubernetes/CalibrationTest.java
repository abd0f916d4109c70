package io.transitwatch.daemon.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.kubernetes.Calibration.Setting;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.proto.flow.TraceObservationPoint;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** k8s-facts.md §2: what a node's merged Cilium configuration means for the join, with sources. */
class CalibrationTest {
    private static final String CONFIG_MAP = "cilium-config kube-system/cilium-config:";

    @Test
    void tunnelDepartsAtToOverlay() {
        Calibration calibration = Calibration.derive(config("routing-mode", "tunnel"));

        assertEquals(Set.of(TraceObservationPoint.TO_OVERLAY_VALUE), calibration.departurePoints());
        assertTrue(calibration.sources().get("departure-points").contains(CONFIG_MAP + " routing-mode=tunnel"));
    }

    @Test
    void nativeRoutingDependsOnHostRouting() {
        assertEquals(Set.of(TraceObservationPoint.TO_NETWORK_VALUE), Calibration.derive(
                config("routing-mode", "native", "enable-host-legacy-routing", "false")).departurePoints());
        assertEquals(Set.of(TraceObservationPoint.TO_STACK_VALUE), Calibration.derive(
                config("routing-mode", "native", "enable-host-legacy-routing", "true")).departurePoints());
        Calibration agentDecides = Calibration.derive(config("routing-mode", "native"));
        assertEquals(Set.of(TraceObservationPoint.TO_NETWORK_VALUE, TraceObservationPoint.TO_STACK_VALUE),
                agentDecides.departurePoints());
        assertTrue(agentDecides.sources().get("departure-points").contains("agent decides"));
    }

    @Test
    void theLegacyTunnelKeyCountsOnlyWithoutRoutingMode() {
        assertEquals(Set.of(TraceObservationPoint.TO_NETWORK_VALUE, TraceObservationPoint.TO_STACK_VALUE),
                Calibration.derive(config("tunnel", "disabled")).departurePoints());
        assertEquals(Set.of(TraceObservationPoint.TO_OVERLAY_VALUE),
                Calibration.derive(config("tunnel", "vxlan")).departurePoints());
        assertEquals(Set.of(TraceObservationPoint.TO_OVERLAY_VALUE),
                Calibration.derive(config("routing-mode", "tunnel", "tunnel", "disabled")).departurePoints());
    }

    @Test
    void firstDataNeedsAckAndPshOrNoAggregation() {
        assertTrue(Calibration.derive(config("monitor-aggregation", "medium", "monitor-aggregation-flags", "all"))
                .firstData());
        assertTrue(Calibration.derive(config("monitor-aggregation", "medium",
                "monitor-aggregation-flags", "syn, fin,rst,ack,psh")).firstData());
        assertFalse(Calibration.derive(config("monitor-aggregation", "medium",
                "monitor-aggregation-flags", "syn,fin,rst")).firstData());
        Calibration flagsAbsent = Calibration.derive(config("monitor-aggregation", "medium"));
        assertFalse(flagsAbsent.firstData());
        assertTrue(flagsAbsent.sources().get("first-data").contains("agent default"));
        // without monitor-aggregation the agent's own default, none, reports every packet
        Calibration absent = Calibration.derive(config("routing-mode", "tunnel"));
        assertTrue(absent.firstData());
        assertTrue(absent.sources().get("first-data").contains("agent default"));
        assertTrue(absent.sources().get("monitor-aggregation").contains("agent default (none"));
        Calibration none = Calibration.derive(config("monitor-aggregation", "none",
                "monitor-aggregation-flags", "syn"));
        assertTrue(none.firstData());
        assertEquals(Set.of(TraceObservationPoint.FROM_NETWORK_VALUE, TraceObservationPoint.FROM_OVERLAY_VALUE),
                none.arrivalExtras());
    }

    @Test
    void belowMediumAggregationEveryEgressPointReportsEveryPacket() {
        for (String level : List.of("none", "low", "lowest")) {
            assertTrue(Calibration.derive(config("monitor-aggregation", level)).egressTwice(), level);
        }
        for (String level : List.of("medium", "maximum")) {
            assertFalse(Calibration.derive(config("monitor-aggregation", level)).egressTwice(), level);
        }
        assertTrue(Calibration.derive(config("routing-mode", "tunnel")).egressTwice(), "the agent's default: none");
        Calibration spelledOtherwise = Calibration.derive(config("monitor-aggregation", " None "));
        assertTrue(spelledOtherwise.egressTwice());
        assertTrue(spelledOtherwise.firstData());
        assertEquals(2, spelledOtherwise.arrivalExtras().size());
    }

    @Test
    void theEventsRateLimitIsTheSmallerOfRateAndBurst() {
        assertEquals(0, Calibration.derive(config()).eventsPerSecondLimit());
        assertEquals(0, Calibration.derive(config("bpf-events-default-rate-limit", "0",
                "bpf-events-default-burst-limit", "500")).eventsPerSecondLimit(), "a burst alone limits nothing");
        assertEquals(1000, Calibration.derive(config("bpf-events-default-rate-limit", "1000")).eventsPerSecondLimit(),
                "without a burst the bucket holds the rate");
        assertEquals(200, Calibration.derive(config("bpf-events-default-rate-limit", "1000",
                "bpf-events-default-burst-limit", "200")).eventsPerSecondLimit());
        assertEquals(1, Calibration.derive(config("bpf-events-default-rate-limit", "1000",
                "bpf-events-default-burst-limit", "1000", "hubble-monitor-events", "trace")).eventsPerSecondLimit(),
                "Hubble does not count the drop and policy-verdict events that take tokens too");
        assertEquals(1000, Calibration.derive(config("bpf-events-default-rate-limit", "1000",
                "bpf-events-default-burst-limit", "1000", "hubble-monitor-events", "trace,drop policy-verdict"))
                .eventsPerSecondLimit());
        Calibration unreadable = Calibration.derive(config("bpf-events-default-rate-limit", "lots"));
        assertEquals(1, unreadable.eventsPerSecondLimit(), "every busy second counts as possibly lossy");
        assertTrue(unreadable.warnings().stream().anyMatch(w -> w.contains("bpf-events-default-rate-limit=lots")),
                unreadable.warnings()::toString);
    }

    @Test
    void blindSpotsAndWarningsNameTheirKey() {
        Calibration blind = Calibration.derive(config("bpf-events-trace-enabled", "false",
                "bpf-events-default-rate-limit", "1000"));
        assertEquals(1, blind.blindSpots().size());
        assertTrue(blind.blindSpots().get(0).contains("bpf-events-trace-enabled=false"));
        assertTrue(blind.warnings().stream().anyMatch(w -> w.contains("bpf-events-default-rate-limit=1000")));
        Calibration clear = Calibration.derive(config("bpf-events-default-rate-limit", "0"));
        assertEquals(List.of(), clear.blindSpots());
        assertEquals(List.of(), clear.warnings());
    }

    @Test
    void hubbleKeepingNoTraceEventsIsABlindSpot() {
        Calibration dropsOnly = Calibration.derive(config("hubble-monitor-events", "drop, policy-verdict"));
        assertEquals(1, dropsOnly.blindSpots().size(), dropsOnly.blindSpots()::toString);
        assertTrue(dropsOnly.blindSpots().get(0).contains("hubble-monitor-events=drop, policy-verdict"));
        assertEquals(List.of(), Calibration.derive(config("hubble-monitor-events", "trace drop")).blindSpots());
        assertEquals(List.of(), Calibration.derive(config("hubble-monitor-events", "")).blindSpots(), "all, the default");
    }

    @Test
    void kubeProxyTranslatingServicesIsAWarningNamingTheVerdictItCauses() {
        Calibration kubeProxy = Calibration.derive(config("kube-proxy-replacement", "false"));
        assertTrue(kubeProxy.warnings().stream().anyMatch(w -> w.contains("kube-proxy-replacement=false")
                && w.contains("request_unseen")), kubeProxy.warnings()::toString);
        assertEquals(List.of(), Calibration.derive(config("kube-proxy-replacement", "true")).warnings());
        assertEquals(List.of(), Calibration.derive(config("kube-proxy-replacement", "false", "bpf-lb-sock", "true"))
                .warnings(), "socket LB translates in connect(): both nodes report the backend");
        assertEquals(1, Calibration.derive(config("kube-proxy-replacement", "false", "bpf-lb-sock", "true",
                "bpf-lb-sock-hostns-only", "true")).warnings().size(), "socket LB for the host only: pods use kube-proxy");
    }

    @Test
    void familiesFollowTheAgentDefaults() {
        Calibration defaults = Calibration.derive(config());
        assertTrue(defaults.ipv4());
        assertFalse(defaults.ipv6());
        Calibration dual = Calibration.derive(config("enable-ipv6", "true"));
        assertTrue(dual.ipv4() && dual.ipv6());
    }

    @Test
    void aNativeRoutingCidrThatMissesAPodCidrWarnsThatItsTrafficIsMasqueraded() {
        List<IpPrefix> pods = List.of(IpPrefix.parse("10.1.0.0/24"), IpPrefix.parse("10.2.0.0/24"),
                IpPrefix.parse("fd00:1::/64"));
        List<String> wrong = masquerading(Calibration.derive(config("routing-mode", "native",
                "ipv4-native-routing-cidr", "10.1.0.0/16", "ipv6-native-routing-cidr", "fd00::/16"), pods));
        assertEquals(1, wrong.size(), wrong::toString);
        assertTrue(wrong.get(0).startsWith(CONFIG_MAP + " ipv4-native-routing-cidr=10.1.0.0/16 does not cover the pod "
                + "CIDRs [10.2.0.0/24]"), wrong.get(0));

        assertEquals(List.of(), masquerading(Calibration.derive(config("routing-mode", "native",
                "ipv4-native-routing-cidr", "10.0.0.0/8"), pods)), "covered");
        assertEquals(List.of(), masquerading(Calibration.derive(config("routing-mode", "tunnel",
                "ipv4-native-routing-cidr", "10.1.0.0/16"), pods)), "tunnel mode: no native routing");
        assertEquals(List.of(), masquerading(Calibration.derive(config("routing-mode", "native",
                "ipv4-native-routing-cidr", "10.1.0.0/16", "enable-ipv4-masquerade", "false"), pods)), "no masquerade");
    }

    private static List<String> masquerading(Calibration calibration) {
        return calibration.warnings().stream().filter(warning -> warning.contains("masqueraded")).toList();
    }

    private static Map<String, Setting> config(String... keysAndValues) {
        Map<String, Setting> merged = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            merged.put(keysAndValues[i], new Setting(keysAndValues[i + 1], CONFIG_MAP));
        }
        return merged;
    }
}
