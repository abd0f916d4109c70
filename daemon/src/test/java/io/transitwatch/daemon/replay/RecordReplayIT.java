package io.transitwatch.daemon.replay;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.transitwatch.daemon.clock.Clock;
import io.transitwatch.daemon.config.ConfigKeys;
import io.transitwatch.daemon.config.Settings;
import io.transitwatch.daemon.join.JoinCounters;
import io.transitwatch.daemon.lifecycle.Demo;
import io.transitwatch.daemon.sim.Scenario;
import io.transitwatch.daemon.sim.SimMode;
import io.transitwatch.sinks.Alert;
import io.transitwatch.sinks.json.EventJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The proof that replay is the live join: a simulated cluster with solwk01 → solwk02 blackholed runs
 * the real daemon over gRPC for {@link #LIVE_RUN} while every node's events are recorded; the
 * recording replayed offline must reach the same LOST_IN_TRANSIT verdicts.
 *
 * <p>What is compared: the set of lost tuples, (source node, destination node, family, packet kind,
 * Community ID). Each counts once: a SYN-ACK sent again after its first copy was declared lost is a new
 * departure, and whether the first copy was already decided when the next one came depends on how far
 * behind the live daemon ran, while replay, on event time, is never behind.
 *
 * <p>The two runs see the same departures only in the middle of the live run, so a tuple is compared
 * only when every one of its LOST alerts, in either run, departed ({@code first_seen}: the source
 * node's clock, the same recorded event in both runs) within
 *
 * <pre>
 *   ──┬─────────────┬──────────── comparable ────────────┬─────────────┬──
 *  liveStart   liveStart + G                     liveEnd − W − G     liveEnd
 * </pre>
 *
 * <ul>
 *   <li>{@code liveStart}: the first moment the daemon had received flows. Its stream was open from
 *       then on; departures before it may exist only in the recording;
 *   <li>{@code liveEnd}: the end of the live run. A departure is decided W after it, plus the
 *       destination stream's lateness and the watermark slack, so a daemon stopped at {@code liveEnd}
 *       has not decided those of the last W + G, while replay decides them (or calls them UNVERIFIED
 *       where the recording ends);
 *   <li>W = {@code join.window} (2 s in both runs), G = {@link #GRACE}: 250 ms of watermark slack
 *       plus the simulated Relay's delivery lateness (under a second), with room to spare.
 * </ul>
 *
 * <p>So that a loaded machine, where the daemon may fall further behind than G, does not make the
 * sets differ, the daemon is not stopped at {@code liveEnd}: traffic pauses there and the daemon runs
 * on for another W + G, deciding what it received. (Where its stream fell behind Hubble's ring, the
 * runs legitimately differ: a failure names the live stream's lost events and gaps.)
 */
class RecordReplayIT {
    private static final Duration LIVE_RUN = Duration.ofSeconds(15);
    private static final Duration WINDOW = Duration.ofSeconds(2);
    private static final Duration GRACE = Duration.ofSeconds(3);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** A lost tuple: what both runs must agree on. */
    record Verdict(String sourceNode, String destinationNode, String family, String kind, String communityId)
            implements Comparable<Verdict> {
        @Override
        public int compareTo(Verdict other) {
            return toString().compareTo(other.toString());
        }
    }

    @Test
    void shouldReplayARecordedRunToTheSameLostVerdictsAsTheLiveRun(@TempDir Path dir) throws Exception {
        Path recording = dir.resolve("pair-blackhole.json.gz");
        ByteArrayOutputStream liveStdout = new ByteArrayOutputStream();
        long liveStart;
        long liveEnd;
        Settings settings;
        String liveStreamLosses;
        try (CaptureWriter recorder = CaptureWriter.open(recording)) {
            try (Demo demo = Demo.start(SimMode.RELAY, Scenario.preset("pair-blackhole"),
                    List.of("join.window=" + WINDOW.toMillis() + "ms", "sinks=stdout", "stdout.format=json", "stdout.alerts=every",
                            "http.port=-1"), dir,
                    new PrintStream(liveStdout, true, StandardCharsets.UTF_8), Clock.SYSTEM, recorder)) {
                liveStart = awaitFirstFlows(demo);
                TimeUnit.MILLISECONDS.sleep(LIVE_RUN.toMillis());
                liveEnd = Clock.SYSTEM.epochNanos();
                demo.simulator().pauseTraffic();
                TimeUnit.MILLISECONDS.sleep(WINDOW.plus(GRACE).toMillis()); // time to decide, see above
                demo.daemon().close(); // flushes stdout
                settings = demo.daemon().settings();
                JoinCounters counters = demo.daemon().counters();
                liveStreamLosses = "the live stream had " + counters.get(JoinCounters.Global.LOST_EVENT_REPORTS)
                        + " lost-event reports and " + counters.get(JoinCounters.Global.GAPS) + " gaps";
            } // the simulator stops here, and with it the recording
        }
        assertEquals(WINDOW, settings.duration(ConfigKeys.JOIN_WINDOW));

        List<String> replayLines = new ArrayList<>();
        ReplaySummary summary = Replay.run(settings, List.of(CaptureInput.of(recording.toString(), null)),
                Replay.DEFAULT_REORDER_EVENTS, event -> replayLines.add(EventJson.encode(event)), System.err);

        Map<Verdict, List<Instant>> live = lostVerdicts(liveStdout.toString(StandardCharsets.UTF_8).lines().toList());
        Map<Verdict, List<Instant>> replayed = lostVerdicts(replayLines);
        Predicate<Instant> inside = departedWithin(liveStart + GRACE.toNanos(), liveEnd - WINDOW.toNanos() - GRACE.toNanos());
        Set<Verdict> comparable = new HashSet<>();
        comparable.addAll(live.keySet());
        comparable.addAll(replayed.keySet());
        comparable.removeIf(tuple -> !live.getOrDefault(tuple, List.of()).stream().allMatch(inside)
                || !replayed.getOrDefault(tuple, List.of()).stream().allMatch(inside));
        Set<Verdict> liveComparable = new TreeSet<>(live.keySet());
        Set<Verdict> replayedComparable = new TreeSet<>(replayed.keySet());
        liveComparable.retainAll(comparable);
        replayedComparable.retainAll(comparable);

        assertTrue(liveComparable.stream().filter(v -> v.sourceNode().equals("solwk01")
                && v.destinationNode().equals("solwk02")).count() >= 5,
                "the blackholed pair must have lost departures to compare: " + live);
        assertEquals(liveComparable, replayedComparable, () -> "live only: " + minus(liveComparable, replayedComparable)
                + "; replay only: " + minus(replayedComparable, liveComparable) + "; " + liveStreamLosses
                + " (where its events were incomplete, the live verdicts are UNVERIFIED)");
        assertEquals(0, summary.undecided());
        assertEquals(0, summary.files().get(0).malformed());
    }

    /** Blocks until the live daemon has received flows; returns that moment. */
    private static long awaitFirstFlows(Demo demo) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (demo.daemon().counters().get(JoinCounters.Global.FLOWS) == 0) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the daemon received no flow within 30 s");
            }
            TimeUnit.MILLISECONDS.sleep(10);
        }
        return Clock.SYSTEM.epochNanos();
    }

    private static Predicate<Instant> departedWithin(long fromNanos, long toNanos) {
        Instant from = Instant.ofEpochSecond(0, fromNanos);
        Instant to = Instant.ofEpochSecond(0, toNanos);
        return firstSeen -> !firstSeen.isBefore(from) && !firstSeen.isAfter(to);
    }

    private static Set<Verdict> minus(Set<Verdict> a, Set<Verdict> b) {
        Set<Verdict> difference = new TreeSet<>(a);
        difference.removeAll(b);
        return difference;
    }

    /** The LOST_IN_TRANSIT alerts among JSON lines: the departure time ({@code first_seen}) of each, by tuple. */
    private static Map<Verdict, List<Instant>> lostVerdicts(List<String> jsonLines) throws IOException {
        Map<Verdict, List<Instant>> verdicts = new TreeMap<>();
        for (String line : jsonLines) {
            JsonNode event = JSON.readTree(line);
            if (Alert.SCHEMA.equals(event.path("schema").asText())
                    && "LOST_IN_TRANSIT".equals(event.path("verdict").asText())) {
                Verdict verdict = new Verdict(event.get("source").get("node").asText(),
                        event.get("destination").get("node").asText(), event.get("family").asText(),
                        event.get("kind").asText(), event.get("community_id").asText());
                verdicts.computeIfAbsent(verdict, v -> new ArrayList<>()).add(Instant.parse(event.get("first_seen").asText()));
            }
        }
        return verdicts;
    }
}
