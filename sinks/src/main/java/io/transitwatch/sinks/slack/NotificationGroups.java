package io.transitwatch.sinks.slack;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Not thread-safe: guarded by the {@link SlackSink}'s lock. Alertmanager's grouping, for groups
 * of one incident each.
 *
 * <pre>
 *  first event ──group_wait──► notify ──(changes)──group_interval──► notify ──► ...
 *                                 └──(no change, still FIRING)──repeat_interval──► remind
 *  a RESOLVED change is sent like any change, after which the group is forgotten;
 *  an incident that resolves before its first notification is forgotten silently;
 *  a group that only ever had alerts (no incident tracker) is forgotten after repeat_interval without news.
 * </pre>
 *
 * Every new event of a group is news, except LATE alerts: they are shown with the next
 * notification, but do not cause one (an arrival that was merely slow is not worth a ping).
 */
final class NotificationGroups {
    private final SlackSinkConfig config;
    private final Map<GroupKey, Group> groups = new LinkedHashMap<>();
    private long ignoredForCapacity;

    NotificationGroups(SlackSinkConfig config) {
        this.config = config;
    }

    /** Merges one event into its group. */
    void add(SinkEvent event, Instant now) {
        GroupKey key = GroupKey.of(event);
        Group group = groups.get(key);
        if (group == null) {
            if (groups.size() >= config.maxGroups()) {
                ignoredForCapacity++;
                return;
            }
            group = new Group(key, now);
            groups.put(key, group);
        }
        group.add(event);
    }

    /**
     * Takes the snapshots of every group whose notification is due at {@code now} (with
     * {@code flushAll}: of every group with unsent news), marks them notified at {@code now},
     * and forgets the groups that are done. Largest loss first.
     */
    List<GroupSnapshot> takeDue(Instant now, boolean flushAll) {
        List<GroupSnapshot> due = new ArrayList<>();
        Iterator<Group> it = groups.values().iterator();
        while (it.hasNext()) {
            Group group = it.next();
            if (group.neverNotified() && group.resolved()) {
                it.remove(); // resolved before anyone was told it fired
                continue;
            }
            Instant dueAt = flushAll ? (group.hasNews() ? now : null) : group.dueAt(config);
            if (dueAt == null || dueAt.isAfter(now)) {
                continue;
            }
            if (!group.hasNews() && !group.firing()) {
                it.remove(); // an alert-only group with nothing new for repeat_interval
                continue;
            }
            due.add(group.snapshotAndMarkNotified(now));
            if (group.resolved()) {
                it.remove();
            }
        }
        due.sort(Comparator.comparingLong(GroupSnapshot::severity).reversed());
        return due;
    }

    /** When the next group falls due, or null if none will without new events. */
    Instant nextDueAt() {
        Instant next = null;
        for (Group group : groups.values()) {
            Instant dueAt = group.dueAt(config);
            if (dueAt != null && (next == null || dueAt.isBefore(next))) {
                next = dueAt;
            }
        }
        return next;
    }

    /** True if some group has news not sent yet (what a flush waits for). */
    boolean hasNews() {
        for (Group group : groups.values()) {
            if (group.hasNews() && !(group.neverNotified() && group.resolved())) {
                return true;
            }
        }
        return false;
    }

    /** A message could not be delivered: its groups count as having news again, for the next interval. */
    void markUndelivered(List<GroupKey> keys) {
        for (GroupKey key : keys) {
            Group group = groups.get(key);
            if (group != null) {
                group.changed = true;
            }
        }
    }

    int size() {
        return groups.size();
    }

    long ignoredForCapacity() {
        return ignoredForCapacity;
    }

    private static final class Group {
        final GroupKey key;
        final Instant createdAt;
        IncidentChange incident;
        Alert latestAlert;
        long lostAlerts;
        long droppedAlerts;
        long lateAlerts;
        Instant notifiedAt;
        boolean changed;

        Group(GroupKey key, Instant createdAt) {
            this.key = key;
            this.createdAt = createdAt;
        }

        void add(SinkEvent event) {
            if (event instanceof IncidentChange change) {
                incident = change;
                changed = true;
                return;
            }
            Alert alert = (Alert) event;
            if (alert.verdict() == Verdict.LATE) {
                lateAlerts++;
                return;
            }
            if (alert.verdict() == Verdict.DROPPED_AT_DESTINATION) {
                droppedAlerts++;
            } else {
                lostAlerts++;
            }
            latestAlert = alert;
            changed = true;
        }

        boolean neverNotified() {
            return notifiedAt == null;
        }

        boolean hasNews() {
            return changed;
        }

        boolean firing() {
            return incident != null && incident.state() == IncidentState.FIRING;
        }

        boolean resolved() {
            return incident != null && incident.state() == IncidentState.RESOLVED;
        }

        Instant dueAt(SlackSinkConfig config) {
            if (notifiedAt == null) {
                return createdAt.plus(config.groupWait());
            }
            if (changed) {
                return notifiedAt.plus(config.groupInterval());
            }
            return notifiedAt.plus(config.repeatInterval()); // reminder, or forgetting an alert-only group
        }

        GroupSnapshot snapshotAndMarkNotified(Instant now) {
            GroupSnapshot snapshot = new GroupSnapshot(key, incident, lostAlerts, droppedAlerts, lateAlerts,
                    latestAlert, !changed);
            notifiedAt = now;
            changed = false;
            lostAlerts = 0;
            droppedAlerts = 0;
            lateAlerts = 0;
            return snapshot;
        }
    }
}
