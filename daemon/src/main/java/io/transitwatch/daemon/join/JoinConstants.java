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
    /** A pod in a pod CIDR that Cilium does not manage: no endpoint program, so no {@code to-endpoint}. */
    public static final int IDENTITY_UNMANAGED = 3;
    public static final int IDENTITY_REMOTE_NODE = 6;
    public static final int IDENTITY_KUBE_APISERVER = 7;
    /**
     * Cilium Ingress / Gateway API: its Envoy's own connections, from the node's ingress address (in the
     * node's pod CIDR); replies to it go up the host's stack to Envoy, with no {@code to-endpoint}.
     */
    public static final int IDENTITY_INGRESS = 8;
    public static final int IDENTITY_WORLD_IPV4 = 9;
    public static final int IDENTITY_WORLD_IPV6 = 10;
    /** Bit 24: a node-local (CIDR) identity, e.g. the API server or a world prefix (hubble-api.md §10). */
    public static final int LOCAL_IDENTITY_FLAG = 1 << 24;

    public static final int FAMILY_IPV4 = 4;
    public static final int FAMILY_IPV6 = 6;

    private JoinConstants() {}

    public static String familyName(int family) {
        return family == FAMILY_IPV6 ? "IPv6" : "IPv4";
    }
}
