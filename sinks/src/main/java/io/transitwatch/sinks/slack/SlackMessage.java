package io.transitwatch.sinks.slack;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertEndpoint;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.WorkloadLoss;
import io.transitwatch.sinks.text.EventText;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/**
 * Thread-safe (stateless): renders due groups as one Block Kit message within Slack's limits.
 *
 * <p>Limits honoured: at most 50 blocks per message; a section's text at most 3000 characters; a
 * header's at most 150; a top-level {@code text} fallback (what notifications and screen readers
 * show) always present. One header, then one section per group, largest loss first; groups
 * beyond the 48th are listed in one closing section. Text that does not fit is cut with "…".
 */
final class SlackMessage {
    static final int MAX_BLOCKS = 50;
    static final int MAX_SECTION_CHARS = 3000;
    static final int MAX_HEADER_CHARS = 150;
    /** One header and one overflow section leave room for this many group sections. */
    static final int MAX_GROUP_SECTIONS = MAX_BLOCKS - 2;
    private static final int MAX_WORKLOAD_LINES = 10;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME =
            DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss 'UTC'").withZone(ZoneOffset.UTC);

    private SlackMessage() {}

    /** The webhook request body. */
    static String payload(String title, List<GroupSnapshot> groups) {
        ObjectNode root = JSON.createObjectNode();
        root.put("text", truncate(fallbackText(title, groups), MAX_SECTION_CHARS));
        ArrayNode blocks = root.putArray("blocks");
        ObjectNode header = blocks.addObject().put("type", "header");
        header.putObject("text").put("type", "plain_text").put("text", truncate(headline(title, groups), MAX_HEADER_CHARS));
        int shown = Math.min(groups.size(), MAX_GROUP_SECTIONS);
        for (int i = 0; i < shown; i++) {
            addSection(blocks, describe(groups.get(i)));
        }
        if (groups.size() > shown) {
            addSection(blocks, overflow(groups.subList(shown, groups.size())));
        }
        return root.toString();
    }

    private static void addSection(ArrayNode blocks, String mrkdwn) {
        ObjectNode section = blocks.addObject().put("type", "section");
        section.putObject("text").put("type", "mrkdwn").put("text", truncate(mrkdwn, MAX_SECTION_CHARS));
    }

    private static String headline(String title, List<GroupSnapshot> groups) {
        long firing = groups.stream().filter(g -> !g.resolved()).count();
        long resolved = groups.size() - firing;
        StringBuilder text = new StringBuilder(title).append(": ");
        if (firing > 0) {
            text.append(firing).append(firing == 1 ? " node pair losing packets" : " node pairs losing packets");
        }
        if (resolved > 0) {
            text.append(firing > 0 ? ", " : "").append(resolved).append(" resolved");
        }
        return text.toString();
    }

    private static String fallbackText(String title, List<GroupSnapshot> groups) {
        StringBuilder text = new StringBuilder(headline(title, groups));
        for (GroupSnapshot group : groups) {
            text.append("\n").append(group.resolved() ? "RESOLVED " : "FIRING ").append(group.key().label());
            if (group.incident() != null) {
                text.append(" lost=").append(group.incident().lost());
            }
        }
        return text.toString();
    }

    static String describe(GroupSnapshot group) {
        StringBuilder text = new StringBuilder(512);
        IncidentChange incident = group.incident();
        String state = group.resolved() ? ":large_green_circle: *RESOLVED*" : ":red_circle: *FIRING*";
        text.append(state).append("  `").append(escape(group.key().label())).append('`');
        if (group.repeat()) {
            text.append("  _(still firing)_");
        }
        text.append('\n');
        if (incident != null) {
            text.append('*').append(incident.lost()).append("* lost, ").append(incident.matched()).append(" arrived (")
                    .append(EventText.percent(incident.lossRatio())).append(" loss)");
            if (incident.unverified() > 0) {
                text.append(", ").append(incident.unverified()).append(" unverified");
            }
            text.append("\nfirst ").append(TIME.format(incident.firstSeen()))
                    .append(", last ").append(TIME.format(incident.lastSeen()))
                    .append(", incident `").append(incident.incidentId()).append("`\n");
            appendWorkloads(text, incident.topWorkloads());
        }
        appendAlerts(text, group);
        return text.toString();
    }

    private static void appendWorkloads(StringBuilder text, List<WorkloadLoss> workloads) {
        if (workloads.isEmpty()) {
            return;
        }
        text.append("Top workloads:\n");
        int shown = Math.min(workloads.size(), MAX_WORKLOAD_LINES);
        for (int i = 0; i < shown; i++) {
            WorkloadLoss loss = workloads.get(i);
            text.append("\u2022 ").append(escape(loss.source())).append(" \u2192 ").append(escape(loss.destination()))
                    .append(": ").append(loss.lost()).append('\n');
        }
        if (workloads.size() > shown) {
            text.append("\u2022 …and ").append(workloads.size() - shown).append(" more\n");
        }
    }

    private static void appendAlerts(StringBuilder text, GroupSnapshot group) {
        long alerts = group.lostAlerts() + group.droppedAlerts();
        if (alerts > 0) {
            text.append(alerts).append(alerts == 1 ? " alert" : " alerts").append(" since the last message");
            if (group.droppedAlerts() > 0) {
                text.append(" (").append(group.droppedAlerts()).append(" dropped at the destination)");
            }
            text.append('\n');
        }
        if (group.lateAlerts() > 0) {
            text.append(group.lateAlerts()).append(" arrived late after being reported lost\n");
        }
        Alert example = group.latestAlert();
        if (example != null && alerts > 0) {
            text.append("e.g. ").append(example.protocol()).append(' ').append(example.kind()).append(' ')
                    .append(escape(endpoint(example.source()))).append(" \u2192 ")
                    .append(example.roundTrip() ? escape(example.describedDestination()) + " " : "")
                    .append(escape(endpoint(example.destination())))
                    .append(" attempts=").append(example.attempts())
                    .append(" `").append(example.communityId()).append("`\n");
        }
    }

    private static String endpoint(AlertEndpoint endpoint) {
        String pod = endpoint.podName();
        String address = endpoint.ip().indexOf(':') >= 0 ? "[" + endpoint.ip() + "]" : endpoint.ip();
        return (pod != null ? pod + " " : "") + address + ":" + endpoint.port();
    }

    private static String overflow(List<GroupSnapshot> rest) {
        StringBuilder text = new StringBuilder("…and ").append(rest.size()).append(" more node pairs:");
        for (GroupSnapshot group : rest) {
            text.append("\n").append(group.resolved() ? "RESOLVED " : "FIRING ").append(escape(group.key().label()));
            if (group.incident() != null) {
                text.append(" (lost ").append(group.incident().lost()).append(')');
            }
        }
        return text.toString();
    }

    /** Slack's three control characters in mrkdwn; names cannot hold them today, but the payload must not break if one does. */
    static String escape(String text) {
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    /** At most {@code max} characters, ending with "…" if cut; never splits a surrogate pair. */
    static String truncate(String text, int max) {
        if (text.length() <= max) {
            return text;
        }
        int end = max - 1;
        if (Character.isHighSurrogate(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(0, end) + "…";
    }

    static String time(Instant instant) {
        return TIME.format(instant);
    }
}
