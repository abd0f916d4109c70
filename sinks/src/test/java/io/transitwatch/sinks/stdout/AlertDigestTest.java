package io.transitwatch.sinks.stdout;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertEndpoint;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.Verdict;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The digest's memory: pairs without a firing incident are forgotten once quiet, and counts are never lost. */
class AlertDigestTest {

    @Test
    void pairsWithoutAnIncidentAreForgottenAfterTheQuietTimeAndTheirCountsPrintedFirst() {
        AlertDigest digest = new AlertDigest(1, Duration.ofSeconds(10));
        List<Object> out = new ArrayList<>();
        for (int pair = 0; pair < 50; pair++) {
            for (int i = 0; i < 3; i++) {
                digest.add(dropped(pair, i, 0), out);
            }
        }
        assertEquals(50, digest.pairCount());
        assertEquals(50, out.size(), "the first alert of each pair");

        // Long after, one pair speaks again: every other pair's count was due, and the quiet pairs go.
        long later = AlertDigest.FORGET_AFTER.plusSeconds(10).toMillis();
        digest.add(dropped(0, 99, later), out);
        List<AlertCount> counts = out.stream().filter(AlertCount.class::isInstance).map(AlertCount.class::cast).toList();
        assertEquals(50, counts.size(), "every pair's two counted alerts are printed before it is forgotten");
        counts.forEach(count -> assertEquals(2, count.count()));
        counts.forEach(count -> assertEquals(Verdict.DROPPED_AT_DESTINATION, count.verdict()));
        assertEquals(1, digest.pairCount(), "only the pair that spoke again is remembered");
    }

    private static Alert dropped(int pair, int i, long millis) {
        Alert base = TestEvents.lostAlert();
        AlertEndpoint s = base.source();
        return base.toBuilder().id(String.format("01JKPZ5N3G%08d%08d", pair, i)).verdict(Verdict.DROPPED_AT_DESTINATION)
                .dropReason("POLICY_DENIED").time(TestEvents.TIME.plusMillis(millis))
                .source(new AlertEndpoint("node-" + pair, s.ip(), s.port(), s.namespace(), s.pod(), s.workload(),
                        s.identity()))
                .build();
    }
}
