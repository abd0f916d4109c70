package io.transitwatch.daemon.sim.traffic;

import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Single-threaded: owned by the traffic thread. Ephemeral ports like Linux hands them out
 * ({@code ip_local_port_range} 32768-60999), per owner (a pod, or a node's SNAT table), from a
 * random start walking forward by small random steps: a tuple is not reused until the range wraps.
 */
final class PortAllocator {
    private static final int FIRST = 32768;
    private static final int RANGE = 60999 - FIRST + 1;

    private final SplittableRandom random;
    private final Map<String, Integer> next = new HashMap<>();

    PortAllocator(SplittableRandom random) {
        this.random = random;
    }

    int allocate(String owner) {
        int offset = next.computeIfAbsent(owner, o -> random.nextInt(RANGE));
        next.put(owner, (offset + 1 + random.nextInt(7)) % RANGE);
        return FIRST + offset;
    }
}
