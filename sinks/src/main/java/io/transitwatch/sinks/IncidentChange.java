package io.transitwatch.sinks;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Immutable: a state change of the incident of one (source node, destination node, family), or an
 * update of its counts (DESIGN §3.6, §6). Built by the incident tracker, read by every sink thread.
 *
 * @param id              time-sortable id of this change from {@link EventIds}; the Kafka {@code ce_id}.
 *                        Every change has its own: it identifies the message, not the incident
 * @param incidentId      the incident's id, the same in every change of one incident from its first
 *                        FIRING through its updates to RESOLVED: the id of the change that opened it
 * @param sequence        1 for the change that opened the incident, then 2, 3, ... for each later change
 * @param time            when the daemon made the change
 * @param state           FIRING or RESOLVED
 * @param sourceNode      the node that sent
 * @param destinationNode the node that never received
 * @param family          {@code "IPv4"} or {@code "IPv6"}
 * @param lost            connection attempts lost in transit during the incident
 * @param matched         attempts that arrived during the incident
 * @param unverified      attempts that could not be judged (destination observer unhealthy)
 * @param lossRatio       {@code lost / (lost + matched)}, 0..1
 * @param firstSeen       first loss of the incident
 * @param lastSeen        latest loss of the incident
 * @param topWorkloads    the workload pairs with the most losses, largest first
 * @param verdict         what the incident counts as {@code lost}: {@code LOST_IN_TRANSIT} (null in
 *                        older events), or {@code NO_REPLY} / {@code REFUSED} for round trips, whose
 *                        {@code destinationNode} may be an address class ({@code kube-apiserver},
 *                        {@code host}, {@code world}) and whose {@code matched} counts answered attempts
 * @param note            what the counts suggest, for people (e.g. "handshake completes, first data
 *                        segment lost: suspect MTU / fragmentation"), or null
 */
public record IncidentChange(
        String id,
        String incidentId,
        int sequence,
        Instant time,
        IncidentState state,
        String sourceNode,
        String destinationNode,
        String family,
        long lost,
        long matched,
        long unverified,
        double lossRatio,
        Instant firstSeen,
        Instant lastSeen,
        List<WorkloadLoss> topWorkloads,
        String verdict,
        String note)
        implements SinkEvent {

    public static final String SCHEMA = "transitwatch.incident/v1";

    public IncidentChange {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(incidentId, "incidentId");
        if (sequence < 1) {
            throw new IllegalArgumentException("sequence must be >= 1, was " + sequence);
        }
        time = Alert.millis(Objects.requireNonNull(time, "time"));
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(sourceNode, "sourceNode");
        Objects.requireNonNull(destinationNode, "destinationNode");
        Families.require(family);
        if (lost < 0 || matched < 0 || unverified < 0) {
            throw new IllegalArgumentException(
                    "counts must be >= 0, were lost=" + lost + " matched=" + matched + " unverified=" + unverified);
        }
        if (!(lossRatio >= 0.0 && lossRatio <= 1.0)) {
            throw new IllegalArgumentException("lossRatio must be within 0..1, was " + lossRatio);
        }
        firstSeen = Alert.millis(Objects.requireNonNull(firstSeen, "firstSeen"));
        lastSeen = Alert.millis(Objects.requireNonNull(lastSeen, "lastSeen"));
        topWorkloads = List.copyOf(Objects.requireNonNull(topWorkloads, "topWorkloads"));
    }

    @Override
    public String schema() {
        return SCHEMA;
    }

    @Override
    public String key() {
        return SinkEvent.key(sourceNode, destinationNode);
    }

    /** {@link #verdict()}, read as LOST_IN_TRANSIT when absent (events written before round trips). */
    public String incidentVerdict() {
        return verdict != null ? verdict : Verdict.LOST_IN_TRANSIT.name();
    }

    /** True for the change that opened the incident, false for its updates and its RESOLVED change. */
    public boolean opening() {
        return sequence == 1;
    }

    /** {@code lost / (lost + matched)}, or 0 when nothing was judged: the ratio incidents report. */
    public static double lossRatio(long lost, long matched) {
        long judged = lost + matched;
        return judged == 0 ? 0.0 : (double) lost / judged;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Not thread-safe; {@link #build()} checks every field as the record's constructor does. */
    public static final class Builder {
        private String id;
        private String incidentId;
        private int sequence = 1;
        private Instant time;
        private IncidentState state;
        private String sourceNode;
        private String destinationNode;
        private String family;
        private long lost;
        private long matched;
        private long unverified;
        private Double lossRatio;
        private Instant firstSeen;
        private Instant lastSeen;
        private List<WorkloadLoss> topWorkloads = List.of();
        private String verdict;
        private String note;

        private Builder() {}

        public Builder id(String id) { this.id = id; return this; }
        /** Optional: defaults to {@link #id(String)}, as for the change that opens an incident. */
        public Builder incidentId(String incidentId) { this.incidentId = incidentId; return this; }
        /** Optional: defaults to 1, the change that opens an incident. */
        public Builder sequence(int sequence) { this.sequence = sequence; return this; }
        public Builder time(Instant time) { this.time = time; return this; }
        public Builder state(IncidentState state) { this.state = state; return this; }
        public Builder sourceNode(String sourceNode) { this.sourceNode = sourceNode; return this; }
        public Builder destinationNode(String node) { this.destinationNode = node; return this; }
        public Builder family(String family) { this.family = family; return this; }
        public Builder lost(long lost) { this.lost = lost; return this; }
        public Builder matched(long matched) { this.matched = matched; return this; }
        public Builder unverified(long unverified) { this.unverified = unverified; return this; }
        /** Optional: defaults to {@link IncidentChange#lossRatio(long, long)} of lost and matched. */
        public Builder lossRatio(double lossRatio) { this.lossRatio = lossRatio; return this; }
        public Builder firstSeen(Instant firstSeen) { this.firstSeen = firstSeen; return this; }
        public Builder lastSeen(Instant lastSeen) { this.lastSeen = lastSeen; return this; }
        public Builder topWorkloads(List<WorkloadLoss> top) { this.topWorkloads = top; return this; }
        public Builder verdict(String verdict) { this.verdict = verdict; return this; }
        public Builder note(String note) { this.note = note; return this; }

        public IncidentChange build() {
            double ratio = lossRatio != null ? lossRatio : IncidentChange.lossRatio(lost, matched);
            return new IncidentChange(id, incidentId != null ? incidentId : id, sequence, time, state, sourceNode,
                    destinationNode, family, lost, matched, unverified, ratio, firstSeen, lastSeen, topWorkloads,
                    verdict, note);
        }
    }
}
