package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.Version;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.lifecycle.Collector;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code transitwatch collect}: one collector of the scaled mode (DESIGN §8). Wiring only; see {@link Collector}. */
@Command(name = "collect", mixinStandardHelpOptions = true, versionProvider = Version.class,
        description = "Scaled mode, collector role: streams from the Hubble servers of this shard's nodes "
                + "(scale.shards, scale.shard-index), decodes and classifies the flows as run does, and writes "
                + "join events and watermark heartbeats to scale.topic.events and observer status to "
                + "scale.topic.observers, until SIGINT/SIGTERM. See docs/event-topic.md.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:stopped by SIGTERM or SIGINT after a clean shutdown",
            "1:the configuration is invalid, the collector could not start, or Kafka did not take a record (the reason is printed)",
            "2:wrong usage (unknown option)"})
public final class CollectCommand implements Callable<Integer> {
    private static final System.Logger LOG = System.getLogger(CollectCommand.class.getName());

    @Mixin
    ConfigOptions configuration = new ConfigOptions();

    @Override
    public Integer call() throws InterruptedException {
        return ScaledRole.run("transitwatch collect", configuration.file(), configuration.sets(), settings -> {
            Collector collector = Collector.start(settings, Clock.SYSTEM);
            return ScaledRole.Running.of(collector::close, () -> collector.failed()
                    ? new IllegalStateException("a record could not be written to Kafka: " + collector.failure())
                    : null, collector.view());
        }, "closing the streams and flushing the producer", LOG);
    }
}
