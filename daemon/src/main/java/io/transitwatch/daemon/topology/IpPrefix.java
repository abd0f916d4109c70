package io.transitwatch.daemon.topology;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Immutable. An IPv4 or IPv6 prefix as the join sees addresses: 128 bits in two longs, IPv4 mapped
 * into {@code ::ffff:0:0/96} (so {@code 10.101.224.0/20} is {@code ::ffff:10.101.224.0/116}).
 *
 * @param length prefix length in the 128-bit space
 */
public record IpPrefix(long hi, long lo, int length, boolean ipv4) {
    private static final long V4_MAPPED_LO = 0x0000_ffff_0000_0000L;

    public IpPrefix {
        if (length < 0 || length > 128) {
            throw new IllegalArgumentException("prefix length out of range: " + length);
        }
        hi &= maskHi(length);
        lo &= maskLo(length);
    }

    /** Parses {@code 10.101.224.0/20} or {@code fd00:101:224::/60}; a bare address is a host prefix. */
    public static IpPrefix parse(String cidr) {
        String text = cidr.trim();
        int slash = text.indexOf('/');
        String address = slash < 0 ? text : text.substring(0, slash);
        if (!looksLikeIpLiteral(address)) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 or IPv6 prefix (example: 10.101.224.0/24 or fd00:101:224::/64)");
        }
        byte[] bytes;
        try {
            bytes = InetAddress.getByName(address).getAddress();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("'" + cidr + "' is not an IPv4 or IPv6 prefix", e);
        }
        boolean v4 = bytes.length == 4;
        int bits = v4 ? 32 : 128;
        int length;
        try {
            length = slash < 0 ? bits : Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + cidr + "' has a bad prefix length", e);
        }
        if (length < 0 || length > bits) {
            throw new IllegalArgumentException("'" + cidr + "' has a prefix length outside 0.." + bits);
        }
        if (v4) {
            long v4bits = ((bytes[0] & 0xffL) << 24) | ((bytes[1] & 0xffL) << 16) | ((bytes[2] & 0xffL) << 8)
                    | (bytes[3] & 0xffL);
            return new IpPrefix(0, V4_MAPPED_LO | v4bits, 96 + length, true);
        }
        return new IpPrefix(toLong(bytes, 0), toLong(bytes, 8), length, false);
    }

    public boolean contains(long addressHi, long addressLo) {
        return (addressHi & maskHi(length)) == hi && (addressLo & maskLo(length)) == lo;
    }

    static long maskHi(int length) {
        if (length >= 64) {
            return -1L;
        }
        return length == 0 ? 0 : -1L << (64 - length);
    }

    static long maskLo(int length) {
        if (length <= 64) {
            return 0;
        }
        return length == 128 ? -1L : -1L << (128 - length);
    }

    private static long toLong(byte[] bytes, int offset) {
        long value = 0;
        for (int i = 0; i < 8; i++) {
            value = (value << 8) | (bytes[offset + i] & 0xffL);
        }
        return value;
    }

    /**
     * Whether {@code text} is written like a bare IPv4 or IPv6 address (no prefix length), without
     * resolving anything: node names can be their node's address (hubble-api.md §10).
     */
    public static boolean isAddressLiteral(String text) {
        if (!looksLikeIpLiteral(text)) {
            return false;
        }
        try {
            parse(text);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean looksLikeIpLiteral(String address) {
        if (address.isEmpty()) {
            return false;
        }
        for (int i = 0; i < address.length(); i++) {
            char c = address.charAt(i);
            boolean ok = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') || c == ':' || c == '.';
            if (!ok) {
                return false;
            }
        }
        return address.indexOf(':') >= 0 || address.chars().filter(ch -> ch == '.').count() == 3;
    }

    @Override
    public String toString() {
        try {
            byte[] bytes = new byte[16];
            for (int i = 0; i < 8; i++) {
                bytes[i] = (byte) (hi >>> (56 - 8 * i));
                bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
            }
            if (ipv4) {
                byte[] v4 = {bytes[12], bytes[13], bytes[14], bytes[15]};
                return InetAddress.getByAddress(v4).getHostAddress() + "/" + (length - 96);
            }
            return InetAddress.getByAddress(bytes).getHostAddress() + "/" + length;
        } catch (UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
