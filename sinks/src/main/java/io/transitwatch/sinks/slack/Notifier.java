package io.transitwatch.sinks.slack;

import io.transitwatch.sinks.internal.ThrottledLogger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Runs on the Slack sink's own thread and nowhere else: takes due groups from the inbox, renders
 * them into one message, and delivers it within the rate limit, retrying as Slack asks.
 *
 * <p>One message is in flight at a time. Its retry time ({@code Retry-After}, backoff) and the
 * rate limiter's next token are points on the injected clock; between looks at the clock the
 * thread sleeps at most {@code maxIdleWait}, so a test moving a manual clock is seen at once.
 */
final class Notifier implements Runnable {
    private static final System.Logger LOG = System.getLogger(SlackSink.class.getName());

    final AtomicLong delivered = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong rejected = new AtomicLong();
    final AtomicLong rateLimited = new AtomicLong();
    final AtomicLong retries = new AtomicLong();
    final AtomicLong idlePasses = new AtomicLong();

    private final SlackSinkConfig config;
    private final NotificationInbox inbox;
    private final WebhookPoster poster;
    private final Clock clock;
    private final TokenBucket bucket;
    private final ThrottledLogger failures;
    /** The message being delivered; read by {@link SlackSink#close()} only after this thread ended. */
    private PendingMessage pending;

    Notifier(SlackSinkConfig config, NotificationInbox inbox, WebhookPoster poster, Clock clock) {
        this.config = config;
        this.inbox = inbox;
        this.poster = poster;
        this.clock = clock;
        this.bucket = new TokenBucket(config.messagesPerSecond(), config.burst(), clock.instant());
        this.failures = ThrottledLogger.perMinute(LOG, () -> TimeUnit.MILLISECONDS.toNanos(clock.millis()));
    }

    @Override
    public void run() {
        try {
            while (true) {
                Instant now = clock.instant();
                NotificationInbox.Work work = inbox.next(now, pending == null);
                if (work.closing()) {
                    return;
                }
                if (!work.due().isEmpty()) {
                    pending = new PendingMessage(work.due(), SlackMessage.payload(config.title(), work.due()), now);
                }
                if (work.flushDone()) {
                    inbox.completeFlushes();
                }
                PendingMessage message = pending;
                if (message != null && !now.isBefore(message.notBefore)) {
                    if (bucket.tryTake(now)) {
                        attempt(message);
                        continue;
                    }
                    message.notBefore = bucket.nextTokenAt(now);
                }
                // While a message waits (retry, rate limit), newly due groups wait for it too.
                inbox.sleepUntil(message != null ? message.notBefore : work.nextGroupDue(), now, config.maxIdleWait());
                idlePasses.incrementAndGet();
            }
        } catch (InterruptedException e) {
            // close(): the loop ends; close() counts an abandoned message.
        } catch (RuntimeException | Error e) {
            LOG.log(Level.ERROR, "the Slack notifier stopped on an unexpected error; Slack gets no more messages", e);
            throw e;
        }
    }

    /** After the thread ended: true if a message was left undelivered. */
    boolean abandonedMessage() {
        return pending != null;
    }

    private void attempt(PendingMessage message) throws InterruptedException {
        message.attempts++;
        WebhookPoster.Outcome outcome;
        try {
            outcome = poster.post(message.payload);
        } catch (RuntimeException e) {
            // e.g. the HttpClient refusing the request: never retried, and logged by class only.
            outcome = new WebhookPoster.Rejected(-1, e.getClass().getName());
        }
        Instant now = clock.instant();
        if (outcome instanceof WebhookPoster.Delivered) {
            delivered.incrementAndGet();
            pending = null;
        } else if (outcome instanceof WebhookPoster.RateLimited limited) {
            rateLimited.incrementAndGet();
            retryLater(message, limited.retryAfter().orElse(backoff(message.attempts)), now,
                    "Slack rate-limited the webhook (HTTP 429)");
        } else if (outcome instanceof WebhookPoster.Transient transientFailure) {
            retryLater(message, backoff(message.attempts), now, transientFailure.reason());
        } else if (outcome instanceof WebhookPoster.Rejected rejection) {
            rejected.incrementAndGet();
            failed.incrementAndGet();
            pending = null;
            failures.log(Level.WARNING, "Slack rejected a notification with HTTP " + rejection.status() + " "
                    + rejection.body() + "; not retrying (" + message.keys.size() + " node pair(s) not notified)");
        }
    }

    private void retryLater(PendingMessage message, Duration wait, Instant now, String reason) {
        if (message.attempts >= config.maxAttempts()) {
            failed.incrementAndGet();
            pending = null;
            inbox.markUndelivered(message.keys);
            failures.log(Level.WARNING, "giving up on a Slack notification after " + message.attempts
                    + " attempts (" + reason + "); its node pairs are sent again after group_interval");
            return;
        }
        retries.incrementAndGet();
        message.notBefore = now.plus(wait);
        failures.log(Level.INFO, "Slack notification attempt " + message.attempts + " failed (" + reason
                + "); retrying in " + wait.toMillis() + " ms");
    }

    /** initialBackoff, doubled per failed attempt, capped at maxBackoff. */
    Duration backoff(int attempts) {
        Duration wait = config.initialBackoff();
        for (int i = 1; i < attempts && wait.compareTo(config.maxBackoff()) < 0; i++) {
            wait = wait.multipliedBy(2);
        }
        return wait.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : wait;
    }

    /** A rendered message and its retry state. */
    private static final class PendingMessage {
        final List<GroupKey> keys;
        final String payload;
        Instant notBefore;
        int attempts;

        PendingMessage(List<GroupSnapshot> groups, String payload, Instant notBefore) {
            this.keys = groups.stream().map(GroupSnapshot::key).toList();
            this.payload = payload;
            this.notBefore = notBefore;
        }
    }
}
