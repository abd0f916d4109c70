package io.transitwatch.daemon.join;

import java.time.Duration;
import java.util.Set;

/**
 * Immutable. Every knob of the join, with the defaults of DESIGN §3. Built once at start (the
 * configuration layer validates values and names keys in its errors); the join only reads it.
 *
 * @param window how long a departure waits for its arrival (W)
 * @param arrivalMemory how long an arrival is remembered beyond W, for departures processed after
 *     their arrival (streams are not ordered against each other)
 * @param lateHorizon how long a LOST verdict is remembered so that a late arrival resolves it (LATE)
 * @param watermarkSlack safety margin subtracted from the idle watermark advance
 * @param clockSpan span of the minimum-delay filter that estimates each node's clock offset
 * @param downGrace how long past its deadline a departure to a DOWN node waits for the node to come
 *     back (and backfill) before it is UNVERIFIED
 * @param maxBehind how long past its deadline a departure waits for a connected but lagging node
 * @param lostEventsSpan the span before a lost-events report that is treated as incomplete when
 *     Hubble does not say which span it lost (v1.19 sends first/last)
 * @param catchUpLimit how long a stream that came back (or started) may take to deliver an event at
 *     or past the moment it came up, i.e. to finish its backfill, before the join stops waiting for
 *     it; until then nothing waiting on the node is decided by time alone
 * @param maxNodes nodes the join tells apart (dense per-node state: a few hundred bytes each);
 *     events of nodes beyond it are ignored and counted
 * @param maxPairs pair slots: (source node, destination node, family) pairs counted at once; slots
 *     are taken by active pairs only and recycled when idle (see {@code PairTable})
 * @param pairIdleAfter how long a pair has had no verdict before its slot may be recycled (only
 *     when slots run short)
 * @param departurePoints observation points (proto numbers) that make a departure
 * @param arrivalPoints observation points that make an arrival
 * @param excludedDestinationIdentities destinations without arrival events (host, world, ...)
 * @param joinSafeKinds packet kinds reported on both sides (see {@link PacketKind}); FIRST-ACK and
 *     FIRST-PSH only when the nodes' {@code monitor-aggregation-flags} include ACK and PSH (DESIGN §3.8)
 * @param roundTripUdpPorts UDP server ports whose requests are round-trip attempts when their
 *     destination has no arrival events (DESIGN §3.7; DNS 53 by default)
 */
public record JoinConfig(
        Duration window,
        Duration arrivalMemory,
        Duration lateHorizon,
        Duration watermarkSlack,
        Duration clockSpan,
        Duration downGrace,
        Duration maxBehind,
        Duration lostEventsSpan,
        Duration catchUpLimit,
        int pendingCapacity,
        int arrivalCapacity,
        int lostHistoryCapacity,
        int maxNodes,
        int maxPairs,
        Duration pairIdleAfter,
        Set<Integer> departurePoints,
        Set<Integer> arrivalPoints,
        Set<Integer> excludedDestinationIdentities,
        Set<Integer> joinSafeKinds,
        Set<Integer> roundTripUdpPorts) {

    public JoinConfig {
        roundTripUdpPorts = Set.copyOf(roundTripUdpPorts);
        departurePoints = Set.copyOf(departurePoints);
        arrivalPoints = Set.copyOf(arrivalPoints);
        excludedDestinationIdentities = Set.copyOf(excludedDestinationIdentities);
        joinSafeKinds = Set.copyOf(joinSafeKinds);
        requirePowerOfTwo(pendingCapacity, "pendingCapacity");
        requirePowerOfTwo(arrivalCapacity, "arrivalCapacity");
        requirePowerOfTwo(lostHistoryCapacity, "lostHistoryCapacity");
        if (window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("window must be positive, was " + window);
        }
        if (catchUpLimit.isNegative()) {
            throw new IllegalArgumentException("catchUpLimit must be >= 0, was " + catchUpLimit);
        }
        if (maxNodes < 2 || maxNodes > MAX_NODES_LIMIT || maxPairs < 1) {
            throw new IllegalArgumentException("maxNodes must be within [2, " + MAX_NODES_LIMIT
                    + "] and maxPairs >= 1, were " + maxNodes + " and " + maxPairs);
        }
        if (pairIdleAfter.isNegative() || pairIdleAfter.isZero()) {
            throw new IllegalArgumentException("pairIdleAfter must be positive, was " + pairIdleAfter);
        }
    }

    /** Most nodes a join can tell apart: a pair key (source, destination, family) must fit an int. */
    public static final int MAX_NODES_LIMIT = 16_384;
    /** Default node capacity: clusters of several thousand nodes (Kubernetes supports 5,000). */
    public static final int DEFAULT_MAX_NODES = 8192;
    /** Default pair slots: active pairs at once, about 100 bytes of counters each (docs/sizing.md). */
    public static final int DEFAULT_MAX_PAIRS = 65_536;

    /** DESIGN §3 defaults: W = 5 s, SYN / SYN-ACK / UDP-NEW / ICMP-ECHO, BPF-host-routing and tunnel points. */
    public static JoinConfig defaults() {
        return new JoinConfig(
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                Duration.ofSeconds(60),
                Duration.ofMillis(250),
                Duration.ofSeconds(10),
                Duration.ofSeconds(10),
                Duration.ofSeconds(30),
                Duration.ofSeconds(5),
                Duration.ofSeconds(5),
                1 << 16,
                1 << 16,
                1 << 14,
                DEFAULT_MAX_NODES,
                DEFAULT_MAX_PAIRS,
                Duration.ofMinutes(5),
                Set.of(JoinConstants.POINT_TO_NETWORK, JoinConstants.POINT_TO_OVERLAY, JoinConstants.POINT_TO_STACK),
                Set.of(JoinConstants.POINT_TO_ENDPOINT, JoinConstants.POINT_TO_PROXY, JoinConstants.POINT_FROM_NETWORK,
                        JoinConstants.POINT_FROM_OVERLAY),
                Set.of(JoinConstants.IDENTITY_HOST, JoinConstants.IDENTITY_WORLD, JoinConstants.IDENTITY_UNMANAGED,
                        JoinConstants.IDENTITY_REMOTE_NODE, JoinConstants.IDENTITY_KUBE_APISERVER,
                        JoinConstants.IDENTITY_INGRESS, JoinConstants.IDENTITY_WORLD_IPV4,
                        JoinConstants.IDENTITY_WORLD_IPV6),
                Set.of(PacketKind.SYN, PacketKind.SYN_ACK, PacketKind.UDP_NEW, PacketKind.ICMP_ECHO),
                Set.of(53));
    }

    /** The same with first data (FIRST-ACK, FIRST-PSH) join-safe or not, as the aggregation flags report them. */
    public JoinConfig withFirstData(boolean reported) {
        Set<Integer> kinds = new java.util.HashSet<>(joinSafeKinds);
        if (reported) {
            kinds.add(PacketKind.FIRST_ACK);
            kinds.add(PacketKind.FIRST_PSH);
        } else {
            kinds.remove(PacketKind.FIRST_ACK);
            kinds.remove(PacketKind.FIRST_PSH);
        }
        return withJoinSafeKinds(kinds);
    }

    public JoinConfig withWindow(Duration newWindow) {
        return new JoinConfig(newWindow, arrivalMemory, lateHorizon, watermarkSlack, clockSpan, downGrace, maxBehind,
                lostEventsSpan, catchUpLimit, pendingCapacity, arrivalCapacity, lostHistoryCapacity, maxNodes, maxPairs,
                pairIdleAfter, departurePoints, arrivalPoints, excludedDestinationIdentities, joinSafeKinds, roundTripUdpPorts);
    }

    public JoinConfig withCapacities(int pending, int arrivals, int lostHistory) {
        return new JoinConfig(window, arrivalMemory, lateHorizon, watermarkSlack, clockSpan, downGrace, maxBehind,
                lostEventsSpan, catchUpLimit, pending, arrivals, lostHistory, maxNodes, maxPairs, pairIdleAfter,
                departurePoints, arrivalPoints, excludedDestinationIdentities, joinSafeKinds, roundTripUdpPorts);
    }

    public JoinConfig withJoinSafeKinds(Set<Integer> kinds) {
        return new JoinConfig(window, arrivalMemory, lateHorizon, watermarkSlack, clockSpan, downGrace, maxBehind,
                lostEventsSpan, catchUpLimit, pendingCapacity, arrivalCapacity, lostHistoryCapacity, maxNodes, maxPairs,
                pairIdleAfter, departurePoints, arrivalPoints, excludedDestinationIdentities, kinds, roundTripUdpPorts);
    }

    /** The same with {@code points} as the departure points (as calibration sets them per routing mode). */
    public JoinConfig withDeparturePoints(Set<Integer> points) {
        return new JoinConfig(window, arrivalMemory, lateHorizon, watermarkSlack, clockSpan, downGrace, maxBehind,
                lostEventsSpan, catchUpLimit, pendingCapacity, arrivalCapacity, lostHistoryCapacity, maxNodes, maxPairs,
                pairIdleAfter, points, arrivalPoints, excludedDestinationIdentities, joinSafeKinds, roundTripUdpPorts);
    }

    public JoinConfig withNodeAndPairCapacity(int nodes, int pairSlots, Duration idleAfter) {
        return new JoinConfig(window, arrivalMemory, lateHorizon, watermarkSlack, clockSpan, downGrace, maxBehind,
                lostEventsSpan, catchUpLimit, pendingCapacity, arrivalCapacity, lostHistoryCapacity, nodes, pairSlots,
                idleAfter, departurePoints, arrivalPoints, excludedDestinationIdentities, joinSafeKinds, roundTripUdpPorts);
    }

    private static void requirePowerOfTwo(int value, String name) {
        if (value < 2 || Integer.bitCount(value) != 1) {
            throw new IllegalArgumentException(name + " must be a power of two >= 2, was " + value);
        }
    }
}
