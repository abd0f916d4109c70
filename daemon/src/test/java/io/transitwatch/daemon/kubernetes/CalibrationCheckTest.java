package io.transitwatch.daemon.kubernetes;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CalibrationCheckTest {
    private static final DiscoveryStatus.NodeCalibration NATIVE = calibration("TO_NETWORK",
            "TO_NETWORK from cilium-config kube-system/cilium-config: routing-mode=native");
    private static final DiscoveryStatus.NodeCalibration TUNNEL = calibration("TO_OVERLAY",
            "TO_OVERLAY from cilium-config kube-system/cilium-config: routing-mode=tunnel");

    @Test
    void overlaySeenOnANodeCalibratedNativeIsACertainDisagreement() {
        List<CalibrationCheck.Disagreement> found = CalibrationCheck.check(Map.of("a", NATIVE, "b", NATIVE),
                Map.of("a", seen(0, 1, 0), "b", seen(500, 0, 40)));

        assertEquals(1, found.size(), found.toString());
        CalibrationCheck.Disagreement a = found.get(0);
        assertEquals("a", a.node());
        assertTrue(a.certain());
        assertEquals(List.of("TO_NETWORK"), a.calibrated());
        assertTrue(a.message().startsWith("a: its stream shows to-overlay (to-network 0, to-overlay 1, to-stack 0)"),
                a.message());
        assertTrue(a.message().contains("routing-mode=native"), a.message());
    }

    @Test
    void noEventAtTheCalibratedPointIsReportedOnlyWithEnoughEvidence() {
        Map<String, DiscoveryStatus.NodeCalibration> calibrations = Map.of("a", TUNNEL, "b", TUNNEL, "c", TUNNEL);
        List<CalibrationCheck.Disagreement> found = CalibrationCheck.check(calibrations, Map.of(
                "a", seen(CalibrationCheck.MIN_EVIDENCE, 0, 0),
                "b", seen(CalibrationCheck.MIN_EVIDENCE - 1, 0, 0),
                "c", seen(CalibrationCheck.MIN_EVIDENCE, 1, 0)));

        assertEquals(1, found.size(), found.toString());
        assertEquals("a", found.get(0).node());
        assertFalse(found.get(0).certain(), "a node may only talk to itself or outside the cluster");
        assertTrue(found.get(0).message().contains("gives departures at to-overlay, but its stream shows none there"),
                found.get(0).message());
    }

    @Test
    void legacyHostRoutingSeenOnANodeCalibratedForBpfHostRoutingIsReported() {
        List<CalibrationCheck.Disagreement> found = CalibrationCheck.check(Map.of("a", NATIVE),
                Map.of("a", seen(0, 0, 300)));

        assertEquals(1, found.size(), found.toString());
        assertTrue(found.get(0).message().contains("to-stack 300"), found.get(0).message());
    }

    @Test
    void agreeingOrUnseenNodesAreNotReported() {
        assertEquals(List.of(), CalibrationCheck.check(Map.of("a", TUNNEL, "b", NATIVE, "c", NATIVE),
                Map.of("a", seen(30, 200, 5), "b", seen(200, 0, 5))));
    }

    private static Map<String, Long> seen(long network, long overlay, long stack) {
        return Map.of("TO_NETWORK", network, "TO_OVERLAY", overlay, "TO_STACK", stack);
    }

    private static DiscoveryStatus.NodeCalibration calibration(String point, String source) {
        return new DiscoveryStatus.NodeCalibration(List.of(point), List.of(), false, true, true, List.of(), List.of(),
                Map.of("departure-points", source));
    }
}
