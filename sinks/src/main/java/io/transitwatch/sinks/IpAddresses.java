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

    /** Formats a 4-byte (dotted quad) or 16-byte (RFC 5952) address in network byte order. */
    public static String format(byte[] address) {
        if (address.length == 4) {
            return (address[0] & 0xFF) + "." + (address[1] & 0xFF) + "." + (address[2] & 0xFF) + "." + (address[3] & 0xFF);
        }
        if (address.length != 16) {
            throw new IllegalArgumentException("an IP address has 4 or 16 bytes, had " + address.length);
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
}
