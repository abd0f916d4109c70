package io.transitwatch.daemon.join;

/**
 * Stateless. Hubble enum numbers the join compares against (hubble-api.md §1.4), so that the join
 * package needs no protobuf classes.
 */
public final class JoinConstants {
    public static final int VERDICT_FORWARDED = 1;
    public static final int VERDICT_DROPPED = 2;

    public static final int POINT_TO_PROXY = 1;
    public static final int POINT_TO_HOST = 2;
    public static final int POINT_TO_STACK = 3;
    public static final int POINT_TO_OVERLAY = 4;
    public static final int POINT_FROM_ENDPOINT = 5;
    public static final int POINT_FROM_OVERLAY = 9;
    public static final int POINT_FROM_NETWORK = 10;
    public static final int POINT_TO_NETWORK = 11;
    public static final int POINT_TO_ENDPOINT = 101;

    public static final int TRACE_REASON_UNKNOWN = 0;
    public static final int TRACE_REASON_NEW = 1;
    public static final int TRACE_REASON_ESTABLISHED = 2;
    public static final int TRACE_REASON_REPLY = 3;

    public static final int IDENTITY_HOST = 1;
    public static final int IDENTITY_WORLD = 2;
    public static final int IDENTITY_REMOTE_NODE = 6;
    public static final int IDENTITY_KUBE_APISERVER = 7;
    public static final int IDENTITY_WORLD_IPV4 = 9;
    public static final int IDENTITY_WORLD_IPV6 = 10;

    public static final int FAMILY_IPV4 = 4;
    public static final int FAMILY_IPV6 = 6;

    private JoinConstants() {}

    /** {@code flow.TraceObservationPoint} name of a proto number, for alert evidence. */
    public static String pointName(int point) {
        switch (point) {
            case POINT_TO_ENDPOINT: return "TO_ENDPOINT";
            case POINT_TO_PROXY: return "TO_PROXY";
            case POINT_TO_HOST: return "TO_HOST";
            case POINT_TO_STACK: return "TO_STACK";
            case POINT_TO_OVERLAY: return "TO_OVERLAY";
            case POINT_FROM_ENDPOINT: return "FROM_ENDPOINT";
            case 6: return "FROM_PROXY";
            case 7: return "FROM_HOST";
            case 8: return "FROM_STACK";
            case POINT_FROM_OVERLAY: return "FROM_OVERLAY";
            case POINT_FROM_NETWORK: return "FROM_NETWORK";
            case POINT_TO_NETWORK: return "TO_NETWORK";
            case 12: return "FROM_CRYPTO";
            case 13: return "TO_CRYPTO";
            default: return "UNKNOWN_POINT";
        }
    }

    /** Proto number of a {@code flow.TraceObservationPoint} name, as written in configuration. */
    public static int pointByName(String name) {
        String wanted = name.trim().toUpperCase(java.util.Locale.ROOT).replace('-', '_');
        for (int point : new int[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 101}) {
            if (pointName(point).equals(wanted)) {
                return point;
            }
        }
        throw new IllegalArgumentException("unknown observation point '" + name + "'");
    }

    /** {@code flow.TraceReason} name of a proto number. */
    public static String traceReasonName(int reason) {
        switch (reason) {
            case TRACE_REASON_NEW: return "NEW";
            case TRACE_REASON_ESTABLISHED: return "ESTABLISHED";
            case TRACE_REASON_REPLY: return "REPLY";
            case 4: return "RELATED";
            case 5: return "REOPENED";
            case 6: return "SRV6_ENCAP";
            case 7: return "SRV6_DECAP";
            case 8: return "ENCRYPT_OVERLAY";
            default: return "TRACE_REASON_UNKNOWN";
        }
    }

    public static String familyName(int family) {
        return family == FAMILY_IPV6 ? "IPv6" : "IPv4";
    }
}
