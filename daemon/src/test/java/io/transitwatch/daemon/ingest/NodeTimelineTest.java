package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class NodeTimelineTest {

    @Test
    void uuidWindowRemembersAtLeastItsCapacityAndForgetsTheOldest() {
        UuidWindow window = new UuidWindow(16);
        for (long i = 1; i <= 16; i++) {
            assertTrue(window.add(i, -i));
        }
        for (long i = 1; i <= 16; i++) {
            assertFalse(window.add(i, -i), "still remembered: " + i);
        }
        for (long i = 17; i <= 48; i++) {
            assertTrue(window.add(i, -i));
        }
        assertTrue(window.add(1, -1), "two generations later the oldest is forgotten");
        for (long i = 33; i <= 48; i++) {
            assertFalse(window.add(i, -i), "the last capacity uuids are remembered: " + i);
        }
    }

    @Test
    void aReconnectCoveredByTheServerIsNoGap() {
        NodeTimeline timeline = new NodeTimeline(64);
        assertEquals(0, timeline.resumeSinceNanos(2_000));
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 1, 10_000));
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 2, 11_000));
        assertEquals(9_000, timeline.resumeSinceNanos(2_000));
        assertTrue(timeline.reconnected());
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 1, 10_000));
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 2, 11_000));
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 3, 15_000));
    }

    /** A restarted collector: its predecessor's events are re-read and kept (the correlators drop what was written). */
    @Test
    void aStreamResumingAPredecessorKeepsWhatItReReadsAndIsNoGapWhenTheServerCoversIt() {
        NodeTimeline timeline = new NodeTimeline(64);
        timeline.resumeAfter(10_000);
        assertTrue(timeline.resumesPredecessor());
        assertEquals(8_000, timeline.resumeSinceNanos(2_000));
        assertTrue(timeline.reconnected(), "the first stream counts as a reconnect: backfilled, checked for a gap");
        assertTrue(timeline.resumesPredecessor(), "until its first event: a first call that fails is retried alike");
        assertTrue(timeline.reconnected(), "the retry: nothing was delivered, so nothing is a re-send to drop");
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 1, 8_500));
        assertFalse(timeline.resumesPredecessor());
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 2, 10_000));
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 3, 12_000));
    }

    @Test
    void aStreamResumingAPredecessorBeyondTheServersRingReportsTheGap() {
        NodeTimeline timeline = new NodeTimeline(64);
        timeline.resumeAfter(10_000);
        assertTrue(timeline.reconnected());
        assertEquals(NodeTimeline.NEW_AFTER_GAP, timeline.accept(1, 1, 14_000));
        assertEquals(10_000, timeline.gapStartNanos());
    }

    @Test
    void resumingIsIgnoredOnceTheNodeDeliveredSomething() {
        NodeTimeline timeline = new NodeTimeline(64);
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 1, 20_000));
        timeline.resumeAfter(10_000);
        assertFalse(timeline.resumesPredecessor());
        assertEquals(18_000, timeline.resumeSinceNanos(2_000));
    }

    @Test
    void theFirstNewEventAfterAReconnectThatIsNewerThanTheLastSeenMeansAGap() {
        NodeTimeline timeline = new NodeTimeline(64);
        timeline.accept(1, 1, 10_000);
        timeline.reconnected();
        assertEquals(NodeTimeline.NEW_AFTER_GAP, timeline.accept(1, 5, 50_000));
        assertEquals(10_000, timeline.gapStartNanos());
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 6, 51_000));
    }

    @Test
    void aResendReachingBackBeforeTheRememberedUuidsIsADuplicateNotANewEvent() {
        // Relay re-queries a recovered node with the original request (the first stream's since): the
        // node's whole ring comes again, far more than the uuid log remembers.
        NodeTimeline timeline = new NodeTimeline(64);
        for (long i = 1; i <= 200; i++) {
            assertEquals(NodeTimeline.NEW, timeline.accept(1, i, i * 1_000));
        }
        assertTrue(timeline.reconnected());
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 1, 1_000), "forgotten, but older than the log");
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 199, 199_000), "remembered");
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 200, 200_000), "remembered");
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 201, 201_000), "covered: no gap");
    }

    @Test
    void behindRelayTheRingResentBeforeTheStragglerWindowEndsIsDroppedStragglersIncluded() {
        // Relay re-queries a recovered node with the original request (since): its ring comes again,
        // possibly while the old stream's stragglers still arrive and before the node counts as back.
        NodeTimeline timeline = new NodeTimeline(64);
        for (long i = 1; i <= 100; i++) {
            timeline.accept(1, i, i * 1_000);
        }
        timeline.expectResendAfterOutage();
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 101, 101_000), "a straggler of the old stream");
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 1, 1_000), "older than the uuid log");
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 90, 90_000), "remembered");
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 101, 101_000), "the straggler, re-sent");
        assertTrue(timeline.reconnected());
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 100, 100_000));
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 102, 102_000), "covered: no gap");
    }

    @Test
    void beforeAnyEventAReconnectArmsNothing() {
        NodeTimeline timeline = new NodeTimeline(64);
        assertFalse(timeline.reconnected());
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 1, 10_000));
    }

    @Test
    void aRelayStreamThatResumesHasItsResentEventsDroppedWithoutAGapCheck() {
        NodeTimeline timeline = new NodeTimeline(64);
        timeline.accept(1, 1, 10_000);
        timeline.accept(1, 2, 11_000);
        timeline.expectResend();
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 1, 10_000));
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 3, 10_500), "new, although older than the newest seen");
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 2, 11_000));
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 4, 60_000), "no gap is checked for without a reconnect");
    }

    @Test
    void onlyEventsNoNewerThanWhatWasSeenBeforeTheResumeAreLookedUp() {
        NodeTimeline timeline = new NodeTimeline(64);
        timeline.accept(1, 1, 10_000);
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 1, 10_000),
                "without a resume nothing is sent again, so nothing is looked up");
        timeline.reconnected();
        assertEquals(NodeTimeline.DUPLICATE, timeline.accept(1, 1, 10_000));
        assertEquals(NodeTimeline.NEW, timeline.accept(1, 1, 10_001),
                "an event newer than everything seen before the resume cannot be a resend");
    }

    @Test
    void eventsWithoutUuidAreNeverDuplicates() {
        NodeTimeline timeline = new NodeTimeline(64);
        assertEquals(NodeTimeline.NEW, timeline.accept(0, 0, 10_000));
        assertEquals(NodeTimeline.NEW, timeline.accept(0, 0, 10_000));
    }

    @Test
    void backoffGrowsWithJitterUpToItsCapAndResets() {
        Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1), new SplittableRandom(1));
        long first = backoff.nextDelayNanos();
        assertTrue(first >= 80_000_000L && first <= 120_000_000L, "±20 % of min: " + first);
        long last = 0;
        for (int i = 0; i < 20; i++) {
            last = backoff.nextDelayNanos();
        }
        assertTrue(last >= 800_000_000L && last <= 1_200_000_000L, "±20 % of max: " + last);
        backoff.reset();
        assertTrue(backoff.nextDelayNanos() <= 120_000_000L);
    }
}
