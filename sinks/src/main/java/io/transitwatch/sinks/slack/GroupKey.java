package io.transitwatch.sinks.slack;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;

/** Immutable: what Slack notifications are grouped by, one incident's identity (DESIGN §3.6). */
record GroupKey(String sourceNode, String destinationNode, String family, String incidentVerdict) {

    static GroupKey of(SinkEvent event) {
        if (event instanceof Alert alert) {
            return new GroupKey(alert.source().node(), alert.incidentDestination(), alert.family(),
                    alert.incidentVerdict());
        }
        IncidentChange incident = (IncidentChange) event;
        return new GroupKey(incident.sourceNode(), incident.destinationNode(), incident.family(),
                incident.incidentVerdict());
    }

    /** {@code solwk03 → solwk02 IPv6}; a round trip's adds its verdict: {@code solwk01 → kube-apiserver IPv6 NO_REPLY}. */
    String label() {
        return sourceNode + " \u2192 " + destinationNode + " " + family
                + (Verdict.LOST_IN_TRANSIT.name().equals(incidentVerdict) ? "" : " " + incidentVerdict);
    }
}
