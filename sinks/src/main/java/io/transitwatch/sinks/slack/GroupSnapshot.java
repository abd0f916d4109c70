package io.transitwatch.sinks.slack;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;

/**
 * Immutable: what one group's notification says, taken when the notification is due.
 *
 * @param key           the node pair and family
 * @param incident      the latest incident change, or null if only alerts arrived
 * @param lostAlerts    LOST_IN_TRANSIT alerts since the group's previous notification
 * @param droppedAlerts DROPPED_AT_DESTINATION alerts since then
 * @param lateAlerts    LATE alerts (arrivals after a LOST verdict) since then
 * @param latestAlert   the most recent LOST or DROPPED alert, as an example tuple, or null
 * @param repeat        true if nothing changed and this is the repeat_interval reminder
 */
record GroupSnapshot(GroupKey key, IncidentChange incident, long lostAlerts, long droppedAlerts, long lateAlerts,
                     Alert latestAlert, boolean repeat) {

    boolean resolved() {
        return incident != null && incident.state() == IncidentState.RESOLVED;
    }

    /** Ordering weight: the biggest loss first. */
    long severity() {
        if (resolved()) {
            return -1;
        }
        return incident != null ? incident.lost() : lostAlerts + droppedAlerts;
    }
}
