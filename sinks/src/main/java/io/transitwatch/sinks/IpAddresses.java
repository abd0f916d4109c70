package io.transitwatch.sinks;

/**
 * Thread-safe (stateless): IP addresses as text, the way Hubble and {@code ip} print them.
 *
 * <p>{@link java.net.InetAddress#getHostAddress()} prints IPv6 without compressing zero runs
 * ({@code fd00:101:224:2:0:0:0:3ac8}); alerts use the RFC 5952 form ({@code fd00:101:224:2::3ac8})
 * so that they can be grepped against Hubble output.
 */
public final class IpAddresses {
    private IpAddresses() {}

    /**
     * Formats a 4-byte (dotted quad) or 16-byte (RFC 5952) address in network byte order; an
     * IPv4-mapped IPv6 address prints as {@code ::ffff:a.b.c.d} (RFC 5952 §5).
     */
    public static String format(byte[] address) {
        if (address.length == 4) {
            return dottedQuad(address, 0);
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, had " + address.length);
        }
        if (isIpv4Mapped(address)) {
            return "::ffff:" + dottedQuad(address, 12);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 8; i++) {
            groups[i] = ((address[2 * i] & 0xFF) << 8) | (address[2 * i + 1] & 0xFF);
        }
        // RFC 5952 §4.2: compress the longest run of two or more zero groups, the first one on a tie.
        int bestStart = -1;
        int bestLength = 1;
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int start = i;
            while (i < 8 && groups[i] == 0) {
                i++;
            }
            if (i - start > bestLength) {
                bestStart = start;
                bestLength = i - start;
            }
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (text.length() > 0 && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /**
     * The 128 bits of an address held in two longs (high, low; network order), as 4 bytes when
     * {@code ipv4} (the low 32 bits of an IPv4-mapped address) or 16 bytes otherwise.
     */
    public static byte[] toBytes(long hi, long lo, boolean ipv4) {
        if (ipv4) {
            int v4 = (int) lo;
            return new byte[] {(byte) (v4 >>> 24), (byte) (v4 >>> 16), (byte) (v4 >>> 8), (byte) v4};
        }
        byte[] bytes = new byte[16];
        for (int i = 0; i < 8; i++) {
            bytes[i] = (byte) (hi >>> (56 - 8 * i));
            bytes[8 + i] = (byte) (lo >>> (56 - 8 * i));
        }
        return bytes;
    }

    /** {@link #format(byte[])} of {@link #toBytes(long, long, boolean)}. */
    public static String format(long hi, long lo, boolean ipv4) {
        return format(toBytes(hi, lo, ipv4));
    }

    private static boolean isIpv4Mapped(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xFF && address[11] == (byte) 0xFF;
    }

    private static String dottedQuad(byte[] address, int offset) {
        return (address[offset] & 0xFF) + "." + (address[offset + 1] & 0xFF) + "." + (address[offset + 2] & 0xFF)
                + "." + (address[offset + 3] & 0xFF);
    }
}
