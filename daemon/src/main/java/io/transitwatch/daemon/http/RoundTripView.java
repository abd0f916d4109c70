package io.transitwatch.daemon.http;

import io.transitwatch.daemon.incident.RoundTripTally;
import java.util.ArrayList;
import java.util.List;

/**
 * Immutable once built; built on an HTTP request thread from the round-trip counts read at that
 * moment, the {@link PairHistory} and the nodes' watch of the {@link RecentView}.
 *
 * <p>The page's "API server / host / world" panel and {@code /api/round-trips}: per (client node,
 * destination, family) the round trips of the recent window (DESIGN §3.7), one judgement with the
 * matrix's honesty (ADR 0008). Only the client's node observes a round trip, so only its watch
 * matters. A row is:
 * <ul>
 *   <li>{@value #NO_REPLY} / {@value #REFUSED} when an attempt of the window got no reply / was
 *       refused (those verdicts need a complete view of the client node, so they stand);
 *   <li>{@value RecentView#UNKNOWN} otherwise, when the client node was not watched at some point of
 *       the window (attempts may have gone unanswered unseen), or when attempts were unverified and
 *       none judged;
 *   <li>{@value RecentView#OK} when attempts were answered; {@value RecentView#IDLE} when none was made.
 * </ul>
 */
final class RoundTripView {
    static final String NO_REPLY = "no_reply";
    static final String REFUSED = "refused";

    /** One (client node, destination, family): since start, over the window, and its state. */
    record Row(RoundTripTally.Reading total, RoundTripTally.Reading recent, String state, String unknownReason) {}

    private RoundTripView() {}

    static List<Row> of(List<RoundTripTally.Reading> totals, RecentView view, PairHistory history, long nowNanos) {
        List<PairHistory.Sample> window = history.window(nowNanos);
        PairHistory.Sample baseline = window.isEmpty() ? null : window.get(0);
        List<Row> rows = new ArrayList<>(totals.size());
        for (RoundTripTally.Reading total : totals) {
            RoundTripTally.Reading recent = baseline == null ? total : total.since(baseline.roundTrip(total.key()));
            RecentView.NodeWatch client = view.nodes().get(total.source());
            String unknown = unknownReason(recent, client, total.source());
            String state = recent.noReply() > 0 ? NO_REPLY : recent.refused() > 0 ? REFUSED
                    : unknown != null ? RecentView.UNKNOWN : recent.answered() > 0 ? RecentView.OK : RecentView.IDLE;
            rows.add(new Row(total, recent, state, state.equals(RecentView.UNKNOWN) ? unknown : null));
        }
        return rows;
    }

    /** Why a row without failures cannot be called healthy or idle, or null when it can. */
    static String unknownReason(RoundTripTally.Reading recent, RecentView.NodeWatch client, String name) {
        if (client == null) {
            return "client node " + name + " not watched: no stream for this node";
        }
        if (!client.complete()) {
            return "client node " + name + " not watched: " + client.why();
        }
        if (recent.unverified() > 0 && recent.judged() == 0) {
            return recent.unverified() + " attempts unverified, none judged";
        }
        return null;
    }
}
