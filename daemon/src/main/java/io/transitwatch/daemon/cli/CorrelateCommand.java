package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.lifecycle.Correlator;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code transitwatch correlate}: one correlator of the scaled mode (DESIGN §8). Wiring only; see {@link Correlator}. */
@Command(name = "correlate", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Scaled mode, correlator role: a member of the consumer group scale.correlator-group on "
                + "scale.topic.events (static member scale.member-id, else HOSTNAME); runs the single-process join "
                + "on each assigned partition and writes alerts to kafka.topic.alerts and verdict counts per node "
                + "pair to scale.topic.pair-counts, with the consumed offsets, in Kafka transactions, until "
                + "SIGINT/SIGTERM. See docs/scaling.md.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM or SIGINT after a clean shutdown",
            "1:the configuration is invalid, or the correlator could not start or stopped on an error (the reason is printed)",
            "2:wrong usage (unknown option)"})
public final class CorrelateCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(CorrelateCommand.class.getName());

    @Mixin
    ConfigOptions configuration = new ConfigOptions();

    @Override
    public Integer call() throws InterruptedException {
        return ScaledRole.run("transitwatch correlate", configuration.file(), configuration.sets(), settings -> {
            Correlator correlator = Correlator.start(settings, Clock.SYSTEM);
            return ScaledRole.Running.of(correlator::close, correlator::failure, correlator.view());
        }, "committing the batch in hand", LOG);
    }
}
