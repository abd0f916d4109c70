package io.transitwatch.daemon.ingest;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Immutable. Everything {@link HubbleIngest} needs to know to subscribe to Hubble.
 *
 * @param mode where the flows come from
 * @param target {@code host:port} of Hubble Relay (RELAY) or of the Peer service (PEER); unused for STATIC
 * @param staticNodes the nodes to stream from in STATIC mode; empty otherwise
 * @param tls CA, client certificate and key; null for plaintext
 * @param tlsServerName name to verify the server certificate against for the relay, the Peer service
 *     and static nodes (nodes found through Peer use the notification's {@code tls.server_name});
 *     {@link #withTls} puts in Cilium's name for the mode ({@link #defaultServerName}) when given none
 * @param tlsReloadInterval how often the CA, certificate and key files are checked for a new version
 *     (a rotated Secret); new connections use what was read last
 * @param backoffMin first reconnect delay
 * @param backoffMax cap of the exponential reconnect delay
 * @param overlap how far before the last event seen a reconnect asks the server to resume
 *     ({@code since}); the overlap is de-duplicated by uuid
 * @param nodePollInterval how often Relay's {@code GetNodes} is polled for node health
 * @param relayStragglerWindow relay mode: how long after Relay reported a node down its events still
 *     count as stragglers from before the outage (Relay's sort buffer holds events up to about two
 *     drain timeouts), so that only a later event shows the node back
 * @param ringCapacity slots of the hand-off ring (a power of two)
 * @param requestWindow most messages one stream asks a server for ahead of consumption
 * @param initialProfile the request tried first: FULL, or a simpler one when the operator turned the
 *     field mask or the server-side filters off (a server that rejects it still gets the fallbacks)
 * @param dedupWindow uuids remembered per node for de-duplication, at most (a power of two; 16 bytes each
 *     in a log, plus a set of them built when a stream resumes, 64 bytes each at most: the default 8192
 *     costs up to 128 KiB per node, 640 KiB after a reconnect, and covers the 2 s overlap up to ~4000
 *     events/s; a node's log grows only as its event rate needs, so a quiet node costs 1 KiB)
 */
public record IngestConfig(
        Mode mode,
        String target,
        List<StaticNode> staticNodes,
        TlsFiles tls,
        String tlsServerName,
        Duration tlsReloadInterval,
        Duration backoffMin,
        Duration backoffMax,
        Duration overlap,
        Duration nodePollInterval,
        Duration relayStragglerWindow,
        int ringCapacity,
        int requestWindow,
        int dedupWindow,
        RequestProfile initialProfile) {

    public enum Mode { RELAY, PEER, STATIC }

    /**
     * Any name under Cilium's Relay server certificate ({@code hubble-relay-server-certs}, issued for
     * {@code *.hubble-relay.cilium.io} only); the hubble CLI suggests this one in its
     * {@code --tls-server-name} help, Hubble UI uses {@code ui.hubble-relay.cilium.io}.
     */
    public static final String RELAY_SERVER_NAME = "instance.hubble-relay.cilium.io";
    /**
     * The name Hubble Relay itself verifies the Peer service with, in a cluster named {@code default}
     * (Cilium's default {@code cluster.name}); it is also under every node's
     * {@code *.default.hubble-grpc.cilium.io} certificate, so it serves static node lists too.
     */
    public static final String DIRECT_SERVER_NAME = "hubble-peer.default.hubble-grpc.cilium.io";

    /** The TLS server name Cilium's certificates carry for what {@code mode} connects to first. */
    public static String defaultServerName(Mode mode) {
        return mode == Mode.RELAY ? RELAY_SERVER_NAME : DIRECT_SERVER_NAME;
    }

    /** One node of a static node list: its name and the {@code host:port} of its Hubble server. */
    public record StaticNode(String name, String address) {
        /** Parses {@code NAME=HOST:PORT}. */
        public static StaticNode parse(String text) {
            int equals = text.indexOf('=');
            if (equals <= 0 || equals == text.length() - 1) {
                throw new IllegalArgumentException("expected NAME=HOST:PORT, got '" + text + "'");
            }
            return new StaticNode(text.substring(0, equals), text.substring(equals + 1));
        }
    }

    /** PEM files for (m)TLS: the CA that signs the servers, and this client's certificate and key. */
    public record TlsFiles(Path caCert, Path clientCert, Path clientKey) {
        public TlsFiles {
            Objects.requireNonNull(caCert, "caCert");
            if ((clientCert == null) != (clientKey == null)) {
                throw new IllegalArgumentException("a client certificate needs its key, and a key its certificate");
            }
        }
    }

    public IngestConfig {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(initialProfile, "initialProfile");
        staticNodes = List.copyOf(staticNodes == null ? List.of() : staticNodes);
        if (mode == Mode.STATIC ? staticNodes.isEmpty() : target == null || target.isBlank()) {
            throw new IllegalArgumentException(mode == Mode.STATIC ? "STATIC mode needs at least one node"
                    : mode + " mode needs a target address");
        }
        requirePositive(tlsReloadInterval, "tlsReloadInterval");
        requirePositive(backoffMin, "backoffMin");
        requirePositive(backoffMax, "backoffMax");
        requirePositive(nodePollInterval, "nodePollInterval");
        if (relayStragglerWindow == null || relayStragglerWindow.isNegative()) {
            throw new IllegalArgumentException("relayStragglerWindow must be >= 0, was " + relayStragglerWindow);
        }
        if (overlap == null || overlap.isNegative()) {
            throw new IllegalArgumentException("overlap must be >= 0, was " + overlap);
        }
        if (backoffMax.compareTo(backoffMin) < 0) {
            throw new IllegalArgumentException("backoffMax " + backoffMax + " is below backoffMin " + backoffMin);
        }
        if (Integer.bitCount(dedupWindow) != 1 || dedupWindow < 16) {
            throw new IllegalArgumentException("dedupWindow must be a power of two >= 16, was " + dedupWindow);
        }
        if (requestWindow < 1) {
            throw new IllegalArgumentException("requestWindow must be >= 1, was " + requestWindow);
        }
    }

    private static void requirePositive(Duration value, String name) {
        if (value == null || value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0, was " + value);
        }
    }

    /** Relay mode with the defaults. */
    public static IngestConfig relay(String target) {
        return defaults(Mode.RELAY, target, List.of());
    }

    /** Direct mode, nodes discovered through the Peer service at {@code target}, with the defaults. */
    public static IngestConfig peer(String target) {
        return defaults(Mode.PEER, target, List.of());
    }

    /** Direct mode with a fixed node list, with the defaults. */
    public static IngestConfig staticNodes(List<StaticNode> nodes) {
        return defaults(Mode.STATIC, null, nodes);
    }

    private static IngestConfig defaults(Mode mode, String target, List<StaticNode> nodes) {
        return new IngestConfig(mode, target, nodes, null, null, Duration.ofMinutes(1), Duration.ofMillis(200), Duration.ofSeconds(30),
                Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofSeconds(3), 1 << 16, 256, 1 << 13, RequestProfile.FULL);
    }

    /** @param serverName the name server certificates must carry; null or empty for {@link #defaultServerName} */
    public IngestConfig withTls(TlsFiles files, String serverName) {
        String name = serverName == null || serverName.isBlank() ? defaultServerName(mode) : serverName;
        return new IngestConfig(mode, target, staticNodes, files, name, tlsReloadInterval, backoffMin, backoffMax, overlap,
                nodePollInterval, relayStragglerWindow, ringCapacity, requestWindow, dedupWindow, initialProfile);
    }

    /** How often the TLS files are checked for a new version. */
    public IngestConfig withTlsReloadInterval(Duration interval) {
        return new IngestConfig(mode, target, staticNodes, tls, tlsServerName, interval, backoffMin, backoffMax, overlap,
                nodePollInterval, relayStragglerWindow, ringCapacity, requestWindow, dedupWindow, initialProfile);
    }

    public IngestConfig withBackoff(Duration min, Duration max) {
        return new IngestConfig(mode, target, staticNodes, tls, tlsServerName, tlsReloadInterval, min, max, overlap, nodePollInterval,
                relayStragglerWindow, ringCapacity, requestWindow, dedupWindow, initialProfile);
    }

    public IngestConfig withNodePollInterval(Duration interval) {
        return new IngestConfig(mode, target, staticNodes, tls, tlsServerName, tlsReloadInterval, backoffMin, backoffMax, overlap,
                interval, relayStragglerWindow, ringCapacity, requestWindow, dedupWindow, initialProfile);
    }

    public IngestConfig withRing(int capacity, int window) {
        return new IngestConfig(mode, target, staticNodes, tls, tlsServerName, tlsReloadInterval, backoffMin, backoffMax, overlap,
                nodePollInterval, relayStragglerWindow, capacity, window, dedupWindow, initialProfile);
    }

    public IngestConfig withOverlap(Duration newOverlap) {
        return new IngestConfig(mode, target, staticNodes, tls, tlsServerName, tlsReloadInterval, backoffMin, backoffMax, newOverlap,
                nodePollInterval, relayStragglerWindow, ringCapacity, requestWindow, dedupWindow, initialProfile);
    }

    public IngestConfig withRelayStragglerWindow(Duration window) {
        return new IngestConfig(mode, target, staticNodes, tls, tlsServerName, tlsReloadInterval, backoffMin, backoffMax, overlap,
                nodePollInterval, window, ringCapacity, requestWindow, dedupWindow, initialProfile);
    }

    /** Starts with a simpler request: no field mask, or no server-side filters at all. */
    public IngestConfig withRequest(boolean serverFilters, boolean fieldMask) {
        RequestProfile profile = !serverFilters ? RequestProfile.NO_FILTERS
                : fieldMask ? RequestProfile.FULL : RequestProfile.NO_FIELD_MASK;
        return new IngestConfig(mode, target, staticNodes, tls, tlsServerName, tlsReloadInterval, backoffMin, backoffMax, overlap,
                nodePollInterval, relayStragglerWindow, ringCapacity, requestWindow, dedupWindow, profile);
    }
}
