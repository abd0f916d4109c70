package io.transitwatch.daemon.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Sparse pair slots: bounded, stable while active, recycled when idle, and counted when short. */
class PairTableTest {

    @Test
    void givesEachPairOneSlotAndNoneBeyondCapacity() {
        PairTable table = new PairTable(3);
        int first = table.slotOf(1_000_001, 10);
        int second = table.slotOf(77, 10);
        assertNotEquals(first, second);
        assertEquals(first, table.slotOf(1_000_001, 20));
        table.slotOf(5, 20);
        assertEquals(PairTable.NONE, table.slotOf(6, 20), "the fourth pair of a three-slot table has no slot");
        assertEquals(3, table.active());
        assertEquals(3, table.highWater());
    }

    /** A clock hand freeing half the pairs at once leaves at most a quarter of the capacity in tombstones, and every live pair findable. */
    @Test
    void massReclaimKeepsTombstonesBoundedAndLivePairsInPlace() {
        PairTable table = new PairTable(256);
        int[] slot = new int[256];
        for (int key = 0; key < 256; key++) {
            slot[key] = table.slotOf(key * 7919, 1);
        }
        for (int key = 0; key < 256; key += 2) {
            table.slotOf(key * 7919, 100);
        }
        List<Integer> freed = new ArrayList<>();
        table.reclaimIdle(50, 256, freed::add);
        assertEquals(128, freed.size(), "every idle pair freed");
        assertTrue(table.tombstones() <= 256 / 4, "tombstones " + table.tombstones());
        for (int key = 0; key < 256; key += 2) {
            assertEquals(slot[key], table.slotOf(key * 7919, 200), "live pair " + key + " keeps its slot");
        }
        Set<Integer> reused = new HashSet<>();
        for (int key = 1000; key < 1128; key++) {
            reused.add(table.slotOf(key * 7919, 200));
        }
        assertEquals(new HashSet<>(freed), reused, "new pairs take exactly the freed slots");
        assertEquals(PairTable.NONE, table.slotOf(5_000_000, 200), "and then the table is full");
    }

    /** Random activity against a map model: every live key keeps its slot through recycling of others. */
    @Test
    void recyclesOnlyIdleSlotsAndKeepsEveryLiveKeyFindable() {
        SplittableRandom random = new SplittableRandom(42);
        PairTable table = new PairTable(64);
        Map<Integer, Integer> slotOfKey = new HashMap<>();
        Map<Integer, Long> lastUse = new HashMap<>();
        for (long now = 1; now < 5_000; now++) {
            int key = random.nextInt(200) * 7919; // collide in the hash table on purpose: 200 keys, 64 slots
            int slot = table.slotOf(key, now);
            if (slotOfKey.containsKey(key)) {
                assertEquals(slotOfKey.get(key), slot, "a live pair keeps its slot");
            } else if (slot != PairTable.NONE) {
                assertFalse(slotOfKey.containsValue(slot), "a slot counts one pair at a time");
                slotOfKey.put(key, slot);
            }
            if (slot != PairTable.NONE) {
                lastUse.put(key, now);
            }
            if (now % 50 == 0) {
                long idleBefore = now - 40;
                List<Integer> freed = new ArrayList<>();
                table.reclaimIdle(idleBefore, 64, freed::add);
                for (int freedSlot : freed) {
                    Integer owner = slotOfKey.entrySet().stream().filter(e -> e.getValue() == freedSlot)
                            .map(Map.Entry::getKey).findFirst().orElseThrow();
                    assertTrue(lastUse.get(owner) < idleBefore, "only idle pairs lose their slot");
                    slotOfKey.remove(owner);
                }
                Set<Integer> expectedIdle = new HashSet<>();
                slotOfKey.forEach((k, s) -> {
                    if (lastUse.get(k) < idleBefore) {
                        expectedIdle.add(k);
                    }
                });
                assertEquals(Set.of(), expectedIdle, "a full sweep frees every idle pair");
                assertEquals(slotOfKey.size(), table.active());
            }
        }
        assertTrue(table.highWater() <= 64);
    }

    @Test
    void countersRecycleIdlePairsOnlyUnderPressureAndCountTheMisses() {
        JoinCounters counters = new JoinCounters(16, 8);
        List<Integer> told = new ArrayList<>();
        VerdictListener listener = new VerdictListener() {
            @Override
            public void onMatched(DepartureView departure, long transitNanos) {}

            @Override
            public long onLost(DepartureView departure) {
                return 0;
            }

            @Override
            public void onDroppedAtDestination(DepartureView departure) {}

            @Override
            public void onUnverified(DepartureView departure, UnverifiedReason reason) {}

            @Override
            public void onLate(DepartureView departure, long lostToken, long lateByNanos) {}

            @Override
            public void onPairRecycled(int pair) {
                told.add(pair);
            }
        };
        counters.setTime(100);
        int idle = counters.pairSlot(0, 1, JoinConstants.FAMILY_IPV4, 11, 12);
        counters.incrementPair(idle, JoinCounters.PerPair.LOST);
        counters.reclaimIdlePairs(1_000, 64, listener);
        assertTrue(counters.pairInUse(idle), "slots are plentiful: nothing is recycled");

        counters.setTime(2_000);
        for (int destination = 2; destination < 9; destination++) {
            assertNotEquals(-1, counters.pairSlot(0, destination, JoinConstants.FAMILY_IPV6, 11, 20 + destination));
        }
        assertEquals(-1, counters.pairSlot(3, 4, JoinConstants.FAMILY_IPV4, 13, 14), "all 8 slots taken");
        counters.publish(); // as the engine does at the end of each batch and duty cycle
        assertEquals(1, counters.get(JoinCounters.Global.PAIR_SLOT_MISSES));

        counters.reclaimIdlePairs(1_000, 64, listener);
        counters.publish();
        assertEquals(List.of(idle), told, "the pair idle since 100 is the only one recycled");
        assertFalse(counters.pairInUse(idle));
        assertEquals(0, counters.pair(idle, JoinCounters.PerPair.LOST), "its counters start from zero");
        assertEquals(1, counters.get(JoinCounters.Global.PAIRS_RECYCLED));
        assertEquals(7, counters.activePairs());

        int reused = counters.pairSlot(3, 4, JoinConstants.FAMILY_IPV4, 13, 14);
        assertEquals(idle, reused);
        assertEquals(13, counters.pairSourceNode(reused));
        assertEquals(14, counters.pairDestinationNode(reused));
        assertEquals(8, counters.pairCount(), "readers iterate below the high-water mark");
    }
}
