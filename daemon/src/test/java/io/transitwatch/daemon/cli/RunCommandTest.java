package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.ConfigLoader;
import io.transitwatch.daemon.config.InvalidConfigException;
import io.transitwatch.daemon.config.StdoutAlerts;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code run --alerts}: sets {@code stdout.alerts}; a {@code --set} of the key still wins. */
class RunCommandTest {

    @Test
    void alertsOptionSetsTheStdoutAlertsKeyAndSetStillWins() {
        assertEquals(StdoutAlerts.SUMMARY, alerts());
        assertEquals(StdoutAlerts.EVERY, alerts("--alerts", "every"));
        assertEquals(StdoutAlerts.EVERY, alerts("--alerts", "EVERY"));
        assertEquals(StdoutAlerts.SUMMARY, alerts("--alerts", "every", "--set", "stdout.alerts=summary"));
    }

    @Test
    void aWrongStdoutAlertsValueNamesKeyValueAndChoices() {
        InvalidConfigException e = org.junit.jupiter.api.Assertions.assertThrows(InvalidConfigException.class,
                () -> ConfigLoader.load(null, Map.of(), List.of("stdout.alerts=some")));
        String error = e.errors().get(0).toString();
        assertTrue(error.startsWith("stdout.alerts: "), error);
        assertTrue(error.contains("some") && error.contains("summary") && error.contains("every"), error);
    }

    private static StdoutAlerts alerts(String... args) {
        RunCommand command = new RunCommand();
        new CommandLine(command).setCaseInsensitiveEnumValuesAllowed(true).parseArgs(args);
        return ConfigLoader.load(null, Map.of(), RunCommand.withAlerts(command.configuration.sets(), command.alerts))
                .get(ConfigKeys.STDOUT_ALERTS);
    }
}
