package io.transitwatch.daemon.http;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Immutable once built; built on an HTTP request thread from counters read at that moment and the
 * {@link PairHistory}.
 *
 * <p>What the web page and {@code /api/*} show for the recent window, one judgement for all of
 * them: each node's observer (watched now, and complete over the window, or why not), each pair
 * and family as a cell state, and the <b>coverage</b>: judged (matched or lost) departures of the
 * window over judged + unverified + those still waiting on a destination that is not watched now
 * (they are decided only when it returns or the join gives up on them, and until then would
 * otherwise not count at all). Three answers are kept apart everywhere: <i>healthy</i>, <i>loss</i> and
 * <i>cannot tell</i>. A cell is:
 * <ul>
 *   <li>{@value #LOSS} when a departure was lost in the window (a loss verdict needs a complete
 *       view, so it stands whatever happened around it);
 *   <li>{@value #UNKNOWN} otherwise, when the destination's observer was not watched at some point
 *       of the window (down, gap, lost events, catching up, not yet delivering), when the source's
 *       was and no departure was judged (its departures may not have reached us), or when
 *       departures were unverified and none judged;
 *   <li>{@value #OK} when departures matched and none was lost; {@value #IDLE} when nothing was sent.
 * </ul>
 */
final class RecentView {
    static final String LOSS = "loss";
    static final String OK = "ok";
    static final String IDLE = "idle";
    static final String UNKNOWN = "unknown";

    /**
     * One node's observer over the window.
     *
     * @param recentProblem null when its view was complete over the whole window, else what was not
     */
    record NodeWatch(NodeReading now, String recentProblem) {
        /** Watched now and over the whole window: its cells can be green. */
        boolean complete() {
            return now.watched() && recentProblem == null;
        }

        /** Why its view is not complete (now first), or null. */
        String why() {
            return now.watched() ? recentProblem : now.reason();
        }
    }

    /** One pair and family: since start, over the window, and the state the page colours. */
    record Cell(PairReading total, PairReading recent, String state, String unknownReason) {}

    private final double windowSeconds;
    private final SortedMap<String, NodeWatch> nodes;
    private final List<Cell> cells;

    private RecentView(double windowSeconds, SortedMap<String, NodeWatch> nodes, List<Cell> cells) {
        this.windowSeconds = windowSeconds;
        this.nodes = Collections.unmodifiableSortedMap(nodes);
        this.cells = List.copyOf(cells);
    }

    static RecentView read(DaemonView daemon, PairHistory history, long nowNanos) {
        return of(PairReading.readAll(daemon), NodeReading.readAll(daemon), history, nowNanos);
    }

    /** The view of readings taken at {@code nowNanos} against {@code history}. */
    static RecentView of(List<PairReading> pairs, Map<String, NodeReading> nodesNow, PairHistory history,
            long nowNanos) {
        List<PairHistory.Sample> window = history.window(nowNanos);
        PairHistory.Sample baseline = window.isEmpty() ? null : window.get(0);
        double windowSeconds = baseline == null ? 0 : MetricBuilders.seconds(nowNanos - baseline.atNanos());
        String within = "in the last " + Math.round(Math.max(windowSeconds, 1)) + " s";
        SortedMap<String, NodeWatch> nodes = new TreeMap<>();
        for (NodeReading now : nodesNow.values()) {
            nodes.put(now.name(), new NodeWatch(now, recentProblem(now, window, baseline, within)));
        }
        for (PairReading pair : pairs) {
            for (String name : List.of(pair.sourceNode(), pair.destinationNode())) {
                // A node only a flow has named, never a stream of ours: nothing it saw reaches us.
                nodes.computeIfAbsent(name, n -> new NodeWatch(new NodeReading(n, NodeReading.NOT_DELIVERED,
                        "no stream for this node", 0, 0, 0), null));
            }
        }
        List<Cell> cells = new ArrayList<>(pairs.size());
        for (PairReading total : pairs) {
            PairReading recent = baseline == null ? total : total.since(baseline.pair(total.slot()));
            NodeWatch source = nodes.get(total.sourceNode());
            NodeWatch destination = nodes.get(total.destinationNode());
            String unknown = unknownReason(recent, source, destination);
            String state = recent.lost() > 0 ? LOSS : unknown != null ? UNKNOWN : recent.matched() > 0 ? OK : IDLE;
            cells.add(new Cell(total, recent, state, state.equals(UNKNOWN) ? unknown : null));
        }
        return new RecentView(windowSeconds, nodes, cells);
    }

    /** Why a cell without loss cannot be called healthy or idle, or null when it can. */
    static String unknownReason(PairReading recent, NodeWatch source, NodeWatch destination) {
        if (!destination.complete()) {
            return "destination " + destination.now().name() + " not watched: " + destination.why();
        }
        boolean judged = recent.matched() > 0;
        if (!source.complete() && !judged) {
            return "source " + source.now().name() + " not watched: " + source.why();
        }
        if (recent.unverified() > 0 && !judged) {
            return recent.unverified() + " departures unverified, none judged";
        }
        return null;
    }

    private static String recentProblem(NodeReading now, List<PairHistory.Sample> window, PairHistory.Sample baseline,
            String within) {
        NodeReading before = baseline == null ? null : baseline.node(now.name());
        List<String> problems = new ArrayList<>();
        long downs = now.downs() - (before == null ? 0 : before.downs());
        if (downs > 0) {
            problems.add("stream went down " + (downs == 1 ? "once" : downs + " times"));
        }
        long gaps = now.gaps() - (before == null ? 0 : before.gaps());
        if (gaps > 0) {
            problems.add(gaps + (gaps == 1 ? " gap" : " gaps") + " backfill could not cover");
        }
        long lostEvents = now.lostEvents() - (before == null ? 0 : before.lostEvents());
        if (lostEvents > 0) {
            problems.add("Hubble lost " + lostEvents + " events");
        }
        if (problems.isEmpty()) {
            for (PairHistory.Sample sample : window) {
                NodeReading then = sample.node(now.name());
                if (then != null && !then.watched()) {
                    problems.add("was " + then.state().replace('_', ' ') + " (" + then.reason() + ")");
                    break;
                }
            }
        }
        return problems.isEmpty() ? null : String.join("; ", problems) + " " + within;
    }

    double windowSeconds() {
        return windowSeconds;
    }

    SortedMap<String, NodeWatch> nodes() {
        return nodes;
    }

    List<Cell> cells() {
        return cells;
    }

    long watchedNodes() {
        return nodes.values().stream().filter(node -> node.now().watched()).count();
    }

    /** Departures of the window that were decided and judged (matched or lost). */
    long judged() {
        return cells.stream().mapToLong(cell -> cell.recent().matched() + cell.recent().lost()).sum();
    }

    /** Departures of the window that were decided but could not be judged. */
    long unverified() {
        return cells.stream().mapToLong(cell -> cell.recent().unverified()).sum();
    }

    /**
     * Departures of the window not decided yet whose destination is not watched now: they wait on
     * its outage. (Departures to watched nodes wait only for the join window; they are not counted.)
     */
    long waitingOnUnwatched() {
        long waiting = 0;
        for (Cell cell : cells) {
            NodeWatch destination = nodes.get(cell.total().destinationNode());
            if (!destination.now().watched()) {
                waiting += cell.recent().undecided();
            }
        }
        return waiting;
    }

    /** judged / (judged + unverified + waiting on unwatched) over the window, or null when that is 0. */
    Double coverage() {
        long judged = judged();
        long all = judged + unverified() + waitingOnUnwatched();
        return all == 0 ? null : (double) judged / all;
    }

    long cellsIn(String state) {
        return cells.stream().filter(cell -> cell.state().equals(state)).count();
    }
}
