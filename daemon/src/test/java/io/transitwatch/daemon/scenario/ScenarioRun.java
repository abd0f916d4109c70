package io.transitwatch.daemon.scenario;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.sim.Expectation;
import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.RoundTripExpectation;
import io.transitwatch.daemon.sim.RoundTripRecord;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.daemon.sim.Simulator;
import io.transitwatch.daemon.sim.SimulatorConfig;
import io.transitwatch.daemon.sim.TruthKey;
import io.transitwatch.daemon.sim.TruthRecord;
import io.transitwatch.daemon.testsupport.AddressLiterals;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.Verdict;
import io.transitwatch.sinks.json.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.ObjLongConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Not thread-safe; one per test. Runs one scenario end to end, in real time, and scores it: the
 * simulated cluster and the real daemon against it over gRPC ({@link Demo}), alerts and incident
 * changes read back from the daemon's stdout JSON, the join's counters, and the simulator's ground
 * truth judged for the daemon's window ({@link io.transitwatch.daemon.sim.GroundTruth#recordsWithin}).
 *
 * <p>Timeline of a run: start; wait until the join has every node's stream up ({@link #observedFromNanos});
 * from then, {@code traffic} more of new connections, with the test's {@link Action}s on the way;
 * {@code pauseTraffic()} (connections under way play out: retransmissions, SYN-ACKs); {@link #SETTLE}
 * more, so that every departure's window has passed and been decided; close the daemon (it drains
 * the join and flushes stdout); snapshot the counters and the ground truth.
 *
 * <p>Scoring, of <i>failures</i>: departures LOST in transit (by tuple: family, protocol, packet kind,
 * on-wire source IP and port, destination IP and port, the key of DESIGN §3.2 on both sides; first
 * data included) and round trips with NO_REPLY or REFUSED (by client: family, protocol, client IP and
 * port, the key of DESIGN §3.7), each against the alert of its verdict:
 * <ul>
 *   <li><b>judged</b> records: ground-truth departures (attempts) at least {@link #OBSERVATION_MARGIN}
 *       after the daemon first had every node's stream up, whose window ended at least
 *       {@link #TAIL_MARGIN} before the daemon stopped, whose expectation is final (not PENDING) and
 *       whose arrival (reply), if any, is not within {@link #EDGE} of the window's end. Recall is
 *       computed over the judged records that are failures.
 *   <li><b>precision</b> is computed over every LOST_IN_TRANSIT, NO_REPLY and REFUSED alert, judged or
 *       not: an alert is true only if the ground truth has a record of its key with that failure and
 *       it is the key's first such alert (alerts for records at the window edge are left out).
 *   <li><b>detection latency</b> of a judged failure that was detected: from its departure (true
 *       time the source node reported it) to the moment the first alert of its key reached the
 *       daemon's stdout ({@link StampedLines}), both on the clock the simulator and the daemon share.
 * </ul>
 */
final class ScenarioRun {
    /** The daemon's join window (join.window default); the ground truth is judged with the same one. */
    static final Duration WINDOW = Duration.ofSeconds(5);
    /**
     * How much later than the end of a departure's window its verdict may come: the destination's
     * watermark lags by the stream's lateness plus slack, and the sinks flush on close. Records whose
     * window ends later than this before the stop are not judged.
     */
    static final Duration TAIL_MARGIN = Duration.ofSeconds(3);
    /** After pausing the traffic: the last handshakes (SYN retransmission at +1 s) + window + margin. */
    static final Duration SETTLE = Duration.ofSeconds(1).plus(WINDOW).plus(TAIL_MARGIN);
    /**
     * A join reads event times, which carry the perf-read delay (up to 20 ms in the simulator) on
     * each side; the ground truth knows true times. A record whose first copy arrived within this of
     * the window's end may fall either side for any join: it is neither scored nor held against one.
     */
    static final Duration EDGE = Duration.ofMillis(50);
    /**
     * A record is judged only if its window, widened by this before its departure, lies within the
     * time the daemon had every node's stream up: the join holds the first moments of a stream
     * (its watermark slack, 250 ms) as incomplete, and learns each node's clock offset from the first
     * events.
     */
    static final Duration OBSERVATION_MARGIN = Duration.ofSeconds(1);
    /**
     * How long a tunnel run's simulated cluster runs before the daemon starts: more than the first
     * stream's backfill ({@code hubble.backfill-overlap}, 2 s) plus the join's slack.
     */
    static final Duration CLUSTER_HEAD_START = Duration.ofSeconds(3);
    private static final List<String> NODES = List.of("solcp01", "solcp02", "solcp03", "solwk01", "solwk02",
            "solwk03");

    private final String name;
    private final List<Alert> alerts = new ArrayList<>();
    /** Alert id to the time its line reached stdout. */
    private final Map<String, Long> emittedNanos = new HashMap<>();
    private final List<IncidentChange> incidents = new ArrayList<>();
    private final Map<JoinCounters.Global, Long> global = new EnumMap<>(JoinCounters.Global.class);
    private final List<PairCounts> pairs = new ArrayList<>();
    private final Map<String, Map<JoinCounters.PerNode, Long>> nodeCounts = new HashMap<>();
    private final List<TruthRecord> truth;
    private final List<RoundTripRecord> roundTrips;
    private final long startNanos;
    private final long observedFromNanos;
    private final long streamsUpNanos;
    private final long stopNanos;
    private final long elapsedMillis;

    /** Something done to the simulated cluster {@code after} the daemon first had every node up. */
    record Action(Duration after, String what, Consumer<Simulator> act) {
        static Action at(Duration after, String what, Consumer<Simulator> act) {
            return new Action(after, what, act);
        }
    }

    /** One (source node, destination node, family) row of the join's counters. */
    record PairCounts(String source, String destination, String family, Map<JoinCounters.PerPair, Long> counts) {
        long get(JoinCounters.PerPair counter) {
            return counts.get(counter);
        }

        long unverified() {
            return counts.entrySet().stream().filter(e -> e.getKey().name().startsWith("UNVERIFIED_"))
                    .mapToLong(Map.Entry::getValue).sum();
        }
    }

    /** The key of DESIGN §3.2, in the alert's spelling; addresses normalised. */
    record Tuple(String family, String protocol, String kind, String sourceIp, int sourcePort, String destinationIp,
            int destinationPort) {
        static Tuple of(Alert alert) {
            return new Tuple(alert.family(), alert.protocol(), alert.kind(),
                    AddressLiterals.canonical(alert.source().ip()), alert.source().port(),
                    AddressLiterals.canonical(alert.destination().ip()), alert.destination().port());
        }

        static Tuple of(TruthKey key) {
            return new Tuple(key.family() == IpFamily.IPV4 ? "IPv4" : "IPv6", key.protocol().name(),
                    key.kind().name().replace('_', '-'), AddressLiterals.canonical(key.sourceIp()), key.sourcePort(),
                    AddressLiterals.canonical(key.destinationIp()), key.destinationPort());
        }
    }

    /** The verdicts scored against the ground truth: a failure each, the rest are "other alerts". */
    static final List<Verdict> FAILURE_VERDICTS = List.of(Verdict.LOST_IN_TRANSIT, Verdict.NO_REPLY, Verdict.REFUSED);

    /**
     * Detection quality of one run.
     *
     * @param truePositives   failure alerts whose key the ground truth has with that failure
     * @param falsePositives  failure alerts whose key is unknown to the ground truth or without that failure
     *                        there, and every alert after the first of its key: a retransmission never starts
     *                        a new entry (DESIGN §3.1), so one lost handshake (one unanswered connection) is
     *                        one alert
     * @param judgedLost      judged records that are failures (LOST, NO_REPLY, REFUSED)
     * @param detected        of those, the ones with the alert of their failure
     * @param missed          the others, described
     * @param duplicateAlerts keys with more than one alert
     * @param alertsAtWindowEdge failure alerts for records at the window edge ({@link #EDGE}), not scored
     * @param recordsAtWindowEdge records at the window edge, not scored
     * @param latencyNanos    detection latency of each detected record, ascending
     */
    record Score(int truePositives, List<Alert> falsePositives, int judgedLost, int detected,
            List<String> missed, int duplicateAlerts, int alertsAtWindowEdge, int recordsAtWindowEdge,
            List<Long> latencyNanos) {
        double precision() {
            int alerts = truePositives + falsePositives.size();
            return alerts == 0 ? 1.0 : (double) truePositives / alerts;
        }

        double recall() {
            return judgedLost == 0 ? 1.0 : (double) detected / judgedLost;
        }

        /** Nearest-rank {@code quantile} (0 < q <= 1) of the detection latencies; null when nothing was detected. */
        Duration latency(double quantile) {
            if (latencyNanos.isEmpty()) {
                return null;
            }
            int rank = (int) Math.ceil(quantile * latencyNanos.size());
            return Duration.ofNanos(latencyNanos.get(Math.max(1, rank) - 1));
        }

        @Override
        public String toString() {
            return String.format("precision %.4f (%d true, %d false), recall %.4f (%d of %d judged LOST), "
                    + "latency p50 %s p99 %s, "
                    + "%d tuples alerted more than once, %d records (%d alerts) at the window edge not scored; "
                    + "false: %s; missed: %s", precision(), truePositives, falsePositives.size(), recall(), detected,
                    judgedLost, latency(0.5), latency(0.99), duplicateAlerts, recordsAtWindowEdge, alertsAtWindowEdge,
                    falsePositives.stream().limit(5).map(a -> a.verdict() + " " + a.kind() + " "
                            + a.source().node() + "->" + a.destination().node() + " " + keyOf(a)).toList(),
                    missed.stream().limit(5).toList());
        }
    }

    private ScenarioRun(String name, StampedLines stdout, JoinCounters counters, StringDictionary dictionary,
            List<TruthRecord> truth, List<RoundTripRecord> roundTrips, long startNanos, long streamsUpNanos,
            long observedFromNanos, long stopNanos, long elapsedMillis) {
        this.name = name;
        stdout.forEach((line, atNanos) -> {
            SinkEvent event = EventJson.decode(line);
            if (event instanceof Alert alert) {
                alerts.add(alert);
                emittedNanos.put(alert.id(), atNanos);
            } else if (event instanceof IncidentChange incident) {
                incidents.add(incident);
            }
        });
        for (JoinCounters.Global counter : JoinCounters.Global.values()) {
            global.put(counter, counters.get(counter));
        }
        for (int pair = 0; pair < counters.pairCount(); pair++) {
            Map<JoinCounters.PerPair, Long> counts = new EnumMap<>(JoinCounters.PerPair.class);
            for (JoinCounters.PerPair counter : JoinCounters.PerPair.values()) {
                counts.put(counter, counters.pair(pair, counter));
            }
            pairs.add(new PairCounts(dictionary.get(counters.pairSourceNode(pair)),
                    dictionary.get(counters.pairDestinationNode(pair)),
                    counters.pairFamily(pair) == 6 ? "IPv6" : "IPv4", counts));
        }
        for (int node = 0; node < counters.nodeCount(); node++) {
            Map<JoinCounters.PerNode, Long> counts = new EnumMap<>(JoinCounters.PerNode.class);
            for (JoinCounters.PerNode counter : JoinCounters.PerNode.values()) {
                counts.put(counter, counters.node(node, counter));
            }
            nodeCounts.put(dictionary.get(counters.nodeId(node)), counts);
        }
        this.truth = truth;
        this.roundTrips = roundTrips;
        this.startNanos = startNanos;
        this.streamsUpNanos = streamsUpNanos;
        this.observedFromNanos = observedFromNanos;
        this.stopNanos = stopNanos;
        this.elapsedMillis = elapsedMillis;
    }

    /**
     * Runs {@code scenario} with {@code traffic} of new connections (counted from the moment the
     * daemon first had every node's stream up), doing the {@code actions} on the way, then
     * {@link #SETTLE}; returns what the daemon said and what really happened.
     */
    static ScenarioRun run(SimMode mode, Scenario scenario, Duration traffic, Path tlsDir, Action... actions) {
        return run(mode, false, scenario, traffic, tlsDir, actions);
    }

    /**
     * As above on a tunnel-mode cluster (departures at {@code to-overlay}, cilium-config
     * {@code routing-mode: tunnel}): the daemon gets no topology or calibration settings, only what
     * Kubernetes discovery tells it.
     */
    static ScenarioRun runTunnel(Scenario scenario, Duration traffic, Path tlsDir, Action... actions) {
        return run(SimMode.RELAY, true, scenario, traffic, tlsDir, actions);
    }

    private static ScenarioRun run(SimMode mode, boolean tunnel, Scenario scenario, Duration traffic, Path tlsDir,
            Action... actions) {
        StampedLines lines = new StampedLines(Clock.SYSTEM);
        PrintStream stdout = new PrintStream(lines, true, StandardCharsets.UTF_8);
        long started = System.nanoTime();
        long startEpoch = Clock.SYSTEM.epochNanos();
        List<String> overrides = List.of("sinks=stdout", "stdout.format=json", "stdout.alerts=every", "http.port=-1",
                "join.window=" + WINDOW.toMillis() + "ms");
        // A tunnel run is the zero-config one, scored from the moment the streams are up: its cluster
        // has run for a while when the daemon starts, as a real one has (otherwise the first seconds
        // after the streams came up are also the first seconds of the cluster, and a departure within
        // the join's slack of its destination's very first event is rightly unknown).
        Demo demo = Demo.start(SimulatorConfig.builder().mode(mode).scenario(scenario).clock(Clock.SYSTEM)
                .tunnel(tunnel), overrides, tlsDir, stdout,
                simulator -> sleepUntil(started + (tunnel ? CLUSTER_HEAD_START.toNanos() : 0)));
        try {
            if (tunnel) {
                Settings settings = demo.daemon().settings();
                assertTrue(settings.get(ConfigKeys.TOPOLOGY_POD_CIDRS).isEmpty()
                        && settings.get(ConfigKeys.TOPOLOGY_NODE_ADDRESSES).isEmpty()
                        && settings.get(ConfigKeys.JOIN_DEPARTURE_POINTS)
                                .equals(ConfigKeys.JOIN_DEPARTURE_POINTS.defaultValue().orElseThrow())
                        && settings.bool(ConfigKeys.KUBERNETES_ENABLED), "placements and calibration come from discovery");
            }
            long[] up = awaitEveryNodeUp(demo);
            long observedFrom = up[1];
            long observed = System.nanoTime();
            for (Action action : actions) {
                assertTrue(action.after().compareTo(traffic) < 0, "actions happen while the traffic runs");
                sleepUntil(observed + action.after().toNanos());
                System.out.println("[scenario " + scenario.name() + "] +" + action.after().toMillis() + " ms: "
                        + action.what());
                action.act().accept(demo.simulator());
            }
            sleepUntil(observed + traffic.toNanos());
            demo.simulator().pauseTraffic();
            sleepUntil(System.nanoTime() + SETTLE.toNanos());
            long stop = Clock.SYSTEM.epochNanos();
            demo.daemon().close(); // drains the join, flushes stdout
            List<TruthRecord> truth = demo.simulator().groundTruth().recordsWithin(WINDOW, r -> true);
            List<RoundTripRecord> roundTrips = demo.simulator().groundTruth().roundTripsWithin(WINDOW, r -> true);
            stdout.flush();
            ScenarioRun run = new ScenarioRun(scenario.name(), lines, demo.daemon().counters(),
                    demo.daemon().dictionary(), truth, roundTrips, startEpoch, up[0], observedFrom, stop,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
            System.out.println("[scenario " + scenario.name() + ", " + mode + "] " + run.summary() + "\n"
                    + run.explain() + "\n  counters: " + run.global);
            return run;
        } finally {
            demo.close();
        }
    }

    /**
     * Daemon times {streams up, observed from}: the last look at which the join had not yet heard every
     * node's stream up (NODE_UP; the moment it had lies after it, so scoring from there is strict), and
     * the first at which every stream was up and caught up.
     */
    private static long[] awaitEveryNodeUp(Demo demo) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        JoinCounters counters = demo.daemon().counters();
        StringDictionary dictionary = demo.daemon().dictionary();
        long notAllStreamsUp = Clock.SYSTEM.epochNanos();
        boolean streamsUp = false;
        while (true) {
            long now = Clock.SYSTEM.epochNanos();
            Set<String> up = new HashSet<>();
            Set<String> streaming = new HashSet<>();
            for (int node = 0; node < counters.nodeCount(); node++) {
                long state = counters.node(node, JoinCounters.PerNode.STATE);
                String name = dictionary.get(counters.nodeId(node));
                if (state == JoinCounters.OBSERVER_UP) { // and caught up
                    up.add(name);
                }
                if (state == JoinCounters.OBSERVER_UP || state == JoinCounters.OBSERVER_CATCHING_UP) {
                    streaming.add(name);
                }
            }
            streamsUp |= streaming.containsAll(NODES);
            if (!streamsUp) {
                notAllStreamsUp = now;
            }
            if (up.containsAll(NODES)) {
                return new long[] {notAllStreamsUp, now};
            }
            assertTrue(System.nanoTime() < deadline, "streams never all up; up: " + up);
            sleepUntil(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    private static void sleepUntil(long nanoTime) {
        long left;
        while ((left = nanoTime - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(left);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }
    }

    // ---- what happened ----

    /** Wall-clock length of the whole run, start-up and shutdown included. */
    long elapsedMillis() {
        return elapsedMillis;
    }

    List<Alert> alerts() {
        return alerts;
    }

    List<Alert> alerts(Verdict verdict) {
        return alerts.stream().filter(a -> a.verdict() == verdict).toList();
    }

    List<IncidentChange> incidents(IncidentState state) {
        return incidents.stream().filter(i -> i.state() == state).toList();
    }

    long counter(JoinCounters.Global counter) {
        return global.get(counter);
    }

    /** A per-node counter of the join (e.g. the round trips of the node's clients), 0 for a node never seen. */
    long nodeCounter(String node, JoinCounters.PerNode counter) {
        return nodeCounts.getOrDefault(node, Map.of()).getOrDefault(counter, 0L);
    }

    List<PairCounts> pairs(Predicate<PairCounts> filter) {
        return pairs.stream().filter(filter).toList();
    }

    /** Every retained ground-truth record, judged for {@link #WINDOW}. */
    List<TruthRecord> truth(Predicate<TruthRecord> filter) {
        return truth.stream().filter(filter).toList();
    }

    /** The records a complete and correct join must have decided: see the class comment. */
    List<TruthRecord> judged(Predicate<TruthRecord> filter) {
        return judged(observedFromNanos + OBSERVATION_MARGIN.toNanos(), lastJudgedNanos(), filter);
    }

    private List<TruthRecord> judged(long firstDeparture, long lastDeparture, Predicate<TruthRecord> filter) {
        return truth(r -> r.departureNanos() >= firstDeparture && r.departureNanos() <= lastDeparture
                && r.expected() != Expectation.PENDING && !atWindowEdge(r) && filter.test(r));
    }

    /** The last departure (attempt) judged: its window ended {@link #TAIL_MARGIN} before the stop. */
    private long lastJudgedNanos() {
        return stopNanos - WINDOW.toNanos() - TAIL_MARGIN.toNanos();
    }

    /** See {@link #EDGE}. */
    static boolean atWindowEdge(TruthRecord r) {
        return r.arrived() && Math.abs(r.arrivedNanos() - r.departureNanos() - WINDOW.toNanos()) <= EDGE.toNanos();
    }

    /** Every retained round trip (DESIGN §3.7), judged for {@link #WINDOW}. */
    List<RoundTripRecord> roundTrips(Predicate<RoundTripRecord> filter) {
        return roundTrips.stream().filter(filter).toList();
    }

    /** The round trips a complete and correct join must have decided, as {@link #judged} for departures. */
    List<RoundTripRecord> judgedRoundTrips(Predicate<RoundTripRecord> filter) {
        return judgedRoundTrips(observedFromNanos + OBSERVATION_MARGIN.toNanos(), lastJudgedNanos(), filter);
    }

    private List<RoundTripRecord> judgedRoundTrips(long firstAttempt, long lastAttempt,
            Predicate<RoundTripRecord> filter) {
        return roundTrips(r -> r.attemptNanos() >= firstAttempt && r.attemptNanos() <= lastAttempt
                && r.expected() != RoundTripExpectation.PENDING && !atWindowEdge(r) && filter.test(r));
    }

    /** A reply within {@link #EDGE} of the window's end. */
    static boolean atWindowEdge(RoundTripRecord r) {
        return r.replied() && Math.abs(r.replyNanos() - r.attemptNanos() - WINDOW.toNanos()) <= EDGE.toNanos();
    }

    /** One ground-truth record as the score sees it: its key, whether it is a failure, when it left. */
    private record Scored(String key, boolean failure, boolean atEdge, long departureNanos,
            Supplier<String> describe) {
        String description() {
            return describe.get();
        }
    }

    /** The score's key of an alert: its verdict and the key of its record (DESIGN §3.2 tuple, §3.7 client). */
    static String keyOf(Alert alert) {
        if (alert.verdict() == Verdict.LOST_IN_TRANSIT) {
            return alert.verdict() + " " + Tuple.of(alert);
        }
        return alert.verdict() + " " + alert.family() + " " + alert.protocol() + " "
                + AddressLiterals.canonical(alert.source().ip()) + "." + alert.source().port();
    }

    private static String clientKey(Verdict verdict, RoundTripRecord r) {
        return verdict + " " + (r.family() == IpFamily.IPV4 ? "IPv4" : "IPv6") + " " + r.protocol().name() + " "
                + AddressLiterals.canonical(r.clientIp()) + "." + r.clientPort();
    }

    private Scored scored(TruthRecord r) {
        return new Scored(Verdict.LOST_IN_TRANSIT + " " + Tuple.of(r.key()), r.expected() == Expectation.LOST,
                atWindowEdge(r), r.departureNanos(), () -> describe(r));
    }

    /** A round trip stands for both its possible failure keys: an alert of the other verdict is false. */
    private List<Scored> scored(RoundTripRecord r) {
        return List.of(
                new Scored(clientKey(Verdict.NO_REPLY, r), r.expected() == RoundTripExpectation.NO_REPLY,
                        atWindowEdge(r), r.attemptNanos(), () -> describe(r)),
                new Scored(clientKey(Verdict.REFUSED, r), r.expected() == RoundTripExpectation.REFUSED,
                        atWindowEdge(r), r.attemptNanos(), () -> describe(r)));
    }

    Score score() {
        return score(observedFromNanos + OBSERVATION_MARGIN.toNanos(), lastJudgedNanos());
    }

    /**
     * The score of the records that departed (attempts made) within {@code length} of the moment the
     * join heard every node's stream up (NODE_UP, before the streams caught up), with no
     * {@link #OBSERVATION_MARGIN}: what the join decides from its very first view. Precision counts
     * every alert, as in {@link #score()}.
     */
    Score scoreOfFirst(Duration length) {
        return score(streamsUpNanos, Math.min(streamsUpNanos + length.toNanos(), lastJudgedNanos()));
    }

    private Score score(long firstJudgedNanos, long lastJudgedNanos) {
        Map<String, Scored> records = new HashMap<>();
        truth.forEach(r -> records.put(scored(r).key(), scored(r)));
        roundTrips.forEach(r -> scored(r).forEach(item -> records.put(item.key(), item)));
        List<Alert> failureAlerts = alerts.stream().filter(a -> FAILURE_VERDICTS.contains(a.verdict())).toList();
        Map<String, Long> alerted = failureAlerts.stream()
                .collect(Collectors.groupingBy(ScenarioRun::keyOf, Collectors.counting()));
        Map<String, List<Long>> emitted = failureAlerts.stream().collect(Collectors.groupingBy(ScenarioRun::keyOf,
                Collectors.mapping(a -> emittedNanos.get(a.id()), Collectors.toList())));
        int truePositives = 0;
        int ambiguous = 0;
        List<Alert> falsePositives = new ArrayList<>();
        Set<String> alertedBefore = new HashSet<>();
        for (Alert alert : failureAlerts) {
            Scored record = records.get(keyOf(alert));
            if (!alertedBefore.add(keyOf(alert))) {
                falsePositives.add(alert); // a key's failure is one alert; a repeat is a false one
            } else if (record != null && record.atEdge()) {
                ambiguous++;
            } else if (record != null && record.failure()) {
                truePositives++;
            } else {
                falsePositives.add(alert);
            }
        }
        List<Scored> failures = new ArrayList<>();
        judged(firstJudgedNanos, lastJudgedNanos, r -> r.expected() == Expectation.LOST)
                .forEach(r -> failures.add(scored(r)));
        judgedRoundTrips(firstJudgedNanos, lastJudgedNanos, r -> r.expected() == RoundTripExpectation.NO_REPLY
                || r.expected() == RoundTripExpectation.REFUSED)
                .forEach(r -> scored(r).stream().filter(Scored::failure).forEach(failures::add));
        List<String> missed = failures.stream().filter(f -> !alerted.containsKey(f.key()))
                .map(Scored::description).toList();
        int duplicates = (int) alerted.values().stream().filter(n -> n > 1).count();
        List<Long> latencies = new ArrayList<>();
        for (Scored failure : failures) {
            // the key's first alert after this departure (a reused tuple may have older ones)
            emitted.getOrDefault(failure.key(), List.of()).stream()
                    .filter(at -> at >= failure.departureNanos()).min(Long::compare)
                    .ifPresent(at -> latencies.add(at - failure.departureNanos()));
        }
        Collections.sort(latencies);
        int atEdge = (int) (truth.stream().filter(ScenarioRun::atWindowEdge).count()
                + roundTrips.stream().filter(ScenarioRun::atWindowEdge).count());
        return new Score(truePositives, falsePositives, failures.size(), failures.size() - missed.size(), missed,
                duplicates, ambiguous, atEdge, List.copyOf(latencies));
    }

    String summary() {
        Map<Expectation, Long> judgedCounts = judged(r -> true).stream()
                .collect(Collectors.groupingBy(TruthRecord::expected, () -> new EnumMap<>(Expectation.class),
                        Collectors.counting()));
        Map<Verdict, Long> verdicts = alerts.stream().collect(Collectors.groupingBy(Alert::verdict,
                () -> new EnumMap<>(Verdict.class), Collectors.counting()));
        Map<JoinCounters.PerPair, Long> unverified = new EnumMap<>(JoinCounters.PerPair.class);
        for (PairCounts pair : pairs) {
            pair.counts().forEach((counter, n) -> {
                if (n > 0 && counter.name().startsWith("UNVERIFIED_")) {
                    unverified.merge(counter, n, Long::sum);
                }
            });
        }
        Map<RoundTripExpectation, Long> judgedTrips = judgedRoundTrips(r -> true).stream()
                .collect(Collectors.groupingBy(RoundTripRecord::expected,
                        () -> new EnumMap<>(RoundTripExpectation.class), Collectors.counting()));
        return String.format("%d ms; join: %d departures, %d matched, %d lost, %d unverified %s, %d late, "
                + "%d dropped, %d round trips (%d answered, %d no reply, %d refused), ignored: %d not first data, "
                + "%d duplicate departures; alerts %s; incidents firing %d; "
                + "truth judged %s (of %d records), round trips judged %s (of %d); %s", elapsedMillis,
                counter(JoinCounters.Global.DEPARTURES), counter(JoinCounters.Global.MATCHED),
                counter(JoinCounters.Global.LOST), counter(JoinCounters.Global.UNVERIFIED), unverified,
                counter(JoinCounters.Global.LATE), counter(JoinCounters.Global.DROPPED),
                counter(JoinCounters.Global.ROUND_TRIPS), counter(JoinCounters.Global.ANSWERED),
                counter(JoinCounters.Global.NO_REPLY), counter(JoinCounters.Global.REFUSED),
                counter(JoinCounters.Global.IGNORED_NOT_FIRST_DATA), counter(JoinCounters.Global.DUPLICATE_DEPARTURES),
                verdicts,
                incidents(IncidentState.FIRING).size(), judgedCounts, truth.size(), judgedTrips, roundTrips.size(),
                score());
    }

    /** Diagnostics: the false alerts, repeated alerts and missed records with their ground truth; ms from the start. */
    String explain() {
        Map<Tuple, TruthRecord> byTuple = new HashMap<>();
        truth.forEach(r -> byTuple.put(Tuple.of(r.key()), r));
        Map<String, Scored> byKey = new HashMap<>();
        roundTrips.forEach(r -> scored(r).forEach(item -> byKey.put(item.key(), item)));
        StringBuilder out = new StringBuilder("streams up +" + ms(streamsUpNanos) + ", observed from +"
                + ms(observedFromNanos) + ", stop +" + ms(stopNanos));
        Score score = score();
        for (Alert alert : score.falsePositives()) {
            Scored trip = byKey.get(keyOf(alert));
            out.append("\n  false: ").append(alert.verdict()).append(' ').append(alert.kind()).append(' ')
                    .append(alert.source().node()).append("->")
                    .append(alert.destination().node()).append(" decided +").append(ms(alert.time()))
                    .append(", first seen +").append(ms(alert.firstSeen())).append(" (source clock): ")
                    .append(alert.verdict() == Verdict.LOST_IN_TRANSIT ? describe(byTuple.get(Tuple.of(alert)))
                            : trip == null ? "no ground truth" : trip.description());
        }
        alerts(Verdict.LOST_IN_TRANSIT).stream().collect(Collectors.groupingBy(Tuple::of)).values().stream()
                .filter(same -> same.size() > 1).limit(5)
                .forEach(same -> out.append("\n  repeated: first seen ")
                        .append(same.stream().map(a -> "+" + ms(a.firstSeen())).toList()).append(": ")
                        .append(describe(byTuple.get(Tuple.of(same.get(0))))));
        for (String missed : score.missed()) {
            out.append("\n  missed: ").append(missed);
        }
        return out.toString();
    }

    private String describe(RoundTripRecord r) {
        String reply = !r.replied() ? "never"
                : "+" + ms(r.replyNanos()) + " (" + (r.replyNanos() - r.attemptNanos()) / 1_000_000 + " ms later, "
                        + (r.replyObservable() ? "reported" : "NOT reported") + (r.refused() ? ", RST" : "") + ")";
        return r.clientNode() + " " + r.clientPod() + " " + r.clientIp() + "." + r.clientPort() + " -> " + r.server()
                + " " + r.serverIp() + "." + r.serverPort() + " " + r.family() + " " + r.protocol() + " "
                + r.expected() + ", attempt +" + ms(r.attemptNanos()) + ", reply " + reply;
    }

    private String describe(TruthRecord r) {
        if (r == null) {
            return "no ground truth";
        }
        String arrival = !r.arrived() ? "never"
                : "+" + ms(r.arrivedNanos()) + " (" + (r.arrivedNanos() - r.departureNanos()) / 1_000_000
                        + " ms later, " + (r.arrivalObservable() ? "reported" : "NOT reported")
                        + (r.droppedAtDestination() ? ", dropped" : "") + ")";
        return r.sourceNode() + "->" + r.destinationNode() + " " + r.key() + " " + r.expected() + ", departed +"
                + ms(r.departureNanos()) + ", reported " + r.departureReports() + "x, sent " + r.transmissions()
                + "x, arrived " + arrival;
    }

    private long ms(java.time.Instant instant) {
        return ms(instant.getEpochSecond() * 1_000_000_000L + instant.getNano());
    }

    private long ms(long epochNanos) {
        return (epochNanos - startNanos) / 1_000_000;
    }

    @Override
    public String toString() {
        return name + ": " + summary();
    }

    /**
     * Thread-safe. The daemon's stdout, kept line by line with the time each line was written, on the
     * clock the daemon and the simulator share: when an alert reached its reader.
     */
    static final class StampedLines extends OutputStream {
        private final Clock clock;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream();
        private final List<String> lines = new ArrayList<>();
        private final List<Long> stamps = new ArrayList<>();

        StampedLines(Clock clock) {
            this.clock = clock;
        }

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                String text = line.toString(StandardCharsets.UTF_8);
                line.reset();
                if (!text.isBlank()) {
                    lines.add(text);
                    stamps.add(clock.epochNanos());
                }
            } else {
                line.write(b);
            }
        }

        @Override
        public synchronized void write(byte[] bytes, int offset, int length) {
            for (int i = offset; i < offset + length; i++) {
                write(bytes[i]);
            }
        }

        /** Every complete, non-blank line so far with the epoch nanoseconds it was written at, in order. */
        synchronized void forEach(ObjLongConsumer<String> action) {
            for (int i = 0; i < lines.size(); i++) {
                action.accept(lines.get(i), stamps.get(i));
            }
        }
    }
}
