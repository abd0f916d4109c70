package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.TransitWatch;
import io.transitwatch.daemon.sim.ScenarioPresets;
import io.transitwatch.daemon.sim.SimMode;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code simulate}'s usage errors are one line and exit 2, before anything listens; --mode spells modes as hubble.mode. */
class SimulateCommandTest {
    @Test
    void shouldListTheScenariosInOneLineWhenTheScenarioIsUnknown() {
        StringWriter err = new StringWriter();
        int exit = TransitWatch.commandLine().setErr(new PrintWriter(err, true))
                .execute("simulate", "--scenario", "nope");

        assertEquals(2, exit);
        String text = err.toString();
        assertEquals(1, text.lines().count(), text);
        assertEquals("transitwatch simulate: unknown --scenario 'nope'; choose one of: "
                + String.join(", ", ScenarioPresets.names()), text.strip());
    }

    @Test
    void shouldRejectAnUnknownModeInOneUsageError() {
        StringWriter err = new StringWriter();
        int exit = TransitWatch.commandLine().setErr(new PrintWriter(err, true))
                .execute("simulate", "--mode", "peer");

        assertEquals(2, exit);
        assertTrue(err.toString().contains("'peer' is not a mode: relay or direct"), err.toString());
        assertTrue(err.toString().lines().noneMatch(line -> line.startsWith("\tat ")), err.toString());
    }

    @Test
    void shouldReadDirectAndTheOlderNodesAsPerNodeMode() {
        SimulateCommand.ModeConverter converter = new SimulateCommand.ModeConverter();
        assertEquals(SimMode.NODES, converter.convert("direct"));
        assertEquals(SimMode.NODES, converter.convert("nodes"));
        assertEquals(SimMode.RELAY, converter.convert("Relay"));
        assertEquals("direct", SimulateCommand.ModeConverter.spelling(SimMode.NODES));
        assertThrows(CommandLine.TypeConversionException.class, () -> converter.convert("peer"));
    }
}
