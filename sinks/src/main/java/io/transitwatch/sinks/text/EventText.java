package io.transitwatch.sinks.text;

import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.AlertEndpoint;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import java.util.Locale;

/**
 * Thread-safe (stateless): one line a network engineer reads in a terminal ({@code --format text}).
 *
 * <pre>
 * LOST_IN_TRANSIT IPv6 TCP SYN solwk03 → solwk02 flux-system/kustomize-controller-57bbd7c-fdtpk [fd00:101:224:2::3ac8]:47972 → flux-system/source-controller-6ccfd78764-rzfnk [fd00:101:224:1::2f9e]:9090 attempts=2 window=5000ms
 * FIRING solwk03 → solwk02 IPv6 lost=1 matched=0 loss=100.0% incident=01KBX5N3K0T9Q2W7E4R6Y8U1I3
 * UPDATE solwk03 → solwk02 IPv6 lost=214 matched=0 loss=100.0% incident=01KBX5N3K0T9Q2W7E4R6Y8U1I3
 * RESOLVED solwk03 → solwk02 IPv6 lost=214 matched=57 loss=79.0% incident=01KBX5N3K0T9Q2W7E4R6Y8U1I3
 * </pre>
 *
 * An incident's first change reads FIRING and its later changes while it still fires UPDATE, so
 * that a terminal shows one FIRING line per incident; every line of one incident ends with the
 * same {@code incident=} id.
 *
 * IPv6 addresses are bracketed before the port, as in URLs, so the port cannot be misread as the
 * last address group. The line is for people; machines read {@link io.transitwatch.sinks.json.EventJson}.
 */
public final class EventText {
    /** The arrow between source and destination, with its spaces. */
    public static final String ARROW = " \u2192 ";

    private EventText() {}

    public static String format(SinkEvent event) {
        if (event instanceof Alert alert) {
            return formatAlert(alert);
        }
        return formatIncident((IncidentChange) event);
    }

    private static String formatAlert(Alert alert) {
        StringBuilder line = new StringBuilder(200);
        line.append(alert.verdict()).append(' ')
                .append(alert.family()).append(' ')
                .append(alert.protocol()).append(' ')
                .append(alert.kind()).append(' ')
                .append(alert.source().node()).append(ARROW).append(alert.describedDestination()).append(' ');
        appendEndpoint(line, alert.source());
        line.append(ARROW);
        appendEndpoint(line, alert.destination());
        line.append(" attempts=").append(alert.attempts())
                .append(" window=").append(alert.windowMs()).append("ms");
        if (alert.dropReason() != null) {
            line.append(" drop_reason=").append(alert.dropReason());
        }
        if (alert.resolvesAlertId() != null) {
            line.append(" resolves=").append(alert.resolvesAlertId());
        }
        if (alert.arrivalDelay() != null) {
            line.append(" delay=").append(alert.arrivalDelay().toMillis()).append("ms");
        }
        return line.toString();
    }

    private static void appendEndpoint(StringBuilder line, AlertEndpoint endpoint) {
        String pod = endpoint.podName();
        if (pod != null) {
            line.append(pod).append(' ');
        }
        boolean ipv6 = endpoint.ip().indexOf(':') >= 0;
        if (ipv6) {
            line.append('[').append(endpoint.ip()).append(']');
        } else {
            line.append(endpoint.ip());
        }
        line.append(':').append(endpoint.port());
    }

    private static String formatIncident(IncidentChange incident) {
        String state = incident.state() == IncidentState.FIRING && !incident.opening() ? "UPDATE"
                : incident.state().name();
        return state + " "
                + incident.sourceNode() + ARROW + incident.destinationNode() + " "
                + incident.family()
                + " lost=" + incident.lost()
                + " matched=" + incident.matched()
                + (incident.unverified() > 0 ? " unverified=" + incident.unverified() : "")
                + " loss=" + percent(incident.lossRatio())
                + (incident.verdict() != null && !"LOST_IN_TRANSIT".equals(incident.verdict())
                        ? " verdict=" + incident.verdict() : "")
                + (incident.note() != null ? " (" + incident.note() + ")" : "")
                + " incident=" + incident.incidentId();
    }

    /** {@code 0.9996} → {@code 99.96%} would be noise for an operator: one decimal, e.g. {@code 100.0%}. */
    public static String percent(double ratio) {
        return String.format(Locale.ROOT, "%.1f%%", ratio * 100.0);
    }
}
