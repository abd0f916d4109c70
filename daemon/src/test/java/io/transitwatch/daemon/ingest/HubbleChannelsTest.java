package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.threads.NamedThreadFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The channels' threads: the transport thread's after-reads tasks, and late tasks once closed. */
class HubbleChannelsTest {
    private final ScheduledThreadPoolExecutor timer = new ScheduledThreadPoolExecutor(1);
    private final HubbleChannels channels = new HubbleChannels(null, Duration.ofMinutes(1), timer, List.of(),
            NamedThreadFactory::daemon);

    @AfterEach
    void close() {
        channels.close();
        timer.shutdownNow();
    }

    @Test
    void aTaskQueuedFromTheTransportThreadRunsThereAfterTheTaskThatQueuedIt() throws InterruptedException {
        List<String> order = new java.util.concurrent.CopyOnWriteArrayList<>();
        AtomicReference<Boolean> onTransport = new AtomicReference<>();
        CountDownLatch done = new CountDownLatch(1);
        channels.afterReads(() -> {
            channels.afterReads(() -> {
                onTransport.set(channels.onTransportThread());
                order.add("after reads");
                done.countDown();
            });
            order.add("reading");
        });
        assertTrue(done.await(10, TimeUnit.SECONDS));
        assertEquals(List.of("reading", "after reads"), order);
        assertTrue(onTransport.get());
        assertFalse(channels.onTransportThread());
    }

    @Test
    void aTaskAChannelHandsOverAfterCloseIsDroppedNotThrown() throws InterruptedException {
        AtomicInteger ran = new AtomicInteger();
        CountDownLatch before = new CountDownLatch(1);
        channels.channelExecutor().execute(() -> {
            ran.incrementAndGet();
            before.countDown();
        });
        assertTrue(before.await(10, TimeUnit.SECONDS));

        channels.close();
        channels.channelExecutor().execute(ran::incrementAndGet); // e.g. a DNS re-resolution of a dying channel

        assertEquals(1, ran.get());
    }
}
