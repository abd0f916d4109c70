package io.transitwatch.daemon.incident;

import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.join.DepartureView;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.join.PacketKind;
import io.transitwatch.daemon.join.UnverifiedReason;
import io.transitwatch.daemon.join.VerdictListener;
import io.transitwatch.daemon.topology.Topology;
import io.transitwatch.proto.flow.DropReason;
import io.transitwatch.proto.flow.TraceObservationPoint;
import io.transitwatch.proto.flow.TraceReason;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertEndpoint;
import io.transitwatch.sinks.CommunityId;
import io.transitwatch.sinks.EventIds;
import io.transitwatch.sinks.Evidence;
import io.transitwatch.sinks.IpAddresses;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Single-threaded: a {@link VerdictListener}, called on the join thread; {@link #recentAlerts()} may
 * be read from any thread.
 *
 * <p>Turns the join's verdicts into what users read: a LOST_IN_TRANSIT, DROPPED_AT_DESTINATION,
 * LATE, NO_REPLY or REFUSED {@link Alert} with both endpoints named (from {@link Topology}'s per-IP memory), the Community
 * ID and the departure's evidence, handed to the sinks; every verdict also feeds the
 * {@link IncidentTracker}. Matches cost two array writes and no allocation; objects are built only
 * for alerts.
 */
public final class AlertFactory implements VerdictListener {
    private static final int RECENT_ALERTS = 200;

    private final StringDictionary dictionary;
    private final Topology topology;
    private final IncidentTracker incidents;
    private final EventIds ids;
    private final Consumer<SinkEvent> out;
    private final String[] lostAlertIds;
    private final ArrayDeque<Alert> recent = new ArrayDeque<>(RECENT_ALERTS);
    private final RoundTripTally roundTrips = new RoundTripTally(RoundTripTally.DEFAULT_CAPACITY);
    private long lostSequence;
    private long nowNanos;

    /**
     * @param lostMemory how many LOST alert ids are kept for LATE alerts to refer to (the join's lost-history capacity)
     */
    public AlertFactory(StringDictionary dictionary, Topology topology, IncidentTracker incidents, EventIds ids,
            Consumer<SinkEvent> out, int lostMemory) {
        this.dictionary = dictionary;
        this.topology = topology;
        this.incidents = incidents;
        this.ids = ids;
        this.out = out;
        this.lostAlertIds = new String[lostMemory];
    }

    @Override
    public void onMatched(DepartureView departure, long transitNanos) {
        incidents.onMatched(departure.pair());
    }

    @Override
    public long onLost(DepartureView departure) {
        Alert alert = alert(departure, Verdict.LOST_IN_TRANSIT).build();
        publish(alert);
        incidents.onLost(departure.pair(), alert, nowNanos);
        long token = ++lostSequence;
        lostAlertIds[(int) (token % lostAlertIds.length)] = alert.id();
        return token;
    }

    @Override
    public void onDroppedAtDestination(DepartureView departure) {
        DropReason reason = DropReason.forNumber(departure.dropReason());
        publish(alert(departure, Verdict.DROPPED_AT_DESTINATION)
                .dropReason(reason != null ? reason.name() : "DROP_REASON_" + departure.dropReason())
                .build());
    }

    @Override
    public void onUnverified(DepartureView departure, UnverifiedReason reason) {
        if (departure.roundTrip()) {
            int destination = tally(departure, RoundTripTally.UNVERIFIED);
            incidents.roundTrips().onUnverified(dictionary.get(departure.sourceNode()), destinationName(destination),
                    JoinConstants.familyName(departure.family()));
            return;
        }
        incidents.onUnverified(departure.pair());
    }

    @Override
    public void onAnswered(DepartureView attempt, long replyAfterNanos) {
        int destination = tally(attempt, RoundTripTally.ANSWERED);
        incidents.roundTrips().onAnswered(dictionary.get(attempt.sourceNode()), destinationName(destination),
                JoinConstants.familyName(attempt.family()));
    }

    @Override
    public void onNoReply(DepartureView attempt) {
        roundTripFailure(attempt, Verdict.NO_REPLY, RoundTripTally.NO_REPLY);
    }

    @Override
    public void onRefused(DepartureView attempt) {
        roundTripFailure(attempt, Verdict.REFUSED, RoundTripTally.REFUSED);
    }

    /** Round trips per (source node, destination, family, verdict), for metrics and the page; read from any thread. */
    public RoundTripTally roundTrips() {
        return roundTrips;
    }

    private void roundTripFailure(DepartureView attempt, Verdict verdict, int counted) {
        String destination = destinationName(tally(attempt, counted));
        Alert alert = alert(attempt, verdict).destinationName(destination).build();
        publish(alert);
        incidents.roundTrips().onFailure(alert, destination, nowNanos);
    }

    /** Counts the round trip's verdict under its destination; returns the destination's code. */
    private int tally(DepartureView attempt, int verdict) {
        int destination = RoundTripDestinations.code(attempt);
        roundTrips.count(attempt.sourceNode(), destination, attempt.family() == JoinConstants.FAMILY_IPV6, verdict);
        return destination;
    }

    /** The name of a destination code: kube-apiserver, host, world, or the node's name; no allocation. */
    private String destinationName(int code) {
        String className = RoundTripDestinations.className(code);
        return className != null ? className : dictionary.get(code);
    }

    @Override
    public void onLate(DepartureView departure, long lostToken, long lateByNanos) {
        String resolves = lostToken > lostSequence - lostAlertIds.length
                ? lostAlertIds[(int) (lostToken % lostAlertIds.length)] : null;
        if (resolves == null) {
            return; // the LOST alert is too old to refer to
        }
        long delay = departure.arrivalNodeNanos() - departure.firstSeenNanos();
        publish(alert(departure, Verdict.LATE)
                .resolvesAlertId(resolves)
                .arrivalDelay(Duration.ofNanos(Math.max(0, delay)))
                .build());
    }

    @Override
    public void onTime(long epochNanos) {
        nowNanos = epochNanos;
    }

    @Override
    public void onAdvance(long epochNanos) {
        incidents.onAdvance(epochNanos);
    }

    @Override
    public void onPairRecycled(int pair) {
        incidents.onPairRecycled(pair, nowNanos);
    }

    /** The newest alerts, oldest first; safe from any thread. */
    public List<Alert> recentAlerts() {
        synchronized (recent) {
            return List.copyOf(recent);
        }
    }

    private void publish(Alert alert) {
        synchronized (recent) {
            if (recent.size() == RECENT_ALERTS) {
                recent.removeFirst();
            }
            recent.addLast(alert);
        }
        out.accept(alert);
    }

    private Alert.Builder alert(DepartureView d, Verdict verdict) {
        byte[] source = address(d.family(), d.sourceHi(), d.sourceLo());
        byte[] destination = address(d.family(), d.destinationHi(), d.destinationLo());
        boolean icmp = d.protocol() == CommunityId.ICMP || d.protocol() == CommunityId.ICMPV6;
        int sourcePort = icmp ? d.destinationPort() : d.sourcePort();
        int destinationPort = icmp ? 0 : d.destinationPort();
        TraceObservationPoint point = TraceObservationPoint.forNumber(d.observationPoint());
        TraceReason reason = TraceReason.forNumber(d.traceReason());
        return Alert.builder()
                .id(ids.next())
                .verdict(verdict)
                .time(Instant.ofEpochSecond(0, nowNanos))
                .family(JoinConstants.familyName(d.family()))
                .protocol(protocolName(d.protocol()))
                .kind(PacketKind.name(d.kind()))
                .communityId(CommunityId.of(d.protocol(), source, sourcePort, destination, destinationPort))
                .source(endpoint(d.sourceNode(), source, sourcePort, d.sourceHi(), d.sourceLo()))
                .destination(d.roundTrip()
                        ? new AlertEndpoint(d.destinationNode() != 0 ? dictionary.get(d.destinationNode())
                                : destinationName(RoundTripDestinations.code(d)), IpAddresses.format(destination),
                                destinationPort,
                                null, null, null, Integer.toUnsignedLong(d.destinationIdentity()))
                        : endpoint(d.destinationNode(), destination, destinationPort, d.destinationHi(),
                                d.destinationLo()))
                .attempts(Math.max(1, d.attempts()))
                .firstSeen(Instant.ofEpochSecond(0, d.firstSeenNanos()))
                .lastSeen(Instant.ofEpochSecond(0, d.lastSeenNanos()))
                .windowMs(TimeUnit.NANOSECONDS.toMillis(d.windowNanos()))
                .evidence(new Evidence(point != null ? point.name() : "UNKNOWN_POINT",
                        blankToNull(dictionary.get(d.interfaceName())),
                        reason != null && d.traceReason() != 0 ? reason.name() : null));
    }

    private AlertEndpoint endpoint(int node, byte[] address, int port, long hi, long lo) {
        Topology.Endpoint known = topology.endpoint(hi, lo);
        String namespace = known == null ? null : blankToNull(dictionary.get(known.namespace()));
        String pod = known == null ? null : blankToNull(dictionary.get(known.pod()));
        String workload = known == null ? null : blankToNull(dictionary.get(known.workload()));
        long identity = known == null ? 0 : Integer.toUnsignedLong(known.identity());
        return new AlertEndpoint(dictionary.get(node), IpAddresses.format(address), port, namespace, pod, workload,
                identity);
    }

    private static byte[] address(int family, long hi, long lo) {
        return IpAddresses.toBytes(hi, lo, family == JoinConstants.FAMILY_IPV4);
    }

    static String protocolName(int protocol) {
        switch (protocol) {
            case CommunityId.TCP: return "TCP";
            case CommunityId.UDP: return "UDP";
            case CommunityId.ICMP: return "ICMP";
            case CommunityId.ICMPV6: return "ICMPv6";
            case CommunityId.SCTP: return "SCTP";
            default: return "IP-" + protocol;
        }
    }

    private static String blankToNull(String text) {
        return text == null || text.isEmpty() ? null : text;
    }
}
