package io.transitwatch.sinks;

import java.time.Instant;
import java.util.List;

/** The DESIGN §6 examples as values, shared by the tests of every sink. */
public final class TestEvents {
    public static final Instant TIME = Instant.parse("2026-02-11T22:17:36.784Z");

    private TestEvents() {}

    public static Alert lostAlert() {
        return lostAlert("01JKPZ5N3G0000000000000000");
    }

    public static Alert lostAlert(String id) {
        return Alert.builder()
                .id(id)
                .verdict(Verdict.LOST_IN_TRANSIT)
                .time(TIME)
                .family(Families.IPV6)
                .protocol("TCP")
                .kind("SYN")
                .communityId("1:M2vBzk6gXqJ0YqL2Yb1kq0sWQ0Y=")
                .source(new AlertEndpoint("solwk03", "fd00:101:224:2::3ac8", 47972, "flux-system",
                        "kustomize-controller-57bbd7c-fdtpk", "kustomize-controller", 44187))
                .destination(new AlertEndpoint("solwk02", "fd00:101:224:1::2f9e", 9090, "flux-system",
                        "source-controller-6ccfd78764-rzfnk", "source-controller", 41034))
                .attempts(2)
                .firstSeen(Instant.parse("2026-02-11T22:17:24.512Z"))
                .lastSeen(Instant.parse("2026-02-11T22:17:31.533Z"))
                .windowMs(5000)
                .evidence(new Evidence("TO_NETWORK", "ens18", "NEW"))
                .build();
    }

    /** A LOST alert between two other nodes, so that it has another Kafka key and Slack group. */
    public static Alert lostAlert(String id, String sourceNode, String destinationNode) {
        Alert base = lostAlert(id);
        AlertEndpoint s = base.source();
        AlertEndpoint d = base.destination();
        return base.toBuilder()
                .source(new AlertEndpoint(sourceNode, s.ip(), s.port(), s.namespace(), s.pod(), s.workload(), s.identity()))
                .destination(new AlertEndpoint(destinationNode, d.ip(), d.port(), d.namespace(), d.pod(), d.workload(), d.identity()))
                .build();
    }

    public static IncidentChange firing() {
        return firing("01JKPZ5N3H0000000000000000", "solwk03", "solwk02", 214);
    }

    public static IncidentChange firing(String id, String sourceNode, String destinationNode, long lost) {
        return IncidentChange.builder()
                .id(id)
                .time(TIME)
                .state(IncidentState.FIRING)
                .sourceNode(sourceNode)
                .destinationNode(destinationNode)
                .family(Families.IPV6)
                .lost(lost)
                .matched(0)
                .unverified(0)
                .firstSeen(Instant.parse("2026-02-11T22:12:36.000Z"))
                .lastSeen(TIME)
                .topWorkloads(List.of(new WorkloadLoss("flux-system/kustomize-controller", "flux-system/source-controller", 120)))
                .build();
    }
}
