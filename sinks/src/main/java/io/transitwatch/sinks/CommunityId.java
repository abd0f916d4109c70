package io.transitwatch.sinks;

import java.nio.ByteBuffer;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Base64;

/**
 * Thread-safe (stateless): the Community ID v1 flow hash, so that an alert can be pivoted to Zeek,
 * Suricata, Arkime or Wireshark records of the same flow.
 *
 * <p>Follows the corelight community-id-spec: SHA-1 over
 * {@code seed(2, big-endian) . addr1 . addr2 . proto(1) . 0(1) . port1(2) . port2(2)}, where the
 * endpoint that is smaller (address bytes first, then port) goes first so both directions of a
 * flow hash alike, rendered as {@code "1:" + base64(digest)}. ICMP and ICMPv6 have no ports: their
 * type takes the source port's place and the type of the matching reply (echo request ↔ reply,
 * ...) the destination port's, so a request and its reply also hash alike; types without a
 * counterpart are one-way, use the code as destination port and are never reordered. Protocols
 * other than TCP, UDP, SCTP and the ICMPs hash without ports.
 *
 * <p>Computed only when an alert is built (DESIGN §3.2), never per flow: it allocates.
 */
public final class CommunityId {
    public static final int ICMP = 1;
    public static final int TCP = 6;
    public static final int UDP = 17;
    public static final int ICMPV6 = 58;
    public static final int SCTP = 132;

    private static final String VERSION_PREFIX = "1:";

    private CommunityId() {}

    /** Community ID v1 with the default seed 0. See {@link #of(int, int, byte[], int, byte[], int)}. */
    public static String of(int protocol, byte[] sourceAddress, int sourcePort, byte[] destinationAddress, int destinationPort) {
        return of(0, protocol, sourceAddress, sourcePort, destinationAddress, destinationPort);
    }

    /**
     * @param seed               0..65535; 0 unless every tool in the pivot uses the same other seed
     * @param protocol           IP protocol number ({@link #TCP}, {@link #UDP}, {@link #ICMP}, ...)
     * @param sourceAddress      4 or 16 bytes, network byte order
     * @param sourcePort         L4 source port; for ICMP/ICMPv6 the message type
     * @param destinationAddress same length as {@code sourceAddress}
     * @param destinationPort    L4 destination port; for ICMP/ICMPv6 the message code
     */
    public static String of(int seed, int protocol, byte[] sourceAddress, int sourcePort,
                            byte[] destinationAddress, int destinationPort) {
        checkRange("seed", seed, 0xFFFF);
        checkRange("protocol", protocol, 0xFF);
        checkRange("sourcePort", sourcePort, 0xFFFF);
        checkRange("destinationPort", destinationPort, 0xFFFF);
        if ((sourceAddress.length != 4 && sourceAddress.length != 16) || sourceAddress.length != destinationAddress.length) {
            throw new IllegalArgumentException("addresses must both have 4 or both 16 bytes, had "
                    + sourceAddress.length + " and " + destinationAddress.length);
        }
        boolean hasPorts = protocol == TCP || protocol == UDP || protocol == SCTP || protocol == ICMP || protocol == ICMPV6;
        int port1 = sourcePort;
        int port2 = destinationPort;
        boolean oneWay = false;
        if (protocol == ICMP || protocol == ICMPV6) {
            int counterpart = protocol == ICMP ? icmpCounterpart(sourcePort) : icmpv6Counterpart(sourcePort);
            oneWay = counterpart < 0;
            port2 = oneWay ? destinationPort : counterpart;
        }
        byte[] address1 = sourceAddress;
        byte[] address2 = destinationAddress;
        if (!oneWay && !isOrdered(sourceAddress, port1, destinationAddress, port2, hasPorts)) {
            address1 = destinationAddress;
            address2 = sourceAddress;
            int swap = port1;
            port1 = port2;
            port2 = swap;
        }
        ByteBuffer input = ByteBuffer.allocate(2 + 2 * address1.length + 2 + (hasPorts ? 4 : 0));
        input.putShort((short) seed).put(address1).put(address2).put((byte) protocol).put((byte) 0);
        if (hasPorts) {
            input.putShort((short) port1).putShort((short) port2);
        }
        return VERSION_PREFIX + Base64.getEncoder().encodeToString(sha1().digest(input.array()));
    }

    private static boolean isOrdered(byte[] address1, int port1, byte[] address2, int port2, boolean hasPorts) {
        int byAddress = Arrays.compareUnsigned(address1, address2);
        return byAddress < 0 || (byAddress == 0 && hasPorts && port1 < port2);
    }

    /** Zeek's ICMPv4 request/reply pairs; -1 for one-way types. */
    private static int icmpCounterpart(int type) {
        switch (type) {
            case 8: return 0; // echo request -> echo reply
            case 0: return 8;
            case 13: return 14; // timestamp
            case 14: return 13;
            case 15: return 16; // information
            case 16: return 15;
            case 10: return 9; // router solicitation -> advertisement
            case 9: return 10;
            case 17: return 18; // address mask
            case 18: return 17;
            default: return -1;
        }
    }

    /** Zeek's ICMPv6 request/reply pairs; -1 for one-way types. */
    private static int icmpv6Counterpart(int type) {
        switch (type) {
            case 128: return 129; // echo request -> echo reply
            case 129: return 128;
            case 130: return 131; // MLD listener query -> report
            case 131: return 130;
            case 133: return 134; // router solicitation -> advertisement
            case 134: return 133;
            case 135: return 136; // neighbor solicitation -> advertisement
            case 136: return 135;
            case 139: return 140; // node information query -> response
            case 140: return 139;
            case 144: return 145; // home agent address discovery
            case 145: return 144;
            default: return -1;
        }
    }

    private static void checkRange(String name, int value, int max) {
        if (value < 0 || value > max) {
            throw new IllegalArgumentException(name + " must be 0.." + max + ", was " + value);
        }
    }

    private static MessageDigest sha1() {
        try {
            return MessageDigest.getInstance("SHA-1");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform must provide SHA-1", e);
        }
    }
}
