package io.transitwatch.daemon.decode;

import java.util.Arrays;

/** Thread-safe (stateless). The value of one ASCII hex digit, shared by the text parsers here. */
final class AsciiHex {
    /** A table, not comparisons: UUIDs are 32 digits on every flow, and branches on data mispredict. */
    private static final byte[] VALUES = new byte[256];

    static {
        Arrays.fill(VALUES, (byte) -1);
        for (int digit = 0; digit < 16; digit++) {
            VALUES[Character.forDigit(digit, 16)] = (byte) digit;
            VALUES[Character.toUpperCase(Character.forDigit(digit, 16))] = (byte) digit;
        }
    }

    private AsciiHex() {}

    /** 0-15 for {@code 0-9a-fA-F}, -1 for any other byte. */
    static int value(byte c) {
        return VALUES[c & 0xff];
    }
}
