package io.transitwatch.daemon.sim.hubble;

import com.google.protobuf.Timestamp;

/** Stateless. Epoch nanoseconds to protobuf timestamps. */
public final class Timestamps {
    private Timestamps() {}

    public static Timestamp of(long epochNanos) {
        return Timestamp.newBuilder()
                .setSeconds(Math.floorDiv(epochNanos, 1_000_000_000L))
                .setNanos((int) Math.floorMod(epochNanos, 1_000_000_000L))
                .build();
    }

    public static long nanos(Timestamp timestamp) {
        return timestamp.getSeconds() * 1_000_000_000L + timestamp.getNanos();
    }
}
