package io.transitwatch.sinks;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Objects;

/**
 * Immutable: one verdict about one tuple (DESIGN §3.5, §6), built on the join thread and read by
 * every sink thread.
 *
 * <p>Times are kept at millisecond precision, the precision of the JSON encoding, so that an alert
 * read back from JSON equals the one written.
 *
 * @param id              time-sortable id from {@link EventIds}
 * @param verdict         what happened
 * @param time            when the daemon decided it
 * @param family          {@code "IPv4"} or {@code "IPv6"}
 * @param protocol        L4 protocol name: {@code TCP}, {@code UDP}, {@code ICMP}, ...
 * @param kind            packet kind: {@code SYN}, {@code SYN-ACK}, {@code UDP-NEW}, {@code ICMP-ECHO}, ...
 * @param communityId     Community ID v1 of the tuple, see {@link CommunityId}
 * @param source          the sending endpoint
 * @param destination     the receiving endpoint
 * @param attempts        departures seen for the tuple (1 + retransmissions)
 * @param firstSeen       source-node time of the first departure
 * @param lastSeen        source-node time of the last departure
 * @param windowMs        the join window the arrival was awaited for
 * @param evidence        how the source node reported the departure
 * @param dropReason      DROPPED_AT_DESTINATION only: Hubble's drop reason; null otherwise
 * @param resolvesAlertId LATE only: the id of the LOST_IN_TRANSIT alert this arrival resolves; null otherwise
 * @param arrivalDelay    LATE only: how long after the departure the arrival came; null otherwise
 * @param destinationName NO_REPLY / REFUSED only: how the round trip's destination is named (DESIGN §3.7):
 *                        {@value #KUBE_APISERVER}, a node's name, {@code host} or {@code world}; null otherwise
 */
public record Alert(
        String id,
        Verdict verdict,
        Instant time,
        String family,
        String protocol,
        String kind,
        String communityId,
        AlertEndpoint source,
        AlertEndpoint destination,
        int attempts,
        Instant firstSeen,
        Instant lastSeen,
        long windowMs,
        Evidence evidence,
        String dropReason,
        String resolvesAlertId,
        Duration arrivalDelay,
        String destinationName)
        implements SinkEvent {

    public static final String SCHEMA = "transitwatch.alert/v1";

    public Alert {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(verdict, "verdict");
        time = millis(Objects.requireNonNull(time, "time"));
        Families.require(family);
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(communityId, "communityId");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(destination, "destination");
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts must be >= 1, was " + attempts);
        }
        firstSeen = millis(Objects.requireNonNull(firstSeen, "firstSeen"));
        lastSeen = millis(Objects.requireNonNull(lastSeen, "lastSeen"));
        if (windowMs < 0) {
            throw new IllegalArgumentException("windowMs must be >= 0, was " + windowMs);
        }
        Objects.requireNonNull(evidence, "evidence");
        if (verdict == Verdict.DROPPED_AT_DESTINATION && dropReason == null) {
            throw new IllegalArgumentException("a DROPPED_AT_DESTINATION alert needs its dropReason");
        }
        if (verdict == Verdict.LATE && (resolvesAlertId == null || arrivalDelay == null)) {
            throw new IllegalArgumentException("a LATE alert needs resolvesAlertId and arrivalDelay");
        }
        arrivalDelay = arrivalDelay == null ? null : arrivalDelay.truncatedTo(ChronoUnit.MILLIS);
        if (destinationName != null && destinationName.isEmpty()) {
            throw new IllegalArgumentException("destinationName must not be empty");
        }
    }

    @Override
    public String schema() {
        return SCHEMA;
    }

    /**
     * {@code <source node>|<destination>}: the destination node, or for a round trip its name
     * ({@link #incidentDestination()}), so that an alert has its incident's key (Kafka partitions by it).
     */
    @Override
    public String key() {
        return SinkEvent.key(source.node(), incidentDestination());
    }

    /** Cilium's reserved identity of the API server's endpoints (hubble-api.md §2). */
    public static final long KUBE_APISERVER_IDENTITY = 7;
    /** How incidents and their summaries name the API server as a round trip's destination. */
    public static final String KUBE_APISERVER = "kube-apiserver";

    /** True for a round trip's verdicts (NO_REPLY, REFUSED), judged on the client's node (DESIGN §3.7). */
    public boolean roundTrip() {
        return verdict == Verdict.NO_REPLY || verdict == Verdict.REFUSED;
    }

    /**
     * The destination of the incident this alert counts towards (DESIGN §3.7): for a round trip to the
     * API server, {@link #KUBE_APISERVER} whichever control-plane node answers for it; otherwise the
     * destination node (for round trips a node name or an address class such as {@code world}).
     */
    public String incidentDestination() {
        if (roundTrip() && destinationName != null) {
            return destinationName;
        }
        return roundTrip() && destination.identity() == KUBE_APISERVER_IDENTITY ? KUBE_APISERVER : destination.node();
    }

    /**
     * The destination as a line of text names it: the node, or for a round trip its name with the node
     * that answered for it when that differs, e.g. {@code kube-apiserver (solcp02)}.
     */
    public String describedDestination() {
        String name = incidentDestination();
        return roundTrip() && !name.equals(destination.node()) ? name + " (" + destination.node() + ")" : name;
    }

    /** The verdict of the incident this alert counts towards: its own for round trips, else LOST_IN_TRANSIT. */
    public String incidentVerdict() {
        return roundTrip() ? verdict.name() : Verdict.LOST_IN_TRANSIT.name();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding this alert's values, e.g. to derive the LATE alert that resolves it. */
    public Builder toBuilder() {
        return new Builder()
                .id(id).verdict(verdict).time(time).family(family).protocol(protocol).kind(kind)
                .communityId(communityId).source(source).destination(destination).attempts(attempts)
                .firstSeen(firstSeen).lastSeen(lastSeen).windowMs(windowMs).evidence(evidence)
                .dropReason(dropReason).resolvesAlertId(resolvesAlertId).arrivalDelay(arrivalDelay)
                .destinationName(destinationName);
    }

    static Instant millis(Instant instant) {
        return instant.truncatedTo(ChronoUnit.MILLIS);
    }

    /** Not thread-safe; {@link #build()} checks every field as the record's constructor does. */
    public static final class Builder {
        private String id;
        private Verdict verdict;
        private Instant time;
        private String family;
        private String protocol;
        private String kind;
        private String communityId;
        private AlertEndpoint source;
        private AlertEndpoint destination;
        private int attempts = 1;
        private Instant firstSeen;
        private Instant lastSeen;
        private long windowMs;
        private Evidence evidence;
        private String dropReason;
        private String resolvesAlertId;
        private Duration arrivalDelay;
        private String destinationName;

        private Builder() {}

        public Builder id(String id) { this.id = id; return this; }
        public Builder verdict(Verdict verdict) { this.verdict = verdict; return this; }
        public Builder time(Instant time) { this.time = time; return this; }
        public Builder family(String family) { this.family = family; return this; }
        public Builder protocol(String protocol) { this.protocol = protocol; return this; }
        public Builder kind(String kind) { this.kind = kind; return this; }
        public Builder communityId(String communityId) { this.communityId = communityId; return this; }
        public Builder source(AlertEndpoint source) { this.source = source; return this; }
        public Builder destination(AlertEndpoint destination) { this.destination = destination; return this; }
        public Builder attempts(int attempts) { this.attempts = attempts; return this; }
        public Builder firstSeen(Instant firstSeen) { this.firstSeen = firstSeen; return this; }
        public Builder lastSeen(Instant lastSeen) { this.lastSeen = lastSeen; return this; }
        public Builder windowMs(long windowMs) { this.windowMs = windowMs; return this; }
        public Builder evidence(Evidence evidence) { this.evidence = evidence; return this; }
        public Builder dropReason(String dropReason) { this.dropReason = dropReason; return this; }
        public Builder resolvesAlertId(String alertId) { this.resolvesAlertId = alertId; return this; }
        public Builder arrivalDelay(Duration arrivalDelay) { this.arrivalDelay = arrivalDelay; return this; }
        public Builder destinationName(String name) { this.destinationName = name; return this; }

        public Alert build() {
            return new Alert(id, verdict, time, family, protocol, kind, communityId, source, destination,
                    attempts, firstSeen, lastSeen, windowMs, evidence, dropReason, resolvesAlertId, arrivalDelay,
                    destinationName);
        }
    }
}
