package io.transitwatch.daemon.decode;

import java.nio.charset.StandardCharsets;

/**
 * Thread-safe (stateless).
 *
 * <p>IP addresses as 128-bit values in two {@code long}s ({@code hi}, {@code lo}), the form the
 * hand-off slot and the join use. IPv4 is mapped into {@code ::ffff:0:0/96}, so both families share
 * one key space. Parsing reads ASCII text straight from a byte array and allocates nothing; it
 * accepts dotted quads and every RFC 4291 §2.2 text form of IPv6 ({@code ::} compression, embedded
 * IPv4 in the last 32 bits, upper- or lower-case hex). Zone ids ({@code %eth0}) and prefixes are
 * rejected: Hubble never puts them in a flow. Formatting follows RFC 5952.
 */
public final class IpAddresses {
    /** {@code parse} result: not an address. */
    public static final int INVALID = 0;
    public static final int IPV4 = 4;
    public static final int IPV6 = 6;

    /** {@code lo} of an IPv4-mapped address without the IPv4 bits: {@code ::ffff:0:0}. */
    public static final long IPV4_MAPPED_PREFIX = 0x0000_ffff_0000_0000L;

    private IpAddresses() {}

    /**
     * Parses {@code length} ASCII bytes at {@code offset} and stores the address in
     * {@code out[0]} (hi) and {@code out[1]} (lo).
     *
     * @return {@link #IPV4} or {@link #IPV6} for the text form that was read (an IPv6 text such as
     *     {@code ::ffff:1.2.3.4} counts as IPv6), {@link #INVALID} if the text is not an address;
     *     {@code out} is then unspecified
     */
    public static int parse(byte[] text, int offset, int length, long[] out) {
        if (length <= 0 || length > 45) {
            return INVALID;
        }
        for (int i = offset; i < offset + length; i++) {
            if (text[i] == ':') {
                return parseIpv6(text, offset, offset + length, out) ? IPV6 : INVALID;
            }
        }
        long v4 = parseIpv4(text, offset, offset + length);
        if (v4 < 0) {
            return INVALID;
        }
        out[0] = 0;
        out[1] = IPV4_MAPPED_PREFIX | v4;
        return IPV4;
    }

    /** Convenience for configuration and tests: the address of {@code text}, or an exception. */
    public static long[] parse(String text) {
        byte[] ascii = text.getBytes(StandardCharsets.US_ASCII);
        long[] out = new long[2];
        if (parse(ascii, 0, ascii.length, out) == INVALID) {
            throw new IllegalArgumentException("not an IP address: " + text);
        }
        return out;
    }

    public static boolean isIpv4Mapped(long hi, long lo) {
        return hi == 0 && (lo & 0xffff_ffff_0000_0000L) == IPV4_MAPPED_PREFIX;
    }

    /** RFC 5952 text, IPv4-mapped addresses as {@code ::ffff:a.b.c.d}; one formatter with the alerts'. */
    public static String format(long hi, long lo) {
        return io.transitwatch.sinks.IpAddresses.format(hi, lo, false);
    }

    /** The text of an address of the given family: a dotted quad for IPv4, RFC 5952 otherwise. */
    public static String format(long hi, long lo, int ipVersion) {
        return io.transitwatch.sinks.IpAddresses.format(hi, lo, ipVersion == IPV4 && isIpv4Mapped(hi, lo));
    }

    /** The 32-bit value of a dotted quad in {@code [from, to)}, or -1. */
    private static long parseIpv4(byte[] text, int from, int to) {
        long value = 0;
        int octets = 0;
        int i = from;
        while (octets < 4) {
            int digits = 0;
            int octet = 0;
            while (i < to && text[i] >= '0' && text[i] <= '9' && digits < 3) {
                octet = octet * 10 + (text[i++] - '0');
                digits++;
            }
            if (digits == 0 || octet > 255) {
                return -1;
            }
            value = (value << 8) | octet;
            octets++;
            if (octets < 4) {
                if (i >= to || text[i] != '.') {
                    return -1;
                }
                i++;
            }
        }
        return i == to ? value : -1;
    }

    /*
     * Groups are shifted into a 128-bit accumulator (hi, lo). The groups before "::" are kept
     * aside with their count; at the end they are shifted left past the zero groups that "::"
     * stands for and OR-ed with the groups after it.
     */
    private static boolean parseIpv6(byte[] text, int from, int to, long[] out) {
        long hi = 0;
        long lo = 0;
        int groups = 0;
        long headHi = 0;
        long headLo = 0;
        int headGroups = -1; // -1: no "::" seen
        int i = from;
        if (to - from >= 2 && text[i] == ':' && text[i + 1] == ':') {
            headGroups = 0;
            i += 2;
        } else if (text[i] == ':') {
            return false;
        }
        while (i < to) {
            int start = i;
            int group = 0;
            while (i < to && i - start < 5 && AsciiHex.value(text[i]) >= 0) {
                group = (group << 4) | AsciiHex.value(text[i++]);
            }
            if (i < to && text[i] == '.') {
                long v4 = parseIpv4(text, start, to); // embedded IPv4 ends the address
                if (v4 < 0 || groups + 2 > 8) {
                    return false;
                }
                hi = (hi << 32) | (lo >>> 32);
                lo = (lo << 32) | v4;
                groups += 2;
                i = to;
                break;
            }
            if (i == start || i - start > 4 || groups == 8) {
                return false;
            }
            hi = (hi << 16) | (lo >>> 48);
            lo = (lo << 16) | group;
            groups++;
            if (i == to) {
                break;
            }
            if (text[i] != ':') {
                return false;
            }
            i++;
            if (i < to && text[i] == ':') {
                if (headGroups >= 0) {
                    return false; // a second "::"
                }
                headGroups = groups;
                headHi = hi;
                headLo = lo;
                hi = 0;
                lo = 0;
                groups = 0;
                i++;
            } else if (i == to) {
                return false; // trailing single ':'
            }
        }
        if (headGroups < 0) {
            if (groups != 8) {
                return false;
            }
            out[0] = hi;
            out[1] = lo;
            return true;
        }
        if (headGroups + groups > 7) {
            return false; // "::" must stand for at least one zero group
        }
        int shift = 16 * (8 - headGroups);
        out[0] = shiftLeftHi(headHi, headLo, shift) | hi;
        out[1] = shiftLeftLo(headLo, shift) | lo;
        return true;
    }

    private static long shiftLeftHi(long hi, long lo, int bits) {
        if (bits >= 128) {
            return 0;
        }
        if (bits >= 64) {
            return lo << (bits - 64);
        }
        return bits == 0 ? hi : (hi << bits) | (lo >>> (64 - bits));
    }

    private static long shiftLeftLo(long lo, int bits) {
        return bits >= 64 ? 0 : lo << bits;
    }
}
