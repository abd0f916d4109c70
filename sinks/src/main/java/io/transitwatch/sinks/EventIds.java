package io.transitwatch.sinks;

import java.time.Clock;
import java.util.Objects;
import java.util.random.RandomGenerator;

/**
 * Thread-safe: makes the 26-character, time-sortable ids of alerts and incident changes.
 *
 * <p>The layout is ULID's: 48 bits of Unix milliseconds, then 80 random bits, written in
 * Crockford's base32 ({@code 0-9A-Z} without I, L, O, U), so that ids sort by time as plain strings.
 * Within one millisecond the random part is incremented instead of redrawn, so ids made by one
 * generator are strictly increasing even when many alerts fall in the same millisecond, and also
 * when the clock steps backwards (the last timestamp is kept until the clock passes it).
 */
public final class EventIds {
    static final int LENGTH = 26;
    private static final char[] CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ".toCharArray();
    private static final long MAX_MILLIS = (1L << 48) - 1;

    private final Clock clock;
    private final RandomGenerator random;
    private final Object lock = new Object();
    private long lastMillis = -1;
    private long randomHigh; // upper 16 of the 80 random bits
    private long randomLow; // lower 64 of the 80 random bits

    /**
     * @param clock  the daemon's clock, read once per id
     * @param random the source of the random part; use a {@link java.security.SecureRandom} or a
     *               seeded generator in tests
     */
    public EventIds(Clock clock, RandomGenerator random) {
        this.clock = Objects.requireNonNull(clock, "clock");
        this.random = Objects.requireNonNull(random, "random");
    }

    public String next() {
        long millis;
        long high;
        long low;
        synchronized (lock) {
            long now = clock.millis();
            if (now > lastMillis) {
                lastMillis = now;
                randomHigh = random.nextLong() & 0xFFFFL;
                randomLow = random.nextLong();
            } else {
                incrementRandom();
            }
            millis = lastMillis;
            high = randomHigh;
            low = randomLow;
        }
        if (millis < 0 || millis > MAX_MILLIS) {
            throw new IllegalStateException("clock out of the 48-bit millisecond range: " + millis);
        }
        return encode(millis, high, low);
    }

    private void incrementRandom() {
        randomLow++;
        if (randomLow == 0) {
            randomHigh = (randomHigh + 1) & 0xFFFFL;
            if (randomHigh == 0) {
                // 2^80 ids in one millisecond cannot happen; moving on keeps the order anyway.
                lastMillis++;
            }
        }
    }

    static String encode(long millis, long high16, long low64) {
        char[] out = new char[LENGTH];
        // 10 characters of timestamp: 50 bits, the top 2 always zero.
        for (int i = 9; i >= 0; i--) {
            out[i] = CROCKFORD[(int) (millis & 31)];
            millis >>>= 5;
        }
        // 16 characters of randomness: 80 bits = high16:low64, 5 bits at a time from the right.
        for (int i = 25; i >= 10; i--) {
            out[i] = CROCKFORD[(int) (low64 & 31)];
            low64 = (low64 >>> 5) | ((high16 & 31) << 59);
            high16 >>>= 5;
        }
        return new String(out);
    }

    /** The Unix milliseconds an id was made at; for tests and for reading ids in logs. */
    public static long millisOf(String id) {
        if (id.length() != LENGTH) {
            throw new IllegalArgumentException("an event id has 26 characters, was " + id.length());
        }
        long millis = 0;
        for (int i = 0; i < 10; i++) {
            int digit = indexOf(id.charAt(i));
            millis = (millis << 5) | digit;
        }
        return millis;
    }

    private static int indexOf(char c) {
        for (int i = 0; i < CROCKFORD.length; i++) {
            if (CROCKFORD[i] == c) {
                return i;
            }
        }
        throw new IllegalArgumentException("not a Crockford base32 digit: " + c);
    }
}
