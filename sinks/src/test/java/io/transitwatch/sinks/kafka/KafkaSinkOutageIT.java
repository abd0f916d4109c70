package io.transitwatch.sinks.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.sinks.Await;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.dispatch.DispatchSettings;
import io.transitwatch.sinks.dispatch.SinkCounters;
import io.transitwatch.sinks.dispatch.SinkDispatcher;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Broker outages under the Kafka sink: a real KRaft broker in its own JVM, stopped (SIGTERM)
 * and started again while the dispatcher keeps offering alerts.
 */
class KafkaSinkOutageIT {
    @TempDir
    static Path directory;
    private static ProcessBroker broker;

    @BeforeAll
    static void startBroker() throws Exception {
        broker = ProcessBroker.start(directory);
    }

    @AfterAll
    static void stopBroker() throws Exception {
        broker.close();
    }

    @Test
    void shouldDeliverEveryAlertExactlyOnceAcrossATenSecondBrokerOutage() throws Exception {
        KafkaTopics.create(broker.bootstrapServers(), "a2.alerts", "a2.incidents");
        KafkaSink sink = KafkaSink.create(KafkaSinkConfig.defaults(broker.bootstrapServers())
                .withTopics("a2.alerts", "a2.incidents"), System::nanoTime);
        SinkDispatcher dispatcher = KafkaSinkBrokerIT.dispatcher(sink, DispatchSettings.defaults());
        List<SinkEvent> alerts = KafkaSinkBrokerIT.alerts("01JKPZ5N4G", 400);

        alerts.subList(0, 100).forEach(dispatcher::offer);
        Await.until(() -> sink.delivered() == 100, "the first 100 delivered before the outage");

        broker.stopBroker();
        try {
            // Ten seconds of outage with alerts arriving all the while: the scenario, not an assertion.
            for (int second = 0; second < 10; second++) {
                alerts.subList(100 + 20 * second, 120 + 20 * second).forEach(dispatcher::offer);
                Thread.sleep(1_000);
            }
            assertEquals(0, sink.failed(), "within delivery.timeout.ms nothing is given up");
        } finally {
            broker.startBroker();
        }
        alerts.subList(300, 400).forEach(dispatcher::offer);
        assertTrue(dispatcher.close(Await.GENEROUS), "flushes everything the producer held");

        SinkCounters counters = dispatcher.counters("kafka");
        assertEquals(400, counters.sent());
        assertEquals(0, counters.dropped() + counters.failed());
        assertEquals(400, sink.delivered());
        assertEquals(0, sink.failed());

        List<ConsumerRecord<byte[], byte[]>> records = KafkaTopics.readAll(broker.bootstrapServers(), "a2.alerts", 400);
        List<String> ids = new ArrayList<>();
        for (ConsumerRecord<byte[], byte[]> record : records) {
            ids.add(KafkaSinkBrokerIT.headers(record).get("ce_id"));
        }
        assertEquals(400, new HashSet<>(ids).size(), "every alert arrived");
        assertEquals(400, ids.size(), "none arrived twice (idempotent producer)");
        assertEquals(alerts.stream().map(SinkEvent::id).toList(), ids, "in the order offered");
    }

    @Test
    void shouldCountExactlyWhatAnOutageLongerThanTheBufferLosesWithoutBlockingTheCaller() throws Exception {
        KafkaTopics.create(broker.bootstrapServers(), "a3.alerts", "a3.incidents");
        KafkaSinkConfig config = KafkaSinkConfig.defaults(broker.bootstrapServers())
                .withTopics("a3.alerts", "a3.incidents")
                .withProducer(Map.of(
                        "delivery.timeout.ms", "3000", "request.timeout.ms", "1000", "linger.ms", "0",
                        "max.block.ms", "100", "buffer.memory", "8192", "batch.size", "1024"));
        KafkaSink sink = KafkaSink.create(config, System::nanoTime);
        SinkDispatcher dispatcher = KafkaSinkBrokerIT.dispatcher(sink, DispatchSettings.defaults().withQueueCapacity(20).withMaxBatch(10));
        SinkCounters counters = dispatcher.counters("kafka");
        warmUp(dispatcher, sink);
        long droppedBefore = counters.dropped();
        long failedBefore = sink.failed();
        long settledBefore = counters.sent() + counters.dropped() + counters.failed();

        List<SinkEvent> duringOutage = KafkaSinkBrokerIT.alerts("01JKPZ5N6G", 300);
        broker.stopBroker();
        try {
            int refused = 0;
            for (SinkEvent alert : duringOutage) {
                refused += dispatcher.offer(alert) ? 0 : 1;
            }
            // The loop is done while the worker is still stuck on a full producer buffer:
            // the caller outran it, so it did not wait for it.
            long refusedCount = refused;
            assertTrue(refused > 0 && refusedCount == counters.dropped() - droppedBefore,
                    () -> "refused " + refusedCount + ", dropped " + (counters.dropped() - droppedBefore));

            Await.until(() -> counters.queued() == 0
                    && counters.sent() + counters.dropped() + counters.failed() == settledBefore + 300
                    && sink.inFlight() == 0, () -> "every alert accounted for: sent " + counters.sent() + " dropped "
                    + counters.dropped() + " in flight " + sink.inFlight());
        } finally {
            broker.startBroker();
        }
        Set<String> arrived = idsIn(KafkaTopics.readAll(broker.bootstrapServers(), "a3.alerts", 1));

        long lost = (counters.dropped() - droppedBefore) + (sink.failed() - failedBefore);
        long duringOutageArrived = duringOutage.stream().filter(a -> arrived.contains(a.id())).count();
        assertEquals(0, duringOutageArrived, "the broker was down longer than delivery.timeout.ms");
        assertEquals(300, lost, "dispatcher drops + producer failures = exactly what never arrived");
        assertTrue(sink.failed() > failedBefore, "some were held by the producer and given up on");
        assertEquals(0, counters.failed());

        // And the sink recovers once the broker is back.
        List<SinkEvent> after = KafkaSinkBrokerIT.alerts("01JKPZ5N7G", 5);
        after.forEach(dispatcher::offer);
        assertTrue(dispatcher.close(Await.GENEROUS));
        assertEquals(6, sink.delivered());
        Set<String> afterwards = idsIn(KafkaTopics.readAll(broker.bootstrapServers(), "a3.alerts", 6));
        assertTrue(afterwards.containsAll(after.stream().map(SinkEvent::id).toList()), afterwards::toString);
    }

    /**
     * Sends one alert, again until one is delivered: right after topic creation the producer may
     * not see the topic within the test's short max.block.ms.
     */
    private static void warmUp(SinkDispatcher dispatcher, KafkaSink sink) {
        int attempt = 0;
        while (sink.delivered() == 0) {
            long settled = sink.delivered() + sink.failed();
            dispatcher.offer(TestEvents.lostAlert(String.format("01JKPZ5N5G%016d", attempt++)));
            Await.until(() -> sink.delivered() + sink.failed() > settled, "the warm-up alert is settled");
        }
    }

    private static Set<String> idsIn(List<ConsumerRecord<byte[], byte[]>> records) {
        Set<String> ids = new HashSet<>();
        records.forEach(record -> ids.add(KafkaSinkBrokerIT.headers(record).get("ce_id")));
        return ids;
    }
}
