package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.sim.SimMode;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/**
 * Thread-safe (stateless). {@code --mode} as {@code hubble.mode} spells it: {@code relay} or
 * {@code direct}; {@code nodes}, the demo's older spelling, is accepted for {@code direct}.
 */
final class SimModeConverter implements ITypeConverter<SimMode> {
    /** How the help and messages spell a mode: the configuration's words. */
    static String spelling(SimMode mode) {
        return mode == SimMode.RELAY ? "relay" : "direct";
    }

    @Override
    public SimMode convert(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "relay" -> SimMode.RELAY;
            case "direct", "nodes" -> SimMode.NODES;
            default -> throw new TypeConversionException("'" + value + "' is not a mode: relay or direct");
        };
    }
}
