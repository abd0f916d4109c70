package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.kubernetes.DiscoveryStatus.NodeCalibration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Doctor's verdict list: which verdicts are possible when cilium-config leaves nodes blind. */
class DoctorBlindNodesTest {
    private static NodeCalibration calibration(String... blindSpots) {
        return new NodeCalibration(List.of("TO_NETWORK"), List.of(), false, true, false, List.of(blindSpots), List.of(),
                Map.of());
    }

    @Test
    void shouldSayNothingIsObservedWhenEveryNodeIsBlindWhicheverKeyMadeIt() {
        assertTrue(DoctorReport.everyNodeBlind(List.of(calibration("bpf-events-trace-enabled=false: ..."),
                calibration("hubble-monitor-events=drop: ..."))));
    }

    @Test
    void shouldStillJoinTheOtherNodesWhenSomeAreBlind() {
        assertFalse(DoctorReport.everyNodeBlind(List.of(calibration("hubble-monitor-events=drop: ..."), calibration())));
        assertFalse(DoctorReport.everyNodeBlind(List.of()), "no cilium-config read: nothing says a node is blind");
    }
}
