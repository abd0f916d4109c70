package io.transitwatch.daemon.config;

import java.util.List;

/** {@code --set key=value} flags, the highest layer; written like environment values (lists comma-separated). */
final class FlagSource {
    static final String FLAG = "--set";

    private FlagSource() {}

    static void read(List<String> assignments, RawConfig into) {
        for (String assignment : assignments) {
            int equals = assignment.indexOf('=');
            if (equals <= 0) {
                into.error(new ConfigError(FLAG, InvalidValue.quote(assignment)
                        + " is not key=value; write it like --set join.window=10s"));
                continue;
            }
            into.set(assignment.substring(0, equals).trim(), assignment.substring(equals + 1), FLAG);
        }
    }
}
