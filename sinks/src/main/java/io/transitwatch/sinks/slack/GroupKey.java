package io.transitwatch.sinks.slack;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.SinkEvent;

/** Immutable: what Slack notifications are grouped by, one incident's identity (DESIGN §3.6). */
record GroupKey(String sourceNode, String destinationNode, String family) {

    static GroupKey of(SinkEvent event) {
        if (event instanceof Alert alert) {
            return new GroupKey(alert.source().node(), alert.destination().node(), alert.family());
        }
        IncidentChange incident = (IncidentChange) event;
        return new GroupKey(incident.sourceNode(), incident.destinationNode(), incident.family());
    }

    /** {@code solwk03 → solwk02 IPv6}. */
    String label() {
        return sourceNode + " \u2192 " + destinationNode + " " + family;
    }
}
