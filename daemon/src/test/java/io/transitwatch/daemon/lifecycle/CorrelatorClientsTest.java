package io.transitwatch.daemon.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.config.ConfigLoader;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CorrelatorClientsTest {
    /**
     * A correlator killed inside a transaction holds its partitions' offsets and its alert partitions
     * until the broker aborts that transaction: the client's default (60 s) would outlast the new
     * owners' wait for stable offsets.
     */
    @Test
    void shouldLetTheBrokerAbortADeadCorrelatorsTransactionWithinTenSeconds() {
        Map<String, Object> producer = CorrelatorClients.producerProperties(
                ConfigLoader.load(null, Map.of(), List.of()), "kafka:9092", "correlator-0");

        assertEquals("10000", producer.get("transaction.timeout.ms"));
        assertEquals("correlator-0-correlate", producer.get("transactional.id"));
        assertEquals("60000", producer.get("max.block.ms"));
    }

    @Test
    void shouldKeepTheOperatorsTransactionTimeout() {
        Map<String, Object> producer = CorrelatorClients.producerProperties(ConfigLoader.load(null, Map.of(),
                List.of("kafka.producer.transaction.timeout.ms=30000", "kafka.producer.max.block.ms=5000")),
                "kafka:9092", "correlator-0");

        assertEquals("30000", producer.get("transaction.timeout.ms"));
        assertEquals("5000", producer.get("max.block.ms"));
    }
}
