package io.transitwatch.sinks.slack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.UnaryOperator;

/**
 * Immutable: a Slack incoming-webhook URL, which is a credential (anyone holding it can post
 * to the channel), so it is kept out of every string this process produces.
 *
 * <p>It is read from a file (a mounted Kubernetes Secret) or an environment variable, never from
 * the configuration file. {@link #toString()} shows only scheme and host; {@link #redact(String)}
 * and {@link #sanitize(Throwable)} strip it from texts and exceptions before they are logged.
 * Error messages about a bad URL say where it came from, never what it is.
 */
public final class SlackWebhook {
    private static final String REDACTED_PATH = "/***";

    private final URI uri;
    private final String url;
    private final String path;
    private final String redacted;

    private SlackWebhook(URI uri, String origin) {
        String scheme = uri.getScheme();
        if (uri.getHost() == null || !("https".equals(scheme) || ("http".equals(scheme) && isLoopback(uri.getHost())))) {
            throw new IllegalArgumentException("the Slack webhook URL from " + origin
                    + " must be an absolute https:// URL (http:// only for a loopback test server)");
        }
        this.uri = uri;
        this.url = uri.toString();
        this.path = uri.getRawPath() == null ? "" : uri.getRawPath();
        this.redacted = scheme + "://" + uri.getRawAuthority() + REDACTED_PATH;
    }

    /** Reads the URL from a file, e.g. a Secret mounted at {@code /etc/transitwatch/slack/webhook-url}. */
    public static SlackWebhook fromFile(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            // The exception names the file, which is not secret; its content never reaches here.
            throw new UncheckedIOException("cannot read the Slack webhook URL file " + file, e);
        }
        return parse(text, "file " + file);
    }

    /** Reads the URL from an environment variable, e.g. {@code TRANSITWATCH_SLACK_WEBHOOK_URL}. */
    public static SlackWebhook fromEnv(String variable) {
        return fromEnv(variable, System::getenv);
    }

    /** As {@link #fromEnv(String)}, with the environment given as a lookup (tests, launchers). */
    public static SlackWebhook fromEnv(String variable, UnaryOperator<String> environment) {
        String value = environment.apply(variable);
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("environment variable " + variable + " with the Slack webhook URL is not set");
        }
        return parse(value, "environment variable " + variable);
    }

    private static SlackWebhook parse(String text, String origin) {
        String trimmed = text.strip(); // Secret files usually end with a newline
        if (trimmed.isEmpty()) {
            throw new IllegalArgumentException("the Slack webhook URL from " + origin + " is empty");
        }
        try {
            return new SlackWebhook(new URI(trimmed), origin);
        } catch (URISyntaxException e) {
            // URISyntaxException's message quotes the input: do not chain it.
            throw new IllegalArgumentException("the Slack webhook URL from " + origin + " is not a valid URI");
        }
    }

    /** The URL itself: only the poster may use it, to send. */
    URI uri() {
        return uri;
    }

    /** Replaces the URL, and its path on its own, by the redacted form. */
    public String redact(String text) {
        if (text == null) {
            return null;
        }
        String result = text.replace(url, redacted);
        if (path.length() > 1) {
            result = result.replace(path, REDACTED_PATH);
        }
        return result;
    }

    /**
     * A copy of {@code error} and its causes that is safe to log: each message redacted, the
     * original class name kept in the text, the stack traces kept. HTTP clients like to quote the
     * request URI in exception messages; this is the only form in which exceptions about a
     * webhook request may be logged.
     */
    public Throwable sanitize(Throwable error) {
        if (error == null) {
            return null;
        }
        RedactedException copy = new RedactedException(
                error.getClass().getName() + (error.getMessage() == null ? "" : ": " + redact(error.getMessage())),
                error.getCause() == error ? null : sanitize(error.getCause()));
        copy.setStackTrace(error.getStackTrace());
        for (Throwable suppressed : error.getSuppressed()) {
            copy.addSuppressed(sanitize(suppressed));
        }
        return copy;
    }

    /** The redacted form, e.g. {@code SlackWebhook[https://hooks.slack.com/***]}. */
    @Override
    public String toString() {
        return "SlackWebhook[" + redacted + "]";
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SlackWebhook webhook && webhook.url.equals(url);
    }

    @Override
    public int hashCode() {
        return Objects.hash(url);
    }

    private static boolean isLoopback(String host) {
        try {
            // A literal or "localhost": no DNS query leaves the machine for those.
            return ("localhost".equalsIgnoreCase(host) || host.matches("[0-9.]+|\\[[0-9a-fA-F:]+]"))
                    && InetAddress.getByName(host.replace("[", "").replace("]", "")).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** An exception whose message has been redacted; its text names the original class. */
    static final class RedactedException extends Exception {
        private static final long serialVersionUID = 1L;

        RedactedException(String message, Throwable cause) {
            super(message, cause);
        }

        @Override
        public String toString() {
            return getMessage(); // "java.net.ConnectException: ...", as the original would print
        }
    }
}
