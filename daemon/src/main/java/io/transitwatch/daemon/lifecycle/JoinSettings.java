package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.PacketKind;
import io.transitwatch.proto.flow.TraceObservationPoint;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** Stateless: the {@code join.*} settings as a {@link JoinConfig}; knobs without a key keep their defaults. */
public final class JoinSettings {
    private JoinSettings() {}

    public static JoinConfig from(Settings settings) {
        JoinConfig defaults = JoinConfig.defaults();
        return new JoinConfig(
                settings.duration(ConfigKeys.JOIN_WINDOW),
                settings.duration(ConfigKeys.JOIN_ARRIVAL_MEMORY),
                settings.duration(ConfigKeys.JOIN_LATE_HORIZON),
                defaults.watermarkSlack(),
                defaults.clockSpan(),
                settings.duration(ConfigKeys.JOIN_DOWN_GRACE),
                settings.duration(ConfigKeys.JOIN_MAX_BEHIND),
                settings.duration(ConfigKeys.JOIN_LOST_EVENTS_SPAN),
                settings.duration(ConfigKeys.JOIN_CATCH_UP_LIMIT),
                settings.integer(ConfigKeys.JOIN_PENDING_CAPACITY),
                settings.integer(ConfigKeys.JOIN_ARRIVAL_CAPACITY),
                defaults.lostHistoryCapacity(),
                settings.integer(ConfigKeys.JOIN_MAX_NODES),
                settings.integer(ConfigKeys.JOIN_MAX_PAIRS),
                settings.duration(ConfigKeys.JOIN_PAIR_IDLE_AFTER),
                points(settings.get(ConfigKeys.JOIN_DEPARTURE_POINTS)),
                points(settings.get(ConfigKeys.JOIN_ARRIVAL_POINTS)),
                Set.copyOf(settings.get(ConfigKeys.JOIN_EXCLUDED_DESTINATION_IDENTITIES)),
                settings.get(ConfigKeys.JOIN_PACKET_KINDS).stream().map(PacketKind::byName).collect(Collectors.toSet()),
                Set.copyOf(settings.get(ConfigKeys.JOIN_ROUND_TRIP_UDP_PORTS)))
                .withFirstData(firstDataReported(settings.get(ConfigKeys.JOIN_MONITOR_AGGREGATION_FLAGS)));
    }

    /** Whether the aggregation flags make Cilium report each direction's first ACK and PSH (DESIGN §3.8). */
    static boolean firstDataReported(List<String> flags) {
        return flags.contains("all") || (flags.contains("ack") && flags.contains("psh"));
    }

    private static Set<Integer> points(List<String> names) {
        return names.stream().map(name -> TraceObservationPoint.valueOf(name).getNumber()).collect(Collectors.toSet());
    }
}
