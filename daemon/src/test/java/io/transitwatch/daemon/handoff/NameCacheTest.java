package io.transitwatch.daemon.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class NameCacheTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long S = 1_000_000_000L;
    private static final Duration HOLD = Duration.ofSeconds(100);

    /**
     * Names that a slot chosen by length, first and last eight bytes cannot tell apart: every length
     * from 1 to 70 (short, whole words, a tail, past the cached maximum), prefixes of each other,
     * one byte changed at every position (the middle words included), each one framed at several
     * offsets and at the very end of its buffer. With one slot every name shares it.
     */
    @Test
    void neverAnswersANameWithAnotherNamesIdEvenWhenTheyShareASlot() {
        for (int slots : new int[] {1, 1024}) {
            StringDictionary dictionary = new StringDictionary(1 << 14);
            NameCache cache = new NameCache(dictionary, slots, false);
            List<String> names = new ArrayList<>();
            String base = "payments/checkout-api-7c9d8f6b5-x2k9z.default.svc.cluster.local:8443/abcdef";
            for (int length = 1; length <= 70; length++) {
                String prefix = base.substring(0, length);
                names.add(prefix);
                for (int at = 0; at < length; at++) {
                    names.add(prefix.substring(0, at) + 'Z' + prefix.substring(at + 1));
                }
            }
            for (int round = 0; round < 2; round++) { // the second round hits where the first filled
                for (String name : names) {
                    int expected = dictionary.intern(name);
                    for (int offset : new int[] {0, 3, 8}) {
                        assertEquals(expected, cache.intern(framed(name, offset, 5), offset, name.length()), name);
                        assertEquals(expected, cache.intern(framed(name, offset, 5), offset, name.length()), name);
                    }
                    byte[] atEnd = framed(name, 2, 0);
                    assertEquals(expected, cache.intern(atEnd, 2, name.length()), name + " at the end of its buffer");
                }
            }
        }
    }

    @Test
    void randomNamesAgainstAMap() {
        StringDictionary dictionary = new StringDictionary(1 << 12);
        NameCache cache = new NameCache(dictionary, 64, false);
        Random random = new Random(42);
        Map<String, Integer> ids = new HashMap<>();
        String[] pool = new String[500];
        for (int i = 0; i < pool.length; i++) {
            pool[i] = "app-" + random.nextInt(40) + "-" + Long.toHexString(random.nextLong() >>> random.nextInt(60));
        }
        for (int i = 0; i < 200_000; i++) {
            String name = pool[random.nextInt(pool.length)];
            int offset = random.nextInt(4);
            int id = cache.intern(framed(name, offset, random.nextInt(3)), offset, name.length());
            assertEquals(ids.computeIfAbsent(name, dictionary::intern), id, name);
            assertEquals(name, dictionary.get(id));
        }
        assertEquals(0, cache.intern(new byte[4], 2, 0), "empty is absent");
    }

    @Test
    void aPinnedCacheGivesPinnedIds() {
        ManualClock clock = new ManualClock(T0);
        StringDictionary dictionary = new StringDictionary(32, clock, HOLD);
        NameCache nodes = new NameCache(dictionary, 64, true);
        byte[] worker = "worker-1".getBytes(StandardCharsets.UTF_8);
        int node = nodes.intern(worker, 0, worker.length);
        assertEquals(node, nodes.intern(worker, 0, worker.length));
        assertEquals(3, dictionary.pinnedCount(), "two reserved and the node");
        for (int i = 0; i < 5_000; i++) {
            clock.advanceNanos(10 * S);
            dictionary.intern("pod-" + i);
        }
        assertTrue(dictionary.evictions() > 4_000);
        assertEquals(node, nodes.intern(worker, 0, worker.length));
        assertEquals("worker-1", dictionary.get(node));
    }

    @Test
    void aCachedIdThatWasRecycledIsLookedUpAnew() {
        ManualClock clock = new ManualClock(T0);
        StringDictionary dictionary = new StringDictionary(4, clock, HOLD); // ids 2 and 3
        NameCache cache = new NameCache(dictionary, 16, false);
        byte[] a = "a".getBytes(StandardCharsets.UTF_8);
        int first = cache.intern(a, 0, 1);
        assertEquals(first, cache.intern(a, 0, 1));
        dictionary.intern("b");
        clock.advanceNanos(30 * S);
        assertEquals(StringDictionary.OVERFLOW, dictionary.intern("c"));
        clock.advanceNanos(200 * S);
        int c = dictionary.intern("c"); // recycles a and b
        int again = cache.intern(a, 0, 1);
        assertEquals("a", dictionary.get(again), "the cached id was recycled: looked up anew");
        assertNotEquals(c, again);
        assertEquals("c", dictionary.get(c));
    }

    /**
     * The cache answers hits without the dictionary only within one generation; once a generation
     * passes, a hit marks the id used again, so a name a decoder keeps seeing is never recycled
     * under the flows that carry its id.
     */
    @Test
    void hitsKeepTheIdInUseAcrossGenerations() {
        ManualClock clock = new ManualClock(T0);
        StringDictionary dictionary = new StringDictionary(8, clock, HOLD); // ids 2..7
        NameCache cache = new NameCache(dictionary, 16, false);
        byte[] pod = "checkout-7c9d8f6b5-x2k9z".getBytes(StandardCharsets.UTF_8);
        int id = cache.intern(pod, 0, pod.length);
        for (int i = 0; i < 400; i++) {
            clock.advanceNanos(5 * S);
            assertEquals(id, cache.intern(pod, 0, pod.length), "in use: never recycled");
            dictionary.intern("churn-" + i); // inserts start generations and recycle the others
            assertEquals("checkout-7c9d8f6b5-x2k9z", dictionary.get(id), "the id still names the pod");
        }
        assertTrue(dictionary.evictions() > 50, "other ids were recycled: " + dictionary.evictions());
        assertEquals("checkout-7c9d8f6b5-x2k9z", dictionary.get(id));
    }

    @Test
    void slotsMustBeAPowerOfTwo() {
        StringDictionary dictionary = new StringDictionary(16);
        assertThrows(IllegalArgumentException.class, () -> new NameCache(dictionary, 3, false));
        assertThrows(IllegalArgumentException.class, () -> new NameCache(dictionary, 0, false));
    }

    /** {@code name} in UTF-8 with {@code before} bytes of 'x' before it and {@code after} after it. */
    private static byte[] framed(String name, int before, int after) {
        return ("x".repeat(before) + name + "y".repeat(after)).getBytes(StandardCharsets.UTF_8);
    }
}
