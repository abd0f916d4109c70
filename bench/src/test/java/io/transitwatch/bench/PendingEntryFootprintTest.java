package io.transitwatch.bench;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinEngine;
import io.transitwatch.daemon.join.VerdictListener;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * DESIGN §5: at most 96 B of heap per pending entry. Measured from the engine's real tables rather
 * than from their Javadoc: every primitive array reachable from the engine's pending-departure store
 * (its own columns, its {@code KeyedSlots} keys and links, and its share of the {@code SlotIndex} it
 * shares with the remembered arrivals) whose length grows with the
 * capacity, counted as {@code length × element size} and divided by the capacity. Lane heads and tails
 * (one per node) and array headers are fixed costs, reported separately.
 */
class PendingEntryFootprintTest {

    @Test
    void pendingEntryFitsTheBudget() throws ReflectiveOperationException {
        JoinConfig config = JoinConfig.defaults();
        TransitStream stream = TransitStream.generate(1_000, 1);
        JoinEngine engine = new JoinEngine(config, stream.newTopology(), VerdictListener.NONE,
                new JoinCounters(config.maxNodes(), config.maxPairs()));
        Object pending = field(engine, "pending");
        int capacity = config.pendingCapacity();

        Map<String, Long> perEntry = new TreeMap<>();
        long[] fixed = new long[1];
        collect("PendingDepartures", pending, capacity, perEntry, fixed);
        Object slots = field(pending, "slots");
        collect("KeyedSlots", slots, capacity, perEntry, fixed);
        // The hash index is shared with the remembered arrivals: its words are counted per slot of both tables.
        collect("SlotIndex", field(slots, "index"), capacity + config.arrivalCapacity(), perEntry, fixed);

        long bytesPerEntry = perEntry.values().stream().mapToLong(Long::longValue).sum();
        System.out.printf("pending entry: %d B at capacity %,d (fixed: %,d B); per column: %s%n",
                bytesPerEntry, capacity, fixed[0], perEntry);
        assertTrue(bytesPerEntry <= 96, "pending entry costs " + bytesPerEntry + " B: " + perEntry);
    }

    private static void collect(String owner, Object object, int capacity, Map<String, Long> perEntry, long[] fixed)
            throws IllegalAccessException {
        for (Field f : object.getClass().getDeclaredFields()) {
            if (Modifier.isStatic(f.getModifiers()) || !f.getType().isArray()
                    || !f.getType().getComponentType().isPrimitive()) {
                continue;
            }
            f.setAccessible(true);
            Object array = f.get(object);
            int length = java.lang.reflect.Array.getLength(array);
            long bytes = (long) length * elementSize(f.getType().getComponentType());
            if (length >= capacity && length % capacity == 0) {
                perEntry.put(owner + "." + f.getName(), bytes / capacity);
                fixed[0] += 16; // array header
            } else {
                fixed[0] += 16 + bytes;
            }
        }
    }

    private static int elementSize(Class<?> type) {
        if (type == long.class || type == double.class) {
            return 8;
        }
        if (type == int.class || type == float.class) {
            return 4;
        }
        if (type == short.class || type == char.class) {
            return 2;
        }
        return 1; // byte, boolean (HotSpot stores a boolean[] element in one byte)
    }

    private static Object field(Object owner, String name) throws ReflectiveOperationException {
        Field f = owner.getClass().getDeclaredField(name);
        f.setAccessible(true);
        return f.get(owner);
    }
}
