package io.transitwatch.sinks.slack;

import io.transitwatch.sinks.AlertSink;
import io.transitwatch.sinks.SinkEvent;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe: {@code publish}, {@code flush} and {@code close} come from the dispatcher worker;
 * every timer and every HTTP request runs on this sink's own notifier thread; the two meet only
 * in the {@link NotificationInbox}, under a lock never held during I/O.
 *
 * <p>Posts incident notifications to a Slack incoming webhook, grouped like Alertmanager groups
 * alerts: by (source node, destination node, family), with group_wait, group_interval,
 * repeat_interval and resolved messages ({@link NotificationGroups}). Groups due at the same
 * moment go out as one Block Kit message ({@link SlackMessage}), at most one message per second
 * with a small burst. 429 is retried after exactly its {@code Retry-After}; 5xx and I/O errors
 * after an exponential backoff; other 4xx are counted and not retried ({@link Notifier}).
 *
 * <p><b>Why a thread of its own</b> rather than the dispatcher worker: the dispatcher calls a
 * sink only when events arrive, but group_wait, group_interval, repeat_interval and Retry-After
 * must fire when nothing arrives; and a webhook that hangs for a whole request timeout must not
 * stop newer incident states from being merged. The notifier reads time only from the injected
 * {@link Clock}, so tests drive every timer by moving a manual clock. Its thread comes from the
 * {@link ThreadFactory} passed to {@link #create}; the JDK {@link HttpClient} runs its callbacks
 * on an executor made from the same factory, and adds one selector thread
 * ({@code HttpClient-N-SelectorManager}) that no API lets us name (JDK 17 has no
 * {@code HttpClient.close()}; it ends when the client is collected).
 *
 * <p>The webhook URL never leaves {@link SlackWebhook} and {@link WebhookPoster} in readable
 * form: errors are logged redacted and sanitized, and the JDK client's debug loggers, which
 * would print request URLs, are held at INFO ({@link HttpClientLogGuard}).
 */
public final class SlackSink implements AlertSink {
    private static final long CLOSE_JOIN_MILLIS = 5_000;

    private final Clock clock;
    private final NotificationInbox inbox;
    private final Notifier notifier;
    private final Thread notifierThread;
    private final ExecutorService httpExecutor;

    private SlackSink(SlackSinkConfig config, SlackWebhook webhook, ThreadFactory threads, Clock clock) {
        this.clock = clock;
        this.inbox = new NotificationInbox(config);
        this.httpExecutor = Executors.newSingleThreadExecutor(threads);
        HttpClientLogGuard.pin();
        HttpClient client = HttpClient.newBuilder()
                .executor(httpExecutor)
                .connectTimeout(config.requestTimeout())
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
        this.notifier = new Notifier(config, inbox, new WebhookPoster(client, webhook, config.requestTimeout()), clock);
        this.notifierThread = threads.newThread(notifier);
    }

    /**
     * Makes the sink and starts its notifier thread.
     *
     * @param config  grouping, rate and retry settings
     * @param webhook where to post; see {@link SlackWebhook#fromFile} and {@link SlackWebhook#fromEnv}
     * @param threads makes the notifier thread and the HTTP client's executor thread
     * @param clock   the daemon's clock; every timer of this sink reads it
     */
    public static SlackSink create(SlackSinkConfig config, SlackWebhook webhook, ThreadFactory threads, Clock clock) {
        SlackSink sink = new SlackSink(Objects.requireNonNull(config, "config"), Objects.requireNonNull(webhook, "webhook"),
                Objects.requireNonNull(threads, "threads"), Objects.requireNonNull(clock, "clock"));
        sink.notifierThread.start();
        return sink;
    }

    @Override
    public String name() {
        return "slack";
    }

    /** Merges the batch into the notification groups; never waits for Slack. */
    @Override
    public CompletableFuture<Void> publish(List<SinkEvent> batch) {
        return inbox.add(batch, clock.instant())
                ? CompletableFuture.completedFuture(null)
                : CompletableFuture.failedFuture(new IllegalStateException("the Slack sink is closed"));
    }

    /**
     * Sends every group's unsent news now, without waiting for group timers (shutdown), still
     * within the rate limit and retry rules. Completes when nothing is left to send, or it failed.
     */
    @Override
    public CompletableFuture<Void> flush() {
        return inbox.requestFlush();
    }

    /** Stops the notifier, abandoning a request or retry in progress (counted as failed). */
    @Override
    public void close() {
        inbox.close();
        notifierThread.interrupt(); // abandons an HTTP request or a wait in progress
        joinNotifier();
        httpExecutor.shutdownNow();
        if (!notifierThread.isAlive() && notifier.abandonedMessage()) {
            notifier.failed.incrementAndGet();
        }
        inbox.completeFlushes();
    }

    /** Waits for the interrupted notifier to end, even if this thread is interrupted meanwhile. */
    private void joinNotifier() {
        boolean interrupted = false;
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_JOIN_MILLIS);
        long remaining;
        while (notifierThread.isAlive() && (remaining = deadline - System.nanoTime()) > 0) {
            try {
                TimeUnit.NANOSECONDS.timedJoin(notifierThread, remaining);
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    /** Messages Slack accepted. */
    public long delivered() {
        return notifier.delivered.get();
    }

    /** Messages given up on: rejected, still failing after {@code maxAttempts}, or abandoned on close. */
    public long failed() {
        return notifier.failed.get();
    }

    /** Messages Slack answered with a 4xx other than 429 (also counted in {@link #failed()}). */
    public long rejected() {
        return notifier.rejected.get();
    }

    /** 429 answers received. */
    public long rateLimited() {
        return notifier.rateLimited.get();
    }

    /** Requests repeated after a 429, 5xx or I/O error. */
    public long retries() {
        return notifier.retries.get();
    }

    /** Node-pair groups currently tracked. */
    public int openGroups() {
        return inbox.openGroups();
    }

    /** Events of node pairs beyond {@code maxGroups}, not notified. */
    public long ignoredForCapacity() {
        return inbox.ignoredForCapacity();
    }

    /** Times the notifier went idle; tests wait on it to know the notifier has looked at a moved clock. */
    long idlePasses() {
        return notifier.idlePasses.get();
    }
}
