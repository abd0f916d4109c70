package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.kubernetes.DiscoveryStatus.NodeCalibration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Doctor's verdict list: how many nodes report trace events when cilium-config leaves some blind. */
class DoctorBlindNodesTest {
    private static final NodeCalibration SEEING = calibration();

    private static NodeCalibration calibration(String... blindSpots) {
        return new NodeCalibration(List.of("TO_NETWORK"), List.of(), false, true, false, List.of(blindSpots), List.of(),
                Map.of());
    }

    private static Map<NodeCalibration, List<String>> groups(Object... calibrationThenNodes) {
        Map<NodeCalibration, List<String>> groups = new LinkedHashMap<>();
        for (int i = 0; i < calibrationThenNodes.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> nodes = (List<String>) calibrationThenNodes[i + 1];
            groups.put((NodeCalibration) calibrationThenNodes[i], nodes);
        }
        return groups;
    }

    @Test
    void shouldCountNoNodeSeeingWhenEveryNodeIsBlindWhicheverKeyMadeIt() {
        assertEquals(0, DoctorReport.nodesSeeing(groups(calibration("bpf-events-trace-enabled=false: ..."),
                List.of("a", "b"), calibration("hubble-monitor-events=drop: ..."), List.of("c"))));
    }

    @Test
    void shouldCountTheNodesThatStillSee() {
        assertEquals(1, DoctorReport.nodesSeeing(groups(calibration("hubble-monitor-events=drop: ..."),
                List.of("a", "b"), SEEING, List.of("c"))), "one node: no pair to join");
        assertEquals(3, DoctorReport.nodesSeeing(groups(SEEING, List.of("a", "b", "c"))));
        assertEquals(-1, DoctorReport.nodesSeeing(Map.of()), "no cilium-config read: nothing says a node is blind");
    }
}
