package io.transitwatch.daemon.incident;

import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinHarness;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertEndpoint;
import io.transitwatch.sinks.EventIds;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Months of pod churn in miniature: a recycling dictionary of 1 024 ids sees 200 000 pod names over
 * ~111 simulated hours, through the path that names alerts (decoder-style interning → join →
 * {@code Topology.learn} → {@link AlertFactory} resolving the topology's ids). Every alert must name
 * exactly the pods its flow named; a placement kept alive by lookups alone (a dead pod's IP still
 * being called) must lose its name rather than show a recycled one.
 */
class DictionarySoakTest {
    private static final int CAPACITY = 1024;
    private static final int FLOWS = 100_000;
    private static final long STEP = 4 * S;
    private static final String ZOMBIE_IP = "10.0.2.250";
    private static final String ZOMBIE_POD = "zombie-0";

    /** Expected names per source port: namespace, source pod, source workload, destination pod, destination workload. */
    private final Map<Integer, String[]> expected = new HashMap<>();
    private int alertsChecked;
    private int lateChecked;
    private int zombieNamed;
    private int zombieForgotten;

    @Test
    void everyAlertNamesThePodsItsFlowNamedWhileIdsAreRecycled() {
        ManualClock clock = new ManualClock(T0);
        JoinConfig config = JoinConfig.defaults().withCapacities(1024, 1024, 256);
        // As Daemon.dictionaryHold: the harness topology's TTL (10 min) + window, arrival memory,
        // max-behind, down-grace, catch-up, late horizon + 1 min.
        Duration hold = Duration.ofMinutes(10).plus(config.window()).plus(config.arrivalMemory())
                .plus(config.maxBehind()).plus(config.downGrace()).plus(config.catchUpLimit())
                .plus(config.lateHorizon()).plus(Duration.ofMinutes(1));
        StringDictionary dictionary = new StringDictionary(CAPACITY, clock, hold);
        JoinHarness join = new JoinHarness(dictionary, config, (d, topology) -> {
            EventIds ids = new EventIds(Clock.fixed(Instant.ofEpochSecond(0, T0), ZoneOffset.UTC), new Random(1));
            IncidentTracker incidents = new IncidentTracker(
                    new IncidentConfig(Duration.ofSeconds(20), Duration.ofSeconds(30), 5), 8192, ids, this::check);
            return new AlertFactory(d, topology, incidents, ids, this::check, 256);
        }).allUp();

        for (int i = 0; i < FLOWS; i++) {
            long t = T0 + S + i * STEP;
            clock.set(t);
            join.unjoinableEvent("a", t);
            join.unjoinableEvent("b", t);
            String namespace = "team-" + (i % 7);
            String client = "client-" + i + "-7d9f8b6c5d-x" + Integer.toString(i, 36);
            String server = "server-" + i + "-5f6d7c8b9a-y" + Integer.toString(i, 36);
            String clientWorkload = "client-" + (i / 1000);
            String serverWorkload = "server-" + (i / 1000);
            // Pod IPs are reused as pods are re-created.
            String clientIp = "10.0.1." + (1 + i % 200);
            String serverIp = "10.0.2." + (1 + i % 200);
            int port = 1024 + i % 30_000;
            expected.put(port, new String[] {namespace, client, clientWorkload, server, serverWorkload});
            join.departure("a", clientIp, port, serverIp, 9090)
                    .from(namespace, client, clientWorkload).to(namespace, server, serverWorkload).at(t);

            // A dead pod's IP that is still being called: the flows carry no destination names.
            int zombiePort = 31_024 + i % 30_000;
            expected.put(zombiePort, new String[] {namespace, client, clientWorkload, null, null});
            JoinHarness.Flow toZombie = join.departure("a", clientIp, zombiePort, ZOMBIE_IP, 8080)
                    .from(namespace, client, clientWorkload);
            if (i == 0) {
                toZombie.to("default", ZOMBIE_POD, "zombie");
            }
            toZombie.at(t);

            if (i >= 5 && i % 10 == 5) {
                // The arrival of the flow of 20 s ago, long after its LOST verdict: a LATE alert.
                int late = i - 5;
                join.arrival("b", "10.0.1." + (1 + late % 200), 1024 + late % 30_000,
                        "10.0.2." + (1 + late % 200), 9090).at(t);
            }
            join.advance(t);

            if (i % 1000 == 999) {
                assertTrue(dictionary.size() <= CAPACITY, "size " + dictionary.size());
                assertTrue(dictionary.tableOccupancy() * 4L <= dictionary.tableSize() * 3L,
                        "table occupancy " + dictionary.tableOccupancy() + " of " + dictionary.tableSize());
                assertEquals(0, dictionary.overflowCount(), "no ? while the live names fit");
            }
        }

        assertTrue(alertsChecked >= 2 * FLOWS - 10, "alerts checked: " + alertsChecked);
        assertTrue(lateChecked >= FLOWS / 10 - 2, "LATE alerts checked: " + lateChecked);
        assertTrue(zombieNamed > 0 && zombieForgotten > 0, zombieNamed + " / " + zombieForgotten);
        assertEquals(0, dictionary.overflowCount());
        assertTrue(dictionary.evictions() >= 2L * FLOWS - CAPACITY, "evictions " + dictionary.evictions());
        assertTrue(dictionary.size() <= CAPACITY);
        assertEquals(2 * CAPACITY, dictionary.tableSize(), "the table never grows");
    }

    private void check(SinkEvent event) {
        if (!(event instanceof Alert alert)) {
            return;
        }
        String[] names = expected.get(alert.source().port());
        assertNotNull(names, "alert for an unknown flow: " + alert);
        AlertEndpoint source = alert.source();
        AlertEndpoint destination = alert.destination();
        assertEquals("a", source.node());
        assertEquals("b", destination.node());
        assertEquals(names[0], source.namespace());
        assertEquals(names[1], source.pod());
        assertEquals(names[2], source.workload());
        // A LATE alert's evidence is the arrival's; the lost history keeps no interface name.
        assertEquals(alert.verdict() == Verdict.LATE ? null : "ens18", alert.evidence().interfaceName());
        if (destination.ip().equals(ZOMBIE_IP)) {
            if (destination.pod() == null) {
                zombieForgotten++;
                assertEquals(null, destination.namespace());
                assertEquals(null, destination.workload());
            } else {
                zombieNamed++;
                assertEquals(ZOMBIE_POD, destination.pod(), "a dead pod's IP never shows a recycled name");
                assertEquals("zombie", destination.workload());
            }
        } else {
            assertEquals(names[0], destination.namespace());
            assertEquals(names[3], destination.pod());
            assertEquals(names[4], destination.workload());
        }
        if (alert.verdict() == Verdict.LATE) {
            lateChecked++;
        }
        alertsChecked++;
    }
}
