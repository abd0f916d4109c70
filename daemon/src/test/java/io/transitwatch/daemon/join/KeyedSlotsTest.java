package io.transitwatch.daemon.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KeyedSlotsTest {
    private record Key(long a, long b, long c, long d, long e) {}

    @Test
    void findsExactlyWhatAHashMapFindsThroughInsertsAndRemovals() {
        long compactions = 0;
        for (int capacity : new int[] {2, 8, 64, 1024}) {
            KeyedSlots slots = new KeyedSlots(capacity, 3);
            Map<Key, Integer> reference = new HashMap<>();
            List<Key> present = new ArrayList<>();
            SplittableRandom random = new SplittableRandom(capacity);
            for (int step = 0; step < 200_000; step++) {
                // Few distinct words, so keys share most of their words and probe runs collide.
                Key key = new Key(random.nextInt(3), random.nextInt(2), random.nextInt(3), random.nextInt(2),
                        random.nextInt(capacity * 2));
                Integer expected = reference.get(key);
                assertEquals(expected == null ? KeyedSlots.NONE : expected,
                        slots.find(key.a(), key.b(), key.c(), key.d(), key.e()), "step " + step + " " + key);
                if (expected == null && !slots.isFull() && random.nextBoolean()) {
                    int slot = slots.insert(key.a(), key.b(), key.c(), key.d(), key.e(), random.nextInt(3));
                    reference.put(key, slot);
                    present.add(key);
                } else if (!present.isEmpty() && random.nextInt(3) == 0) {
                    Key gone = present.remove(random.nextInt(present.size()));
                    slots.remove(reference.remove(gone));
                }
                assertEquals(reference.size(), slots.size());
            }
            for (Key key : present) {
                int slot = reference.get(key);
                assertEquals(List.of(key.a(), key.b(), key.c(), key.d(), key.e()),
                        List.of(slots.k0(slot), slots.k1(slot), slots.k2(slot), slots.k3(slot), slots.k4(slot)));
            }
            compactions += slots.compactions();
        }
        assertTrue(compactions > 0, "the index was rebuilt from its live slots, and nothing was lost doing so");
    }

    @Test
    void massRemovalLeavesBoundedTombstonesAndFindsEveryRemainingKey() {
        int capacity = 4096;
        KeyedSlots slots = new KeyedSlots(capacity, 2);
        SplittableRandom random = new SplittableRandom(7);
        long[] slotKey = new long[capacity];
        int removals = 0;
        for (int round = 0; round < 20; round++) {
            fillWithRandomKeys(slots, random, slotKey);
            // Expire most of the table at once, lane by lane, as overload does: the index must not fill up
            // with tombstones, and every entry still present must be found.
            for (int lane = 0; lane < 2; lane++) {
                int slot;
                while ((slot = slots.oldest(lane)) != KeyedSlots.NONE && random.nextInt(8) != 0) {
                    slots.remove(slot);
                    removals++;
                    assertTrue(slots.tombstones() <= capacity / 4, "tombstones " + slots.tombstones());
                }
            }
            assertEveryLiveSlotFound(slots, slotKey);
        }
        assertEquals(KeyedSlots.NONE, slots.find(42, 1, 2, 3, 4));
        assertTrue(slots.compactions() <= removals / (capacity / 4), "compactions " + slots.compactions());
    }

    @Test
    void theIndexGrowsWithItsEntriesAndShrinksBackWithoutLosingAKeyOrCostingMorePerOperation() {
        int capacity = 1 << 16;
        KeyedSlots slots = new KeyedSlots(capacity, 4);
        assertEquals(SlotIndex.MIN_WORDS, slots.indexWordsInUse(), "an empty index uses its minimum");
        SplittableRandom random = new SplittableRandom(5);
        long[] slotKey = new long[capacity];
        long operations = 0;
        for (int round = 0; round < 4; round++) {
            // An outage: the table fills up; then its verdicts empty it down to a few entries, as after overload.
            operations += fillWithRandomKeys(slots, random, slotKey);
            assertEquals(2 * capacity, slots.indexWordsInUse(), "a full table's index uses every word");
            while (slots.size() > 40) {
                int slot = slots.oldest(random.nextInt(4));
                if (slot != KeyedSlots.NONE) {
                    slots.remove(slot);
                    operations++;
                }
            }
            assertEquals(SlotIndex.MIN_WORDS, slots.indexWordsInUse(), "the index shrank back to its entries");
            assertEveryLiveSlotFound(slots, slotKey);
            assertEquals(KeyedSlots.NONE, slots.find(42, 1, 2, 3, 4));
        }
        // Each resize is paid for by the inserts or removals since the last one: a few lines each, not a cliff.
        double workPerOperation = (double) slots.indexWorkSteps() / operations;
        assertTrue(workPerOperation < 6, "index work per insert or removal " + workPerOperation);
    }

    @Test
    void aSharedIndexResizedUnderBothTablesFindsEachKeyInItsOwnTable() {
        int capacity = 1 << 13;
        SlotIndex shared = new SlotIndex(capacity, 2 * capacity);
        KeyedSlots pending = new KeyedSlots(capacity, 4, shared);
        KeyedSlots arrivals = new KeyedSlots(capacity, 1, shared);
        SplittableRandom random = new SplittableRandom(13);
        Map<Long, Integer> inPending = new HashMap<>();
        Map<Long, Integer> inArrivals = new HashMap<>();
        int largest = 0;
        for (int round = 0; round < 3; round++) {
            while (!pending.isFull() || !arrivals.isFull()) { // an outage fills both
                long key = random.nextLong();
                boolean toPending = arrivals.isFull() || (!pending.isFull() && random.nextBoolean());
                KeyedSlots table = toPending ? pending : arrivals;
                int slot = table.insert(FlowKey.hash(key, 1, 2, 3, 4), key, 1, 2, 3, 4, toPending ? random.nextInt(4) : 0);
                (toPending ? inPending : inArrivals).put(key, slot);
                largest = Math.max(largest, shared.wordsInUse());
            }
            List<Long> keys = new ArrayList<>(inPending.keySet());
            keys.addAll(inArrivals.keySet());
            java.util.Collections.shuffle(keys, new java.util.Random(round));
            for (int n = 0; n < keys.size() - 20; n++) { // then its verdicts drain both, in any order
                long key = keys.get(n);
                Integer slot = inPending.remove(key);
                if (slot != null) {
                    pending.remove(slot);
                } else {
                    arrivals.remove(inArrivals.remove(key));
                }
                if (n % 997 == 0) {
                    assertEveryKeyInItsTable(shared, pending, arrivals, inPending, inArrivals);
                }
            }
            assertEveryKeyInItsTable(shared, pending, arrivals, inPending, inArrivals);
            assertEquals(SlotIndex.MIN_WORDS, shared.wordsInUse(), "shrank back to its 20 entries");
        }
        assertEquals(4 * capacity, largest, "grew to every word when both tables were full");
    }

    private static void assertEveryKeyInItsTable(SlotIndex shared, KeyedSlots pending, KeyedSlots arrivals,
            Map<Long, Integer> inPending, Map<Long, Integer> inArrivals) {
        assertKeysFoundIn(shared, pending, arrivals, inPending);
        assertKeysFoundIn(shared, arrivals, pending, inArrivals);
    }

    /** Each key of {@code slotOfKey} is found through the shared index in {@code own} at its slot, never in {@code other}. */
    private static void assertKeysFoundIn(SlotIndex shared, KeyedSlots own, KeyedSlots other,
            Map<Long, Integer> slotOfKey) {
        for (Map.Entry<Long, Integer> e : slotOfKey.entrySet()) {
            int ref = shared.findEither(FlowKey.hash(e.getKey(), 1, 2, 3, 4), e.getKey(), 1, 2, 3, 4);
            assertEquals((int) e.getValue(), own.slotOf(ref));
            assertEquals(KeyedSlots.NONE, other.slotOf(ref));
        }
    }

    /** Inserts random keys (k1..k4 fixed) into random lanes until the table is full; returns how many. */
    private static int fillWithRandomKeys(KeyedSlots slots, SplittableRandom random, long[] slotKey) {
        int inserted = 0;
        while (!slots.isFull()) {
            long key = random.nextLong();
            slotKey[slots.insert(key, 1, 2, 3, 4, random.nextInt(slots.lanes()))] = key;
            inserted++;
        }
        return inserted;
    }

    /** Every entry still linked in a lane is found by its key at its slot. */
    private static void assertEveryLiveSlotFound(KeyedSlots slots, long[] slotKey) {
        for (int lane = 0; lane < slots.lanes(); lane++) {
            for (int slot = slots.oldest(lane); slot != KeyedSlots.NONE; slot = slots.newer(slot)) {
                assertEquals(slot, slots.find(slotKey[slot], 1, 2, 3, 4));
            }
        }
    }

    @Test
    void twoTablesSharingAnIndexFindTheirOwnKeysInOneProbe() {
        SlotIndex shared = new SlotIndex(64, 64 + 16);
        KeyedSlots pending = new KeyedSlots(64, 4, shared);
        KeyedSlots arrivals = new KeyedSlots(16, 1, shared);
        Map<Key, Integer> inPending = new HashMap<>();
        Map<Key, Integer> inArrivals = new HashMap<>();
        SplittableRandom random = new SplittableRandom(11);
        for (int step = 0; step < 200_000; step++) {
            Key key = new Key(random.nextInt(3), random.nextInt(2), random.nextInt(3), random.nextInt(2), random.nextInt(200));
            int hash = FlowKey.hash(key.a(), key.b(), key.c(), key.d(), key.e());
            int ref = shared.findEither(hash, key.a(), key.b(), key.c(), key.d(), key.e());
            Integer expectedPending = inPending.get(key);
            Integer expectedArrival = inArrivals.get(key);
            assertEquals(expectedPending == null ? KeyedSlots.NONE : expectedPending, pending.slotOf(ref), "step " + step);
            assertEquals(expectedArrival == null ? KeyedSlots.NONE : expectedArrival, arrivals.slotOf(ref), "step " + step);
            assertEquals(pending.slotOf(ref), pending.find(key.a(), key.b(), key.c(), key.d(), key.e()));
            assertEquals(arrivals.slotOf(ref), arrivals.find(key.a(), key.b(), key.c(), key.d(), key.e()));
            if (ref == SlotIndex.NONE) { // a key lives in at most one of the two, as a departure and its arrival do
                KeyedSlots table = random.nextBoolean() ? pending : arrivals;
                if (!table.isFull()) {
                    int slot = table.insert(hash, key.a(), key.b(), key.c(), key.d(), key.e(), 0);
                    (table == pending ? inPending : inArrivals).put(key, slot);
                }
            } else if (random.nextInt(3) != 0) {
                boolean fromPending = expectedPending != null;
                (fromPending ? pending : arrivals).remove(fromPending ? expectedPending : expectedArrival);
                (fromPending ? inPending : inArrivals).remove(key);
            }
        }
        assertTrue(shared.compactions() > 0, "the shared index was rebuilt from both tables");
    }

    @Test
    void lanesKeepInsertionOrderAcrossRemovals() {
        KeyedSlots slots = new KeyedSlots(8, 2);
        int first = slots.insert(1, 0, 0, 0, 1, 1);
        int second = slots.insert(1, 0, 0, 0, 2, 1);
        int third = slots.insert(1, 0, 0, 0, 3, 1);
        slots.insert(1, 0, 0, 0, 4, 0);

        slots.remove(second);

        assertEquals(first, slots.oldest(1));
        assertEquals(third, slots.newer(first));
        assertEquals(KeyedSlots.NONE, slots.newer(third));
    }

    @Test
    void rejectsACapacityThatIsNotAPowerOfTwoOrTooLarge() {
        assertThrows(IllegalArgumentException.class, () -> new KeyedSlots(6, 1));
        assertThrows(IllegalArgumentException.class, () -> new KeyedSlots(KeyedSlots.MAX_CAPACITY * 2, 1));
    }
}
