package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.lifecycle.IncidentStage;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code transitwatch incidents}: the incident stage of the scaled mode (DESIGN §8). Wiring only; see {@link IncidentStage}. */
@Command(name = "incidents", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Scaled mode, incident stage: the consumer group scale.incident-group on kafka.topic.alerts "
                + "and scale.topic.pair-counts; runs the incident tracker and the sinks (stdout, Slack, and incident "
                + "changes to kafka.topic.incidents) as run does, until SIGINT/SIGTERM. Run exactly one. "
                + "See docs/scaling.md.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM or SIGINT after a clean shutdown",
            "1:the configuration is invalid, or the incident stage could not start (the reason is printed)",
            "2:wrong usage (unknown option)"})
public final class IncidentsCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(IncidentsCommand.class.getName());

    @Mixin
    ConfigOptions configuration = new ConfigOptions();

    @Override
    public Integer call() throws InterruptedException {
        return ScaledRole.run("transitwatch incidents", configuration.file(), configuration.sets(), settings -> {
            IncidentStage stage = IncidentStage.start(settings, Clock.SYSTEM, System.out);
            return ScaledRole.Running.of(stage::close, () -> null, stage.view());
        }, "flushing the sinks", LOG);
    }
}
