package io.transitwatch.sinks.slack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SlackWebhookTest {
    private static final String URL = "https://hooks.slack.com/services/T024BE7LD/B024BE7LH/sEcReTtOkEn123";

    @TempDir
    Path directory;

    @Test
    void shouldReadTheUrlFromAFileIgnoringTheTrailingNewline() throws IOException {
        Path file = Files.writeString(directory.resolve("url"), URL + "\n");
        assertEquals(URI.create(URL), SlackWebhook.fromFile(file).uri());
    }

    @Test
    void shouldReadTheUrlFromTheEnvironment() {
        SlackWebhook webhook = SlackWebhook.fromEnv("TRANSITWATCH_SLACK_WEBHOOK_URL", Map.of("TRANSITWATCH_SLACK_WEBHOOK_URL", URL)::get);
        assertEquals(URI.create(URL), webhook.uri());
    }

    @Test
    void shouldNeverShowTheUrlInToStringOrInErrors() throws IOException {
        SlackWebhook webhook = SlackWebhook.fromEnv("X", Map.of("X", URL)::get);
        assertEquals("SlackWebhook[https://hooks.slack.com/***]", webhook.toString());

        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> SlackWebhook.fromEnv("TRANSITWATCH_SLACK_WEBHOOK_URL", name -> null));
        assertTrue(missing.getMessage().contains("TRANSITWATCH_SLACK_WEBHOOK_URL"));

        String plainHttp = "http://hooks.slack.com/services/T024BE7LD/B024BE7LH/sEcReTtOkEn123";
        IllegalArgumentException insecure = assertThrows(IllegalArgumentException.class,
                () -> SlackWebhook.fromFile(Files.writeString(directory.resolve("http"), plainHttp)));
        assertFalse(insecure.getMessage().contains("sEcReT"), insecure.getMessage());

        IllegalArgumentException malformed = assertThrows(IllegalArgumentException.class,
                () -> SlackWebhook.fromEnv("X", Map.of("X", "https://hooks.slack.com/services/sEcReT with spaces")::get));
        assertFalse(malformed.getMessage().contains("sEcReT"), malformed.getMessage());
        assertEquals(null, malformed.getCause(), "URISyntaxException quotes its input, so it is not chained");
    }

    @Test
    void shouldRedactTextsAndWholeExceptionChains() {
        SlackWebhook webhook = SlackWebhook.fromEnv("X", Map.of("X", URL)::get);
        assertEquals("POST https://hooks.slack.com/*** failed", webhook.redact("POST " + URL + " failed"));
        assertEquals("path /*** not found", webhook.redact("path /services/T024BE7LD/B024BE7LH/sEcReTtOkEn123 not found"));

        IOException cause = new IOException("connect to " + URL + " refused");
        IOException error = new IOException("request to " + URL + " failed", cause);
        error.addSuppressed(new IllegalStateException("suppressed " + URL));
        Throwable safe = webhook.sanitize(error);
        for (Throwable t = safe; t != null; t = t.getCause()) {
            assertFalse(t.toString().contains("sEcReT"), t.toString());
            for (Throwable suppressed : t.getSuppressed()) {
                assertFalse(suppressed.toString().contains("sEcReT"), suppressed.toString());
            }
        }
        assertEquals("java.io.IOException: request to https://hooks.slack.com/*** failed", safe.toString());
        assertEquals(error.getStackTrace().length, safe.getStackTrace().length);
    }

    @Test
    void shouldAcceptPlainHttpOnlyForLoopback() {
        SlackWebhook.fromEnv("X", Map.of("X", "http://127.0.0.1:8080/services/T/B/x")::get);
        SlackWebhook.fromEnv("X", Map.of("X", "http://localhost:8080/services/T/B/x")::get);
        assertThrows(IllegalArgumentException.class,
                () -> SlackWebhook.fromEnv("X", Map.of("X", "http://10.0.0.1/services/T/B/x")::get));
    }
}
