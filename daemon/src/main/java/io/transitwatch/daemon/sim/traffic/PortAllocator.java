package io.transitwatch.daemon.sim.traffic;

import java.util.IdentityHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Single-threaded: owned by the traffic thread. Ephemeral ports like Linux hands them out
 * ({@code ip_local_port_range} 32768-60999), per owner (a pod, or a node for its SNAT table), from a
 * random start walking forward by small random steps: a tuple is not reused until the range wraps.
 */
final class PortAllocator {
    private static final int FIRST = 32768;
    private static final int RANGE = 60999 - FIRST + 1;

    private final SplittableRandom random;
    /** Keyed by the owner object itself (a topology singleton), not by a name built per call. */
    private final Map<Object, int[]> next = new IdentityHashMap<>();

    PortAllocator(SplittableRandom random) {
        this.random = random;
    }

    int allocate(Object owner) {
        int[] cursor = next.computeIfAbsent(owner, o -> new int[] {random.nextInt(RANGE)});
        int offset = cursor[0];
        cursor[0] = (offset + 1 + random.nextInt(7)) % RANGE;
        return FIRST + offset;
    }
}
