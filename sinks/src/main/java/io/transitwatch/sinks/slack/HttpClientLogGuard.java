package io.transitwatch.sinks.slack;

import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Thread-safe: keeps the JDK HttpClient's own loggers from writing the webhook URL.
 *
 * <p>At DEBUG the JDK 17 client logs every request line, URL included, through
 * {@code jdk.internal.httpclient.debug}; turning the whole daemon to DEBUG would then leak the
 * Slack credential. Those loggers are pinned to INFO here. This is the one place sinks touch
 * {@code java.util.logging} directly: it configures the JDK's loggers, it does not log. The
 * loggers are held in a static field because JUL forgets the level of a logger nobody references.
 * A later {@code LogManager.reset()} clears the pin, so the daemon configures logging before it
 * makes the Slack sink.
 */
final class HttpClientLogGuard {
    private static final List<Logger> PINNED = List.of(
            Logger.getLogger("jdk.internal.httpclient.debug"),
            Logger.getLogger("jdk.internal.httpclient.hpack.debug"),
            Logger.getLogger("jdk.internal.httpclient.websocket.debug"),
            Logger.getLogger("jdk.httpclient.HttpClient"));

    private HttpClientLogGuard() {}

    static void pin() {
        for (Logger logger : PINNED) {
            logger.setLevel(Level.INFO);
        }
    }
}
