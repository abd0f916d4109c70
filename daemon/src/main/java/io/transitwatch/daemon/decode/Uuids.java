package io.transitwatch.daemon.decode;

import java.nio.charset.StandardCharsets;

/**
 * Thread-safe (stateless).
 *
 * <p>{@code Flow.uuid} as 128 bits in two {@code long}s, read from the 36-character text form
 * ({@code 8-4-4-4-12} hex digits, either case) without allocating. The ingest de-duplicates
 * backfilled events on this value. The pair {@code (0, 0)} means "absent".
 */
public final class Uuids {
    public static final int TEXT_LENGTH = 36;

    private Uuids() {}

    /** True if {@code length} bytes at {@code offset} are a UUID in its canonical text form. */
    public static boolean isValid(byte[] text, int offset, int length) {
        if (length != TEXT_LENGTH || text[offset + 8] != '-' || text[offset + 13] != '-'
                || text[offset + 18] != '-' || text[offset + 23] != '-') {
            return false;
        }
        // A bad digit makes its group negative: hex() ORs the -1 of AsciiHex into every bit.
        return (hex(text, offset, 0, 8) | hex(text, offset, 9, 13) | hex(text, offset, 14, 18)
                | hex(text, offset, 19, 23) | hex(text, offset, 24, 36)) >= 0;
    }

    /** The high 64 bits of a UUID whose text {@link #isValid} at {@code offset}. */
    public static long hi(byte[] text, int offset) {
        return hex(text, offset, 0, 8) << 32 | hex(text, offset, 9, 13) << 16 | hex(text, offset, 14, 18);
    }

    /** The low 64 bits of a UUID whose text {@link #isValid} at {@code offset}. */
    public static long lo(byte[] text, int offset) {
        return hex(text, offset, 19, 23) << 48 | hex(text, offset, 24, 36);
    }

    /** Convenience for tests and tools: {@code {hi, lo}} of {@code text}, or an exception. */
    public static long[] parse(String text) {
        byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
        if (!isValid(ascii, 0, ascii.length)) {
            throw new IllegalArgumentException("not a UUID: " + text);
        }
        return new long[] {hi(ascii, 0), lo(ascii, 0)};
    }

    /** Lower-case canonical text. */
    public static String format(long hi, long lo) {
        String digits = toHex(hi) + toHex(lo);
        return digits.substring(0, 8) + '-' + digits.substring(8, 12) + '-' + digits.substring(12, 16)
                + '-' + digits.substring(16, 20) + '-' + digits.substring(20);
    }

    private static String toHex(long value) {
        String hex = Long.toHexString(value);
        return "0".repeat(16 - hex.length()) + hex;
    }

    /** The digits as a number, or a negative number if one of them is not a hex digit. */
    private static long hex(byte[] text, int offset, int from, int to) {
        long value = 0;
        for (int i = from; i < to; i++) {
            value = (value << 4) | AsciiHex.value(text[offset + i]);
        }
        return value;
    }
}
