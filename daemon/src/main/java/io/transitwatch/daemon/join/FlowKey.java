package io.transitwatch.daemon.join;

/**
 * Stateless. Packs the join key of DESIGN §3.2 — (family, on-wire source IP, destination IP,
 * source port, destination port, L4 protocol, packet kind) — into five longs:
 *
 * <pre>
 *  k0 = source IP, high 64 bits      k2 = destination IP, high 64 bits
 *  k1 = source IP, low 64 bits       k3 = destination IP, low 64 bits
 *  k4 = | src port 16 | dst port 16 | protocol 8 | kind 8 | unused 8 | family 8 |
 * </pre>
 *
 * IPv4 addresses arrive mapped into {@code ::ffff:0:0/96}, so both families share one key space and
 * the family byte keeps them apart anyway.
 */
final class FlowKey {
    private FlowKey() {}

    static long pack(int family, int srcPort, int dstPort, int protocol, int kind) {
        return ((long) (srcPort & 0xffff) << 48)
                | ((long) (dstPort & 0xffff) << 32)
                | ((long) (protocol & 0xff) << 24)
                | ((long) (kind & 0xff) << 16)
                | (family & 0xff);
    }

    static int srcPort(long k4) {
        return (int) (k4 >>> 48) & 0xffff;
    }

    static int dstPort(long k4) {
        return (int) (k4 >>> 32) & 0xffff;
    }

    static int protocol(long k4) {
        return (int) (k4 >>> 24) & 0xff;
    }

    static int kind(long k4) {
        return (int) (k4 >>> 16) & 0xff;
    }

    static int family(long k4) {
        return (int) k4 & 0xff;
    }

    /** The key word with the source port left out (0): what stays of a reply's key when that port was translated. */
    static long withoutSourcePort(long k4) {
        return k4 & 0x0000_ffff_ffff_ffffL;
    }

    /** A well-mixed 32-bit hash of the five key words (murmur3 finalizer over a multiply-xor fold). */
    static int hash(long a, long b, long c, long d, long e) {
        long h = a * 0x9E3779B97F4A7C15L;
        h = (h ^ b) * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ c) * 0x9E3779B97F4A7C15L;
        h = (h ^ d) * 0xC2B2AE3D27D4EB4FL;
        h = (h ^ e) * 0x9E3779B97F4A7C15L;
        h ^= h >>> 33;
        h *= 0xff51afd7ed558ccdL;
        h ^= h >>> 33;
        return (int) h;
    }
}
