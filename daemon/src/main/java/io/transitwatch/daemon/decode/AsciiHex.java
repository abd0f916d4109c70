package io.transitwatch.daemon.decode;

/** Thread-safe (stateless). The value of one ASCII hex digit, shared by the text parsers here. */
final class AsciiHex {
    private AsciiHex() {}

    /** 0-15 for {@code 0-9a-fA-F}, -1 for any other byte. */
    static int value(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
