package io.transitwatch.daemon.kubernetes;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * Thread-safe (stateless). The calibration derived from Cilium's configuration checked against what
 * each node's stream actually shows (issue #14: "report every disagreement instead of trusting either
 * source"). Neither side wins: the join keeps using the calibration (or the explicit configuration),
 * and each disagreement is reported in {@code /api/status}, {@code transitwatch doctor} and the
 * metric {@code transitwatch_calibration_disagreements}, for an operator to settle.
 *
 * <p>The evidence is the forwarded trace events each stream showed at the egress points the daemon
 * asks Hubble for (TO_NETWORK, TO_OVERLAY, TO_STACK; counted by the join thread, read here). Two
 * findings disagree with a node's departure points:
 * <ul>
 *   <li>the stream shows TO_OVERLAY while the calibration has no TO_OVERLAY departure: only a
 *       tunnelling datapath encapsulates (VXLAN / Geneve), so the node tunnels whatever
 *       {@code routing-mode} says;
 *   <li>the stream shows at least {@link #MIN_EVIDENCE} events at the other egress points and none at
 *       any calibrated departure point: the node does not leave where the calibration says (native
 *       routing seen on a "tunnel" node, legacy host routing seen as TO_STACK on a BPF-host-routing
 *       one). A node that only ever talks to itself or outside the cluster shows this too, which
 *       the message says.
 * </ul>
 */
public final class CalibrationCheck {
    /** Egress events a node's stream must have shown before "never at the calibrated point" is a finding. */
    public static final long MIN_EVIDENCE = 20;

    private CalibrationCheck() {}

    /**
     * Immutable. One node whose stream disagrees with its calibration.
     *
     * @param calibrated the node's departure points from the calibration (proto names)
     * @param seen egress point (proto name) → forwarded events its stream showed
     * @param message what disagrees and what it suggests, naming the node and the calibration's source
     * @param certain the stream proves the calibration wrong (to-overlay seen): departures the node
     *     really reports are not joined; otherwise the node may merely not talk to other nodes
     */
    public record Disagreement(String node, List<String> calibrated, Map<String, Long> seen, String message,
            boolean certain) {
        public Disagreement {
            calibrated = List.copyOf(calibrated);
            seen = Map.copyOf(seen);
        }
    }

    /**
     * Every node with both a calibration and a stream whose events disagree with it, by node name.
     *
     * @param calibrations node → calibration ({@link DiscoveryStatus#calibrations()})
     * @param seen node → egress point → forwarded events its stream showed
     */
    public static List<Disagreement> check(Map<String, DiscoveryStatus.NodeCalibration> calibrations,
            Map<String, Map<String, Long>> seen) {
        List<Disagreement> found = new ArrayList<>();
        for (Map.Entry<String, DiscoveryStatus.NodeCalibration> entry : new TreeMap<>(calibrations).entrySet()) {
            Map<String, Long> shown = seen.get(entry.getKey());
            if (shown == null) {
                continue; // no stream for this node (yet): nothing to check against
            }
            List<String> calibrated = entry.getValue().departurePoints();
            String source = entry.getValue().sources().get("departure-points");
            String routing = source == null ? "the calibration" : "the calibration (" + source + ")";
            long overlay = shown.getOrDefault("TO_OVERLAY", 0L);
            long atCalibrated = calibrated.stream().mapToLong(point -> shown.getOrDefault(point, 0L)).sum();
            long elsewhere = shown.entrySet().stream().filter(e -> !calibrated.contains(e.getKey()))
                    .mapToLong(Map.Entry::getValue).sum();
            String counts = describe(shown);
            if (overlay > 0 && !calibrated.contains("TO_OVERLAY")) {
                found.add(new Disagreement(entry.getKey(), calibrated, shown, entry.getKey() + ": its stream shows "
                        + "to-overlay (" + counts + "), so its datapath tunnels, but " + routing + " gives departures at "
                        + names(calibrated) + "; departures at to-overlay are not joined until the two agree "
                        + "(check routing-mode, or set join.departure-points)", true));
            } else if (atCalibrated == 0 && elsewhere >= MIN_EVIDENCE) {
                found.add(new Disagreement(entry.getKey(), calibrated, shown, entry.getKey() + ": " + routing
                        + " gives departures at " + names(calibrated) + ", but its stream shows none there ("
                        + counts + "); unless this node only talks to itself or outside the cluster, its "
                        + "datapath is not what the configuration says (check routing-mode and "
                        + "enable-host-legacy-routing, or set join.departure-points)", false));
            }
        }
        return List.copyOf(found);
    }

    private static String describe(Map<String, Long> shown) {
        return new TreeMap<>(shown).entrySet().stream()
                .map(e -> e.getKey().toLowerCase(Locale.ROOT).replace('_', '-') + " " + e.getValue())
                .collect(Collectors.joining(", "));
    }

    private static String names(List<String> points) {
        return points.stream().map(p -> p.toLowerCase(Locale.ROOT).replace('_', '-'))
                .collect(Collectors.joining(" / "));
    }
}
