package io.transitwatch.daemon.handoff;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StringDictionaryTest {
    private static final long T0 = 1_700_000_000_000_000_000L;
    private static final long S = 1_000_000_000L;
    private static final Duration HOLD = Duration.ofSeconds(100);

    @Test
    void sameBytesGiveTheSameIdAndDifferentStringsDifferentIds() {
        StringDictionary dictionary = new StringDictionary(4096);
        Map<String, Integer> ids = new HashMap<>();
        // Every length from 1 to 40 (the hash reads 8 bytes at a time, then a tail), prefixes of each
        // other, and names differing in one byte at every position.
        String base = "kube-system/coredns-5d78c9869d-abcdefghij";
        for (int length = 1; length <= 40; length++) {
            String prefix = base.substring(0, length);
            ids.put(prefix, dictionary.intern(prefix));
            for (int at = 0; at < length; at++) {
                String changed = prefix.substring(0, at) + 'Z' + prefix.substring(at + 1);
                ids.put(changed, dictionary.intern(changed));
            }
        }

        assertEquals(ids.size(), ids.values().stream().distinct().count(), "one id per distinct string");
        byte[] framed = ("xx" + base + "yy").getBytes(StandardCharsets.UTF_8);
        for (Map.Entry<String, Integer> entry : ids.entrySet()) {
            assertEquals(entry.getKey(), dictionary.get(entry.getValue()));
            assertEquals(entry.getValue(), dictionary.intern(entry.getKey()));
        }
        assertEquals(ids.get(base.substring(0, 17)), dictionary.intern(framed, 2, 17), "bytes inside a buffer");
        assertNotEquals(0, dictionary.intern("é"));
        assertEquals(0, dictionary.intern(""));
    }

    @Test
    void withoutAClockNothingIsRecycledAndNewNamesOverflow() {
        StringDictionary dictionary = new StringDictionary(4);
        int a = dictionary.intern("a");
        int b = dictionary.intern("b");
        assertEquals(StringDictionary.OVERFLOW, dictionary.intern("c"));
        assertEquals("?", dictionary.get(StringDictionary.OVERFLOW));
        assertEquals(1, dictionary.overflowCount());
        assertEquals(0, dictionary.evictions());
        assertEquals("a", dictionary.get(a));
        assertEquals("b", dictionary.get(b));
        assertEquals(4, dictionary.size());
    }

    @Test
    void anIdInUseIsNeverRecycledAndAnOldOneIs() {
        ManualClock clock = new ManualClock(T0);
        StringDictionary dictionary = new StringDictionary(8, clock, HOLD); // ids 2..7
        int old = dictionary.intern("old-pod");
        int kept = dictionary.intern("kept-pod");
        for (int i = 0; i < 4; i++) {
            dictionary.intern("filler-" + i);
        }
        assertEquals(8, dictionary.size());

        // Full, and nothing has been unused for the hold time yet: a new name overflows.
        clock.advanceNanos(60 * S);
        assertEquals(StringDictionary.OVERFLOW, dictionary.intern("new-0"));
        assertEquals(0, dictionary.evictions());
        assertEquals(kept, dictionary.intern("kept-pod"));

        // Past the hold time for everything but kept-pod (interned 60 s in): those are recycled.
        clock.advanceNanos(101 * S);
        int fresh = dictionary.intern("new-1");
        assertNotEquals(StringDictionary.OVERFLOW, fresh);
        assertEquals("new-1", dictionary.get(fresh));
        assertEquals(5, dictionary.evictions(), "old-pod and the four fillers");
        assertEquals("kept-pod", dictionary.get(kept));
        assertEquals(kept, dictionary.intern("kept-pod"));
        assertTrue(fresh == old || dictionary.get(old) == null, "old-pod's id is free or reused");
        int again = dictionary.intern("old-pod");
        assertEquals("old-pod", dictionary.get(again), "an evicted name comes back with a valid id");
        assertEquals(5, dictionary.size(), "reserved ids, kept-pod, new-1, old-pod");
    }

    @Test
    void aNameInternedEveryFewSecondsKeepsItsIdWhileOthersChurnForHours() {
        ManualClock clock = new ManualClock(T0);
        StringDictionary dictionary = new StringDictionary(256, clock, HOLD);
        int kept = dictionary.intern("ens18");
        for (int i = 0; i < 20_000; i++) {
            clock.advanceNanos(S);
            int id = dictionary.intern("pod-" + i);
            assertNotEquals(StringDictionary.OVERFLOW, id);
            assertEquals("pod-" + i, dictionary.get(id));
            if (i % 50 == 0) {
                assertEquals(kept, dictionary.intern("ens18"), "in use: never recycled");
            }
            assertEquals("ens18", dictionary.get(kept));
        }
        assertTrue(dictionary.evictions() > 19_000, "ids were recycled: " + dictionary.evictions());
        assertEquals(0, dictionary.overflowCount());
        assertTrue(dictionary.size() <= 256);
        assertTrue(dictionary.tableOccupancy() * 4 <= dictionary.tableSize() * 3, "tombstones are cleaned up");
    }

    @Test
    void pinnedNamesAreNeverRecycled() {
        ManualClock clock = new ManualClock(T0);
        StringDictionary dictionary = new StringDictionary(32, clock, HOLD);
        int node = dictionary.pin("worker-1");
        int unpinnedFirst = dictionary.intern("worker-2");
        int pinnedLater = dictionary.pin("worker-2");
        assertEquals(unpinnedFirst, pinnedLater, "pinning a known name keeps its id");
        byte[] framed = "xxworker-1yy".getBytes(StandardCharsets.UTF_8);
        assertEquals(node, dictionary.internPinned(framed, 2, 8));
        for (int i = 0; i < 5_000; i++) {
            clock.advanceNanos(10 * S);
            dictionary.intern("pod-" + i);
        }
        assertTrue(dictionary.evictions() > 4_000);
        assertEquals("worker-1", dictionary.get(node));
        assertEquals("worker-2", dictionary.get(pinnedLater));
        assertEquals(node, dictionary.intern("worker-1"));
        assertEquals(4, dictionary.pinnedCount(), "two reserved, two nodes");
    }

    @Test
    void getOfARecycledIdIsNullNotAnotherName() {
        ManualClock clock = new ManualClock(T0);
        StringDictionary dictionary = new StringDictionary(4, clock, HOLD); // ids 2 and 3
        int a = dictionary.intern("a");
        dictionary.intern("b");
        clock.advanceNanos(30 * S);
        assertEquals(StringDictionary.OVERFLOW, dictionary.intern("c"));
        clock.advanceNanos(200 * S);
        int c = dictionary.intern("c"); // recycles a and b, takes one of their ids
        assertEquals("c", dictionary.get(c));
        int other = c == a ? 5 - a : a;
        assertNull(dictionary.get(other), "recycled and not given out again");
    }

    @Test
    void aMemoReturnsTheIdOfItsLastStringAndFollowsAChange() {
        StringDictionary dictionary = new StringDictionary(64);
        StringDictionary.Memo memo = new StringDictionary.Memo();
        byte[] message = "xxkube-systemyydefault".getBytes(StandardCharsets.UTF_8);
        int kubeSystem = dictionary.intern(message, 2, 11, memo);
        assertEquals("kube-system", dictionary.get(kubeSystem));
        assertEquals(kubeSystem, dictionary.intern(message, 2, 11, memo), "same bytes, from the memo");
        assertEquals(kubeSystem, dictionary.intern("kube-system"), "the memo's id is the dictionary's");
        int defaultNs = dictionary.intern(message, 15, 7, memo);
        assertEquals("default", dictionary.get(defaultNs), "other bytes are not taken for the memo's");
        dictionary.intern(message, 2, 11, memo);
        assertEquals("kube-syste", dictionary.get(dictionary.intern(message, 2, 10, memo)),
                "a prefix of the remembered string is another string");
        assertEquals(0, dictionary.intern(message, 2, 0, memo), "empty is absent");
        StringDictionary.Memo pinnedMemo = new StringDictionary.Memo();
        int node = dictionary.internPinned(message, 2, 11, pinnedMemo);
        assertEquals(node, dictionary.internPinned(message, 2, 11, pinnedMemo));
        assertEquals(dictionary.pin("kube-system"), node);
    }

    @Test
    void aMemoNeverReturnsARecycledId() {
        ManualClock clock = new ManualClock(T0);
        StringDictionary dictionary = new StringDictionary(4, clock, HOLD); // ids 2 and 3
        StringDictionary.Memo memo = new StringDictionary.Memo();
        byte[] a = "a".getBytes(StandardCharsets.UTF_8);
        dictionary.intern(a, 0, 1, memo);
        dictionary.intern("b");
        clock.advanceNanos(30 * S);
        assertEquals(StringDictionary.OVERFLOW, dictionary.intern("c"));
        clock.advanceNanos(200 * S);
        int c = dictionary.intern("c"); // recycles a and b
        int again = dictionary.intern(a, 0, 1, memo);
        assertEquals("a", dictionary.get(again), "the memo's entry was recycled: looked up anew");
        assertNotEquals(c, again);
    }

    /**
     * Four threads intern from shared and phase-local name pools (fixed seeds) while, between
     * phases, time moves on so that older phase names get recycled under the threads' lookups of the
     * shared ones. Within a phase every thread must get the same id for a name, and the id must
     * resolve to it; shared names never change id.
     */
    @Test
    void concurrentInterningGivesConsistentIdsWhileIdsAreRecycled() throws Exception {
        ManualClock clock = new ManualClock(T0);
        StringDictionary dictionary = new StringDictionary(256, clock, HOLD);
        int threads = 4;
        List<String> shared = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            shared.add("kube-system/shared-" + i);
        }
        Map<String, Integer> sharedIds = new HashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            for (int phase = 0; phase < 20; phase++) {
                List<String> names = new ArrayList<>(shared);
                for (int i = 0; i < 30; i++) {
                    names.add("default/phase-" + phase + "-pod-" + i);
                }
                CyclicBarrier start = new CyclicBarrier(threads);
                Map<String, Integer> agreed = new ConcurrentHashMap<>();
                List<Future<String>> results = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    long seed = phase * 31L + t;
                    results.add(pool.submit(() -> {
                        Random random = new Random(seed);
                        start.await();
                        for (int n = 0; n < 5_000; n++) {
                            String name = names.get(random.nextInt(names.size()));
                            byte[] utf8 = name.getBytes(StandardCharsets.UTF_8);
                            int id = dictionary.intern(utf8, 0, utf8.length);
                            Integer before = agreed.putIfAbsent(name, id);
                            if (before != null && before != id) {
                                return name + " got " + id + " and " + before;
                            }
                        }
                        return null;
                    }));
                }
                for (Future<String> result : results) {
                    assertNull(result.get(60, TimeUnit.SECONDS));
                }
                for (Map.Entry<String, Integer> entry : agreed.entrySet()) {
                    assertNotEquals(StringDictionary.OVERFLOW, entry.getValue(), entry.getKey());
                    assertEquals(entry.getKey(), dictionary.get(entry.getValue()));
                }
                assertEquals(agreed.size(), agreed.values().stream().distinct().count(), "one id per name");
                for (String name : shared) {
                    Integer id = agreed.get(name);
                    if (id != null) {
                        Integer first = sharedIds.putIfAbsent(name, id);
                        assertEquals(first == null ? id : first, id, name + " kept its id");
                    }
                }
                clock.advanceNanos(60 * S);
            }
        } finally {
            pool.shutdownNow();
        }
        assertTrue(dictionary.evictions() > 400, "phase names were recycled: " + dictionary.evictions());
        assertEquals(0, dictionary.overflowCount());
    }
}
