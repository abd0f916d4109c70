package io.transitwatch.daemon.replay;

import io.transitwatch.daemon.clock.ManualClock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.join.JoinConfig;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.join.JoinDutyCycle;
import io.transitwatch.daemon.join.JoinEngine;
import io.transitwatch.daemon.join.UnverifiedReason;
import io.transitwatch.daemon.lifecycle.JoinAssembly;
import io.transitwatch.daemon.topology.NodeAddressBook;
import io.transitwatch.daemon.topology.NodeAddressSource;
import io.transitwatch.sinks.SinkEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs entirely on the caller's thread and starts none: {@link #run} returns when every capture has
 * been read and every departure decided.
 *
 * <p>{@code transitwatch replay}: Hubble captures of one or several nodes, judged offline by the join
 * that runs live ({@link JoinAssembly}, the same settings), on <i>event time</i>. The captures are
 * merged in event-time order ({@link CaptureMerge}); the daemon's clock is a {@link ManualClock} that
 * follows the events, every event counts as received at its own time, and the live join loop's duty
 * cycle ({@link JoinDutyCycle}) turns at least every {@link #DECISION_TICK_NANOS} of event time — on a
 * time line that runs as fast as the files can be read. At the end, time runs on past the last
 * event by the window plus the longest grace ({@code join.down-grace}, {@code join.max-behind}), so
 * every departure is decided: matched, lost, dropped, or unverified because its destination's capture
 * did not cover its window.
 */
public final class Replay {
    /** Events each capture holds to put them back in time order (see {@link ReorderBuffer}). */
    public static final int DEFAULT_REORDER_EVENTS = 4096;

    private static final long DECISION_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(1);
    private static final int DICTIONARY_CAPACITY = 1 << 20;
    private static final long UNSET = Long.MIN_VALUE;

    private final StringDictionary dictionary;
    private final ManualClock clock = new ManualClock(0);
    private final JoinAssembly join;
    private final JoinEngine engine;
    private long now = UNSET;
    private long firstEvent = UNSET;

    private final Settings settings;

    private Replay(Settings settings, StringDictionary dictionary, Consumer<SinkEvent> out) {
        this.settings = settings;
        this.dictionary = dictionary;
        this.join = JoinAssembly.from(settings, dictionary, clock, out);
        this.engine = join.engine();
    }

    /**
     * Replays {@code inputs} through the join configured by {@code settings}.
     *
     * @param reorderEvents events held per capture to restore time order ({@link #DEFAULT_REORDER_EVENTS})
     * @param out           every alert and incident change, in verdict order, on this thread
     * @param diagnostics   where malformed lines and read errors are reported, {@code FILE:LINE: reason}
     * @throws IOException when a capture cannot be opened; nothing was replayed then
     */
    public static ReplaySummary run(Settings settings, List<CaptureInput> inputs, int reorderEvents,
            Consumer<SinkEvent> out, PrintStream diagnostics) throws IOException {
        StringDictionary dictionary = new StringDictionary(DICTIONARY_CAPACITY);
        List<CaptureReader> readers = open(inputs, dictionary, reorderEvents, diagnostics);
        try {
            Replay replay = new Replay(settings, dictionary, out);
            CaptureMerge merge = new CaptureMerge(readers, dictionary);
            replay.play(merge, readers);
            return replay.summary(readers, merge.latestTime());
        } finally {
            readers.forEach(CaptureReader::close);
        }
    }

    private static List<CaptureReader> open(List<CaptureInput> inputs, StringDictionary dictionary, int reorderEvents,
            PrintStream diagnostics) throws IOException {
        List<CaptureReader> readers = new ArrayList<>();
        for (CaptureInput input : inputs) {
            InputStream in;
            try {
                in = input.open();
            } catch (IOException | RuntimeException e) {
                readers.forEach(CaptureReader::close);
                throw new IOException(input.name() + ": " + why(e), e);
            }
            readers.add(new CaptureReader(input.name(), in, dictionary, reorderEvents, diagnostics));
        }
        return readers;
    }

    private static String why(Exception e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /**
     * Nodes named by their own address (real exports: {@code "node_name":"10.10.21.241"}, hubble-api.md
     * §10) name that address as a round trip's destination, next to {@code topology.node-addresses};
     * the nodes are those of the events each capture has read ahead when it opened.
     */
    private void nameNodesByAddress(List<CaptureReader> readers) {
        NodeAddressBook book = new NodeAddressBook(dictionary::pin, snapshot -> { });
        book.replace(NodeAddressSource.CONFIG, settings.get(ConfigKeys.TOPOLOGY_NODE_ADDRESSES));
        for (CaptureReader reader : readers) {
            for (int node : reader.nodes()) {
                book.nodeSeen(dictionary.get(node));
            }
        }
        join.topology().setNodeAddresses(book.flush());
    }

    /**
     * The live join loop's duty cycle ({@link JoinDutyCycle}) on event time: the clock moves to the
     * next event's time, or a decision tick on when events come closer together, and the cycle turns
     * at that time until every event up to it has been handed over and nothing more is due.
     */
    private void play(CaptureMerge merge, List<CaptureReader> readers) {
        merge.open();
        nameNodesByAddress(readers);
        JoinDutyCycle cycle = new JoinDutyCycle((handler, limit) -> merge.poll(handler, limit, now), engine);
        while (merge.hasNext()) {
            long next = merge.nextTime();
            if (firstEvent == UNSET) {
                firstEvent = next;
            }
            now = now == UNSET ? next : Math.max(next, now + DECISION_TICK_NANOS);
            clock.set(now);
            while (cycle.run(now) > 0) {
                // until the captures up to now are in and nothing more is due
            }
        }
        // Time runs on past the last event until no departure can still be waiting.
        if (now != UNSET) {
            JoinConfig config = engine.config();
            long grace = Math.max(config.downGrace().toNanos(), config.maxBehind().toNanos());
            now += config.window().toNanos() + grace + config.watermarkSlack().toNanos() + DECISION_TICK_NANOS;
            clock.set(now);
            cycle.settle(now);
        }
    }

    private ReplaySummary summary(List<CaptureReader> readers, long lastEvent) {
        List<ReplaySummary.FileSummary> files = readers.stream().map(CaptureReader::summary).toList();
        return new ReplaySummary(files, nodes(files), pairs(), joinCounters(),
                firstEvent == UNSET ? null : Instant.ofEpochSecond(0, firstEvent),
                lastEvent == Long.MIN_VALUE ? null : Instant.ofEpochSecond(0, lastEvent), engine.pendingCount());
    }

    private static List<ReplaySummary.NodeSummary> nodes(List<ReplaySummary.FileSummary> files) {
        Map<String, Map<String, Long>> byNode = new TreeMap<>();
        for (ReplaySummary.FileSummary file : files) {
            file.nodeEvents().forEach((node, count) ->
                    byNode.computeIfAbsent(node, n -> new LinkedHashMap<>()).merge(file.name(), count, Long::sum));
        }
        List<ReplaySummary.NodeSummary> nodes = new ArrayList<>();
        byNode.forEach((node, byFile) -> nodes.add(new ReplaySummary.NodeSummary(node,
                byFile.values().stream().mapToLong(Long::longValue).sum(), byFile)));
        return nodes;
    }

    private List<ReplaySummary.PairSummary> pairs() {
        JoinCounters counters = join.counters();
        List<ReplaySummary.PairSummary> pairs = new ArrayList<>();
        for (int pair = 0; pair < counters.pairCount(); pair++) {
            if (!counters.pairInUse(pair)) {
                continue;
            }
            Map<String, Long> unverified = new LinkedHashMap<>();
            for (UnverifiedReason reason : UnverifiedReason.values()) {
                long count = counters.pair(pair, JoinCounters.PerPair.valueOf("UNVERIFIED_" + reason.name()));
                if (count > 0) {
                    unverified.put(reason.name(), count);
                }
            }
            pairs.add(new ReplaySummary.PairSummary(dictionary.get(counters.pairSourceNode(pair)),
                    dictionary.get(counters.pairDestinationNode(pair)),
                    JoinConstants.familyName(counters.pairFamily(pair)),
                    counters.pair(pair, JoinCounters.PerPair.DEPARTURES), counters.pair(pair, JoinCounters.PerPair.MATCHED),
                    counters.pair(pair, JoinCounters.PerPair.LOST), counters.pair(pair, JoinCounters.PerPair.DROPPED),
                    counters.pair(pair, JoinCounters.PerPair.LATE), unverified));
        }
        pairs.sort(Comparator.comparing(ReplaySummary.PairSummary::sourceNode)
                .thenComparing(ReplaySummary.PairSummary::destinationNode)
                .thenComparing(ReplaySummary.PairSummary::family));
        return pairs;
    }

    private Map<String, Long> joinCounters() {
        Map<String, Long> counters = new LinkedHashMap<>();
        for (JoinCounters.Global counter : JoinCounters.Global.values()) {
            counters.put(counter.name().toLowerCase(Locale.ROOT), join.counters().get(counter));
        }
        return counters;
    }
}
