package io.transitwatch.daemon;

import io.transitwatch.daemon.cli.CollectCommand;
import io.transitwatch.daemon.cli.CorrelateCommand;
import io.transitwatch.daemon.cli.IncidentsCommand;
import io.transitwatch.daemon.cli.ConfigCommand;
import io.transitwatch.daemon.cli.DemoCommand;
import io.transitwatch.daemon.cli.DoctorCommand;
import io.transitwatch.daemon.cli.ReplayCommand;
import io.transitwatch.daemon.cli.RunCommand;
import io.transitwatch.daemon.cli.SimulateCommand;
import io.transitwatch.daemon.cli.TailCommand;
import io.transitwatch.daemon.lifecycle.Logging;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point of the {@code transitwatch} command: wiring of the subcommands only. */
@Command(
        name = "transitwatch",
        mixinStandardHelpOptions = true,
        versionProvider = Version.class,
        description = "Joins what Cilium's Hubble reports as sent by the source node with what the "
                + "destination node reports as arrived, and alerts on packets lost in transit.",
        subcommands = {DemoCommand.class, RunCommand.class, CollectCommand.class, CorrelateCommand.class,
            IncidentsCommand.class, ReplayCommand.class, TailCommand.class, SimulateCommand.class, ConfigCommand.class,
            DoctorCommand.class, CommandLine.HelpCommand.class})
public final class TransitWatch {

    private TransitWatch() {}

    public static void main(String[] args) {
        Logging.configure();
        System.exit(commandLine().execute(args));
    }

    /** The command line {@code main} runs: every subcommand, enum values in any case. */
    public static CommandLine commandLine() {
        return new CommandLine(new TransitWatch()).setCaseInsensitiveEnumValuesAllowed(true);
    }
}
