package io.transitwatch.sinks.dispatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.transitwatch.sinks.Await;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.TestThreads;
import io.transitwatch.sinks.kafka.KafkaSink;
import io.transitwatch.sinks.kafka.KafkaSinkConfig;
import io.transitwatch.sinks.kafka.KafkaTopics;
import io.transitwatch.sinks.kafka.TestBroker;
import io.transitwatch.sinks.slack.SlackSink;
import io.transitwatch.sinks.slack.SlackSinkConfig;
import io.transitwatch.sinks.slack.SlackStub;
import io.transitwatch.sinks.slack.SlackWebhook;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The dispatcher with both network sinks: a Slack that never answers holds up neither Kafka nor the caller. */
class SlowSlackDoesNotDelayKafkaIT {

    @Test
    void shouldDeliverToKafkaWhileTheSlackEndpointHangs() throws Exception {
        try (TestBroker broker = TestBroker.start(); SlackStub slack = new SlackStub(Clock.systemUTC())) {
            KafkaTopics.create(broker.bootstrapServers(), "iso.alerts", "iso.incidents");
            slack.hang();
            KafkaSink kafka = KafkaSink.create(KafkaSinkConfig.defaults(broker.bootstrapServers())
                    .withTopics("iso.alerts", "iso.incidents"), System::nanoTime);
            SlackSink slackSink = SlackSink.create(
                    SlackSinkConfig.defaults().withGrouping(Duration.ZERO, Duration.ofMinutes(5), Duration.ofHours(4))
                            .withRequestTimeout(Duration.ofMinutes(10)),
                    SlackWebhook.fromEnv("SLACK_URL", Map.of("SLACK_URL", slack.url())::get),
                    new TestThreads("slack"), Clock.systemUTC());
            SinkDispatcher dispatcher = new SinkDispatcher(List.of(kafka, slackSink), new TestThreads("sink"),
                    DispatchSettings.defaults(), System::nanoTime);
            dispatcher.start();

            dispatcher.offer(TestEvents.firing());
            Await.until(() -> slack.requests().size() == 1, "Slack got the first notification and is hanging on it");

            List<SinkEvent> events = new ArrayList<>();
            for (int i = 0; i < 300; i++) {
                events.add(TestEvents.lostAlert(String.format("01JKPZ5N8G%016d", i), "solwk0" + (i % 3 + 1), "solwk02"));
                events.add(TestEvents.firing(String.format("01JKPZ5N8H%016d", i), "solwk0" + (i % 3 + 1), "solwk02", i));
            }
            int refused = 0;
            for (SinkEvent event : events) {
                refused += dispatcher.offer(event) ? 0 : 1;
            }
            assertEquals(0, refused, "every offer was taken at once by both sinks' queues");

            Await.until(() -> kafka.delivered() == 601, () -> "Kafka delivered all 601 while Slack hangs, has " + kafka.delivered());
            assertEquals(1, slack.requests().size(), "Slack is still stuck on its first request");
            assertEquals(0, slackSink.delivered());
            Await.until(() -> dispatcher.counters("slack").sent() == 601, "the Slack sink merged everything into its groups");

            assertFalse(dispatcher.close(Duration.ofSeconds(3)), "Slack cannot flush: its endpoint never answers");
            assertEquals(601, dispatcher.counters("kafka").sent());
            assertEquals(0, kafka.failed());
            Await.until(() -> slackSink.failed() == 1, "the abandoned message is counted once the worker closed the sink");
        }
    }
}
