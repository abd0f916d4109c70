package io.transitwatch.sinks.slack;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * Confined to the Slack notifier thread: one POST of one message, and what its response means
 * for a retry. Knows nothing of timing; the notifier decides when to call again.
 */
final class WebhookPoster {
    private static final int MAX_BODY_CHARS = 200;

    /** What happened to one request. */
    sealed interface Outcome {}

    /** 2xx: Slack took the message. */
    record Delivered() implements Outcome {}

    /** 429: wait {@code retryAfter} (from the header), or back off when Slack did not say. */
    record RateLimited(Optional<Duration> retryAfter) implements Outcome {}

    /** 5xx or an I/O failure (refused, reset, timed out): worth retrying after a backoff. */
    record Transient(String reason) implements Outcome {}

    /** Any other status: the request itself is wrong (bad payload, revoked webhook); retrying cannot help. */
    record Rejected(int status, String body) implements Outcome {}

    private final HttpClient client;
    private final SlackWebhook webhook;
    private final Duration requestTimeout;

    WebhookPoster(HttpClient client, SlackWebhook webhook, Duration requestTimeout) {
        this.client = client;
        this.webhook = webhook;
        this.requestTimeout = requestTimeout;
    }

    /** Sends {@code payload}; interrupting the calling thread abandons the request. */
    Outcome post(String payload) throws InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(webhook.uri())
                .timeout(requestTimeout)
                .header("Content-Type", "application/json; charset=utf-8")
                .POST(HttpRequest.BodyPublishers.ofString(payload, StandardCharsets.UTF_8))
                .build();
        HttpResponse<String> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The exception may quote the request URI; describe it only in sanitized form.
            return new Transient(webhook.sanitize(e).toString());
        }
        int status = response.statusCode();
        if (status >= 200 && status < 300) {
            return new Delivered();
        }
        if (status == 429) {
            return new RateLimited(retryAfter(response));
        }
        if (status >= 500) {
            return new Transient("HTTP " + status + " " + shortBody(response));
        }
        return new Rejected(status, shortBody(response));
    }

    /** Slack sends {@code Retry-After} in seconds. An HTTP date or garbage counts as not said. */
    private static Optional<Duration> retryAfter(HttpResponse<?> response) {
        Optional<String> header = response.headers().firstValue("Retry-After");
        if (header.isEmpty()) {
            return Optional.empty();
        }
        try {
            long seconds = Long.parseLong(header.get().strip());
            return seconds >= 0 ? Optional.of(Duration.ofSeconds(seconds)) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Slack answers errors with a short token like {@code invalid_payload}; keep logs short anyway. */
    private String shortBody(HttpResponse<String> response) {
        String body = response.body() == null ? "" : response.body().strip();
        return webhook.redact(SlackMessage.truncate(body, MAX_BODY_CHARS));
    }
}
