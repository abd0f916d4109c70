package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.config.SinkKind;
import io.transitwatch.daemon.config.StdoutFormat;
import io.transitwatch.sinks.AlertSink;
import io.transitwatch.sinks.stdout.StdoutSink;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Stateless: makes the sinks named in {@code sinks} from their settings. */
final class SinkAssembly {
    private SinkAssembly() {}

    static List<AlertSink> sinks(Settings settings, PrintStream stdout, Clock clock) {
        List<AlertSink> sinks = new ArrayList<>();
        for (SinkKind kind : settings.get(ConfigKeys.SINKS)) {
            sinks.add(switch (kind) {
                case STDOUT -> new StdoutSink(stdout, settings.get(ConfigKeys.STDOUT_FORMAT) == StdoutFormat.TEXT
                        ? StdoutSink.Format.TEXT : StdoutSink.Format.JSON);
                case KAFKA, SLACK -> throw new IllegalArgumentException("sinks: " + kind.name().toLowerCase()
                        + " is not available in this build; use stdout");
            });
        }
        return sinks;
    }
}
