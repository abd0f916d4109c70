package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.clock.JavaClock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.config.SinkKind;
import io.transitwatch.daemon.config.StdoutAlerts;
import io.transitwatch.daemon.config.StdoutFormat;
import io.transitwatch.daemon.threads.NamedThreadFactory;
import io.transitwatch.sinks.AlertSink;
import io.transitwatch.sinks.kafka.KafkaSink;
import io.transitwatch.sinks.kafka.KafkaSinkConfig;
import io.transitwatch.sinks.slack.SlackSink;
import io.transitwatch.sinks.slack.SlackSinkConfig;
import io.transitwatch.sinks.slack.SlackWebhook;
import io.transitwatch.sinks.stdout.StdoutSink;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** Stateless: makes the sinks named in {@code sinks} from their settings. */
public final class SinkAssembly {
    private SinkAssembly() {}

    static List<AlertSink> sinks(Settings settings, PrintStream stdout, Clock clock) {
        List<AlertSink> sinks = new ArrayList<>();
        for (SinkKind kind : settings.get(ConfigKeys.SINKS)) {
            sinks.add(switch (kind) {
                case STDOUT -> stdout(settings, stdout);
                case KAFKA -> kafka(settings);
                case SLACK -> slack(settings, clock);
            });
        }
        return sinks;
    }

    /** The stdout sink as {@code stdout.*} configures it (also {@code transitwatch replay}'s). */
    public static StdoutSink stdout(Settings settings, PrintStream stdout) {
        return new StdoutSink(stdout,
                settings.get(ConfigKeys.STDOUT_FORMAT) == StdoutFormat.TEXT ? StdoutSink.Format.TEXT
                        : StdoutSink.Format.JSON,
                settings.get(ConfigKeys.STDOUT_ALERTS) == StdoutAlerts.EVERY ? StdoutSink.Alerts.EVERY
                        : StdoutSink.Alerts.SUMMARY,
                settings.integer(ConfigKeys.STDOUT_SUMMARY_FIRST_ALERTS),
                settings.duration(ConfigKeys.STDOUT_SUMMARY_INTERVAL));
    }

    private static AlertSink kafka(Settings settings) {
        List<String> brokers = settings.get(ConfigKeys.KAFKA_BOOTSTRAP_SERVERS);
        KafkaSinkConfig config = KafkaSinkConfig.defaults(brokers.isEmpty() ? null : String.join(",", brokers))
                .withTopics(settings.string(ConfigKeys.KAFKA_TOPIC_ALERTS), settings.string(ConfigKeys.KAFKA_TOPIC_INCIDENTS))
                .withCluster(settings.string(ConfigKeys.KAFKA_CLUSTER))
                .withProducer(settings.passThrough(ConfigKeys.KAFKA_PRODUCER));
        return KafkaSink.create(config, System::nanoTime);
    }

    private static AlertSink slack(Settings settings, Clock clock) {
        SlackWebhook webhook = settings.find(ConfigKeys.SLACK_WEBHOOK_URL_FILE)
                .map(SlackWebhook::fromFile)
                .orElseGet(() -> SlackWebhook.fromEnv(settings.string(ConfigKeys.SLACK_WEBHOOK_URL_ENV),
                        name -> settings.environmentVariableNamedBy(ConfigKeys.SLACK_WEBHOOK_URL_ENV).orElse(null)));
        SlackSinkConfig config = SlackSinkConfig.defaults().withGrouping(settings.duration(ConfigKeys.SLACK_GROUP_WAIT),
                settings.duration(ConfigKeys.SLACK_GROUP_INTERVAL), settings.duration(ConfigKeys.SLACK_REPEAT_INTERVAL));
        return SlackSink.create(config, webhook, NamedThreadFactory.daemon("slack"), JavaClock.of(clock));
    }
}
