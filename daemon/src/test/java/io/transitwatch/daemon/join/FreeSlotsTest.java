package io.transitwatch.daemon.join;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

class FreeSlotsTest {
    @Test
    void handsOutTheLowestFreeSlotLikeASortedSet() {
        for (int capacity : new int[] {2, 8, 64, 100, 4096, 1 << 16}) {
            FreeSlots free = new FreeSlots(capacity);
            TreeSet<Integer> reference = new TreeSet<>();
            for (int slot = 0; slot < capacity; slot++) {
                reference.add(slot);
            }
            TreeSet<Integer> taken = new TreeSet<>();
            SplittableRandom random = new SplittableRandom(capacity);
            for (int step = 0; step < 100_000; step++) {
                assertEquals(reference.isEmpty(), free.isEmpty());
                if (!reference.isEmpty() && (taken.isEmpty() || random.nextInt(3) != 0)) {
                    int expected = reference.pollFirst();
                    assertEquals(expected, free.take(), "capacity " + capacity + ", step " + step);
                    taken.add(expected);
                } else if (!taken.isEmpty()) {
                    Integer back = taken.ceiling(random.nextInt(capacity));
                    back = back != null ? back : taken.first();
                    taken.remove(back);
                    free.give(back);
                    reference.add(back);
                }
            }
        }
    }

    @Test
    void afterABurstTheSlotsInUseArePackedAtTheStart() {
        FreeSlots free = new FreeSlots(1 << 16);
        int[] used = new int[50_000];
        for (int i = 0; i < used.length; i++) {
            used[i] = free.take();
        }
        SplittableRandom random = new SplittableRandom(3);
        for (int i = used.length - 1; i > 0; i--) { // the burst's entries are decided in any order
            int j = random.nextInt(i + 1);
            int t = used[i];
            used[i] = used[j];
            used[j] = t;
        }
        for (int slot : used) {
            free.give(slot);
        }
        int highest = 0;
        for (int i = 0; i < 500; i++) {
            highest = Math.max(highest, free.take());
        }
        assertEquals(499, highest, "500 entries after the burst take slots 0 to 499");
    }

    @Test
    void takingFromAFullTableFailsLoudly() {
        FreeSlots free = new FreeSlots(2);
        free.take();
        free.take();
        assertTrue(free.isEmpty());
        assertThrows(IllegalStateException.class, free::take);
    }
}
