package io.transitwatch.bench.scale;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.scale.PairCount;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PairCountSumsTest {
    private static String json(PairCount count) {
        return new String(count.toJson(), StandardCharsets.UTF_8);
    }

    @Test
    void theVerdictsOfEveryPairCountAreSummedByNameAndZeroesLeftOut() {
        Map<String, Long> sums = ScalePhases.sums(List.of(
                json(new PairCount(PairCount.PAIR, "solwk01", "solwk02", "ipv4", 120, 2, 0, 1, 3, 0, 0, 0)),
                json(new PairCount(PairCount.PAIR, "solwk02", "solwk01", "ipv6", 80, 0, 0, 0, 0, 0, 0, 0)),
                json(new PairCount(PairCount.ROUND_TRIP, "solwk01", "kube-apiserver", "ipv4", 0, 0, 0, 0, 2, 7, 1, 0))));
        assertEquals(Map.of("matched", 200L, "lost", 2L, "late", 1L, "unverified", 5L, "answered", 7L, "noReply", 1L),
                sums);
    }

    @Test
    void aValueThatIsNotAPairCountIsCountedNotSummed() {
        Map<String, Long> sums = ScalePhases.sums(List.of("{\"schema\":\"transitwatch.alert/v1\"}", "not json",
                json(new PairCount(PairCount.PAIR, "a", "b", "ipv4", 5, 0, 0, 0, 0, 0, 0, 0))));
        assertEquals(Map.of("matched", 5L, "undecodable", 2L), sums);
    }
}
