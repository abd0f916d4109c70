package io.transitwatch.sinks.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.transitwatch.sinks.Await;
import io.transitwatch.sinks.IncidentChange;
import io.transitwatch.sinks.IncidentState;
import io.transitwatch.sinks.ManualClock;
import io.transitwatch.sinks.SinkEvent;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.TestThreads;
import io.transitwatch.sinks.WorkloadLoss;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Slack sink against a real HTTP server standing in for Slack. Every timer is driven by a
 * manual clock: the test moves it, waits until the notifier has looked at it twice
 * ({@link #settle()}), and then checks what reached the server. Nothing here asserts how fast
 * anything happened.
 */
class SlackSinkIT {
    private static final Instant T0 = TestEvents.TIME;
    private static final Duration GROUP_WAIT = Duration.ofSeconds(30);
    private static final Duration GROUP_INTERVAL = Duration.ofMinutes(5);
    private static final Duration REPEAT_INTERVAL = Duration.ofHours(4);

    @TempDir
    Path directory;
    private final ManualClock clock = new ManualClock(T0);
    private SlackStub slack;
    private SlackSink sink;

    @BeforeEach
    void startSlack() throws Exception {
        slack = new SlackStub(clock);
    }

    @AfterEach
    void stop() {
        if (sink != null) {
            sink.close();
        }
        slack.close();
    }

    private SlackSink start(SlackSinkConfig config) throws Exception {
        Path secret = Files.writeString(directory.resolve("webhook-url"), slack.url() + "\n");
        sink = SlackSink.create(config.withMaxIdleWait(Duration.ofMillis(5)), SlackWebhook.fromFile(secret),
                new TestThreads("slack"), clock);
        return sink;
    }

    private SlackSink start() throws Exception {
        return start(SlackSinkConfig.defaults());
    }

    /** Returns once the notifier has gone idle twice since now: it has seen the clock as it is. */
    private void settle() {
        long passes = sink.idlePasses();
        Await.until(() -> sink.idlePasses() >= passes + 2, "the notifier looked at the clock again");
    }

    private void advance(Duration duration) {
        clock.advance(duration);
        settle();
    }

    private void awaitRequests(int count) {
        Await.until(() -> slack.requests().size() >= count, () -> count + " requests, got " + slack.requests().size());
        settle();
        assertEquals(count, slack.requests().size(), "no more requests than expected");
    }

    private static IncidentChange firing(String source, String destination, long lost) {
        return TestEvents.firing("01JKPZ5N3H" + String.format("%016d", lost), source, destination, lost);
    }

    private static List<String> sectionTexts(JsonNode payload) {
        List<String> texts = new ArrayList<>();
        for (JsonNode block : payload.get("blocks")) {
            if (block.get("type").asText().equals("section")) {
                texts.add(block.get("text").get("text").asText());
            }
        }
        return texts;
    }

    /** A burst of 250 alerts and 250 incident updates of one pair, then the first message at group_wait. */
    private void burstAndFirstMessage() {
        List<SinkEvent> burst = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            burst.add(TestEvents.lostAlert(String.format("01JKPZ5N3G%016d", i)));
            burst.add(firing("solwk03", "solwk02", i + 1));
        }
        for (int from = 0; from < burst.size(); from += 50) {
            sink.publish(burst.subList(from, from + 50)); // as the dispatcher would, in batches
        }
        settle();
        assertEquals(0, slack.requests().size(), "nothing before group_wait");
        advance(GROUP_WAIT.minusMillis(1));
        assertEquals(0, slack.requests().size(), "nothing 1 ms before group_wait");
        clock.advance(Duration.ofMillis(1));
        awaitRequests(1);
    }

    @Test
    void shouldSendOneMessageForABurstOfOnePairAfterGroupWait() throws Exception {
        start();
        burstAndFirstMessage();

        SlackStub.Request request = slack.requests().get(0);
        assertEquals(T0.plus(GROUP_WAIT), request.at());
        assertEquals(slack.secretPath(), request.path());
        JsonNode payload = request.json();
        assertEquals(2, payload.get("blocks").size(), "a header and one section for the one pair");
        String section = sectionTexts(payload).get(0);
        assertTrue(section.contains(":red_circle: *FIRING*  `solwk03 → solwk02 IPv6`"), section);
        assertTrue(section.contains("*250* lost, 0 arrived (100.0% loss)"), section);
        assertTrue(section.contains("250 alerts since the last message"), section);
        assertTrue(section.contains("flux-system/kustomize-controller → flux-system/source-controller: 120"), section);
        assertTrue(payload.get("text").asText().startsWith("TransitWatch: 1 node pair losing packets"));
        assertEquals(1, sink.delivered());
    }

    @Test
    void shouldSendTheNextChangesOnlyAfterGroupInterval() throws Exception {
        start();
        burstAndFirstMessage();
        advance(Duration.ofSeconds(1));
        sink.publish(List.of(firing("solwk03", "solwk02", 260), TestEvents.lostAlert("01JKPZ5N3GZZZZZZZZZZZZZZZZ")));

        advance(GROUP_INTERVAL.minusSeconds(1).minusMillis(1));
        assertEquals(1, slack.requests().size(), "nothing before group_interval");
        clock.advance(Duration.ofMillis(1));
        awaitRequests(2);

        SlackStub.Request second = slack.requests().get(1);
        assertEquals(T0.plus(GROUP_WAIT).plus(GROUP_INTERVAL), second.at());
        String section = sectionTexts(second.json()).get(0);
        assertTrue(section.contains("*260* lost") && section.contains("1 alert since the last message"), section);
    }

    @Test
    void shouldSendAResolvedMessageAndThenForgetTheIncident() throws Exception {
        start();
        burstAndFirstMessage();
        IncidentChange resolved = IncidentChange.builder().id("01JKPZ5N3KZZZZZZZZZZZZZZZZ").time(clock.instant())
                .state(IncidentState.RESOLVED).sourceNode("solwk03").destinationNode("solwk02").family("IPv6")
                .lost(250).matched(4000).firstSeen(T0).lastSeen(T0).build();
        sink.publish(List.of(resolved));

        advance(GROUP_INTERVAL);
        awaitRequests(2);
        JsonNode payload = slack.requests().get(1).json();
        String section = sectionTexts(payload).get(0);
        assertTrue(section.startsWith(":large_green_circle: *RESOLVED*  `solwk03 → solwk02 IPv6`"), section);
        assertTrue(payload.get("text").asText().startsWith("TransitWatch: 1 resolved"), payload.get("text").asText());
        assertEquals(0, sink.openGroups());

        advance(REPEAT_INTERVAL);
        assertEquals(2, slack.requests().size(), "a resolved incident is not repeated");
    }

    @Test
    void shouldRemindOfAStillFiringIncidentAfterRepeatInterval() throws Exception {
        start();
        burstAndFirstMessage();
        advance(REPEAT_INTERVAL.minusMillis(1));
        assertEquals(1, slack.requests().size());
        clock.advance(Duration.ofMillis(1));
        awaitRequests(2);
        assertTrue(sectionTexts(slack.requests().get(1).json()).get(0).contains("_(still firing)_"));
    }

    @Test
    void shouldKeepOneMessageWithinSlackLimitsForSixtyPairsAndHugeWorkloadLists() throws Exception {
        start();
        List<SinkEvent> events = new ArrayList<>();
        for (int pair = 0; pair < 60; pair++) {
            events.add(firing("node-" + pair, "node-" + (pair + 1), 1_000 + pair));
        }
        List<WorkloadLoss> huge = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            huge.add(new WorkloadLoss("ns/" + "w".repeat(400) + i, "ns/" + "x".repeat(400) + i, 500 - i));
        }
        events.add(IncidentChange.builder().id("01JKPZ5N3HHUGEHUGEHUGEHUGE").time(T0).state(IncidentState.FIRING)
                .sourceNode("solwk03").destinationNode("solwk02").family("IPv6").lost(99_999).matched(0)
                .firstSeen(T0).lastSeen(T0).topWorkloads(huge).build());
        sink.publish(events);

        clock.advance(GROUP_WAIT);
        awaitRequests(1);
        JsonNode payload = slack.requests().get(0).json();
        assertEquals(50, payload.get("blocks").size(), "Slack's limit is 50 blocks");
        List<String> sections = sectionTexts(payload);
        for (String section : sections) {
            assertTrue(section.length() <= 3000, "a section has " + section.length() + " characters");
        }
        assertTrue(sections.get(0).contains("`solwk03 → solwk02 IPv6`") && sections.get(0).endsWith("…"),
                "the biggest loss comes first, cut to fit");
        assertTrue(sections.get(48).startsWith("…and 13 more node pairs:"), sections.get(48));
        String text = payload.get("text").asText();
        assertTrue(!text.isEmpty() && text.length() <= 3000, "fallback text of " + text.length() + " characters");
    }

    @Test
    void shouldWaitExactlyTheRetryAfterOfA429() throws Exception {
        start();
        slack.answer(new SlackStub.Answer(429, Map.of("Retry-After", "2"), "rate_limited"));
        sink.publish(List.of(TestEvents.firing()));
        clock.advance(GROUP_WAIT);
        awaitRequests(1);

        advance(Duration.ofMillis(1_999));
        assertEquals(1, slack.requests().size(), "no retry before Retry-After has passed");
        clock.advance(Duration.ofMillis(1));
        awaitRequests(2);

        List<SlackStub.Request> requests = slack.requests();
        assertEquals(Duration.ofSeconds(2), Duration.between(requests.get(0).at(), requests.get(1).at()));
        assertEquals(requests.get(0).body(), requests.get(1).body(), "the same message again");
        assertEquals(1, sink.rateLimited());
        assertEquals(1, sink.retries());
        assertEquals(1, sink.delivered());
    }

    @Test
    void shouldRetryServerErrorsWithExponentialBackoff() throws Exception {
        start();
        slack.answer(SlackStub.Answer.of(503, "service_unavailable"), SlackStub.Answer.of(500, "oops"));
        sink.publish(List.of(TestEvents.firing()));
        clock.advance(GROUP_WAIT);
        awaitRequests(1);

        advance(Duration.ofMillis(999));
        assertEquals(1, slack.requests().size());
        clock.advance(Duration.ofMillis(1));
        awaitRequests(2);
        advance(Duration.ofMillis(1_999));
        assertEquals(2, slack.requests().size());
        clock.advance(Duration.ofMillis(1));
        awaitRequests(3);

        List<SlackStub.Request> requests = slack.requests();
        assertEquals(Duration.ofSeconds(1), Duration.between(requests.get(0).at(), requests.get(1).at()));
        assertEquals(Duration.ofSeconds(2), Duration.between(requests.get(1).at(), requests.get(2).at()));
        assertEquals(2, sink.retries());
        assertEquals(1, sink.delivered());
    }

    @Test
    void shouldNotRetryOtherClientErrors() throws Exception {
        start();
        slack.answer(SlackStub.Answer.of(400, "invalid_payload"));
        sink.publish(List.of(TestEvents.firing()));
        clock.advance(GROUP_WAIT);
        awaitRequests(1);
        advance(Duration.ofHours(1));
        assertEquals(1, slack.requests().size());
        assertEquals(1, sink.rejected());
        assertEquals(1, sink.failed());
        assertEquals(0, sink.retries());
    }

    @Test
    void shouldSendAtMostTheConfiguredRate() throws Exception {
        start(SlackSinkConfig.defaults().withRate(1.0, 1));
        sink.publish(List.of(firing("a", "b", 1)));
        clock.advance(Duration.ofMillis(1));
        sink.publish(List.of(firing("c", "d", 2)));
        clock.advance(GROUP_WAIT.minusMillis(1));
        awaitRequests(1); // a → b, at T0 + 30 s: the only token
        advance(Duration.ofMillis(1)); // c → d is due now, but the bucket is empty
        advance(Duration.ofMillis(998));
        assertEquals(1, slack.requests().size(), "no second message within the same second");
        clock.advance(Duration.ofMillis(1));
        awaitRequests(2);
        assertEquals(Duration.ofSeconds(1), Duration.between(slack.requests().get(0).at(), slack.requests().get(1).at()));
    }

    @Test
    void shouldSendWhatIsPendingOnFlushWithoutWaitingForGroupWait() throws Exception {
        start();
        sink.publish(List.of(TestEvents.firing()));
        CompletableFuture<Void> flushed = sink.flush();
        Await.until(flushed::isDone, "flush completes");
        assertEquals(1, slack.requests().size());
        assertEquals(T0, slack.requests().get(0).at());
        CompletableFuture<Void> nothingLeft = sink.flush();
        Await.until(nothingLeft::isDone, "a flush with nothing pending completes");
        assertEquals(1, slack.requests().size());
    }
}
