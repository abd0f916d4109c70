package io.transitwatch.sinks.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class TokenBucketTest {
    private static final Instant T0 = Instant.parse("2026-02-11T22:17:36Z");

    @Test
    void shouldAllowTheBurstThenOnePerSecond() {
        TokenBucket bucket = new TokenBucket(1.0, 3, T0);
        assertTrue(bucket.tryTake(T0));
        assertTrue(bucket.tryTake(T0));
        assertTrue(bucket.tryTake(T0));
        assertFalse(bucket.tryTake(T0));
        assertEquals(T0.plusSeconds(1), bucket.nextTokenAt(T0));
        assertFalse(bucket.tryTake(T0.plusMillis(999)));
        assertTrue(bucket.tryTake(T0.plusSeconds(1)));
        assertFalse(bucket.tryTake(T0.plusSeconds(1)));
    }

    @Test
    void shouldNotSaveUpMoreThanTheBurst() {
        TokenBucket bucket = new TokenBucket(1.0, 2, T0);
        Instant later = T0.plusSeconds(3600);
        assertTrue(bucket.tryTake(later));
        assertTrue(bucket.tryTake(later));
        assertFalse(bucket.tryTake(later));
    }
}
