package io.transitwatch.sinks.slack;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.sinks.Await;
import io.transitwatch.sinks.ManualClock;
import io.transitwatch.sinks.TestEvents;
import io.transitwatch.sinks.TestThreads;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The webhook URL is a credential: whatever goes wrong, no log record of this process may carry
 * it. Every record at every level is captured (JUL root at ALL) while the sink meets a rejecting,
 * a failing, a hanging and an absent Slack, and each record, its parameters and its whole
 * exception chain with stack traces are searched for the URL's secret path.
 */
class SlackLoggingIT {
    /** The stand-in Slack server's own logging (the JDK HTTP server) is not this process's code path in production. */
    private static final List<String> STUB_SERVER_LOGGERS = List.of("com.sun.net.httpserver", "sun.net.httpserver");

    @TempDir
    Path directory;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            records.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private final Logger root = Logger.getLogger("");
    private final Map<Handler, Level> savedHandlerLevels = new java.util.HashMap<>();
    private Level savedRootLevel;
    private final List<AutoCloseable> toClose = new ArrayList<>();

    @BeforeEach
    void captureEverything() {
        savedRootLevel = root.getLevel();
        for (Handler handler : root.getHandlers()) {
            savedHandlerLevels.put(handler, handler.getLevel());
            handler.setLevel(Level.INFO); // keep the console readable
        }
        capture.setLevel(Level.ALL);
        root.addHandler(capture);
        root.setLevel(Level.ALL);
    }

    @AfterEach
    void restore() throws Exception {
        for (int i = toClose.size() - 1; i >= 0; i--) {
            toClose.get(i).close();
        }
        root.removeHandler(capture);
        root.setLevel(savedRootLevel);
        savedHandlerLevels.forEach(Handler::setLevel);
    }

    private SlackSink sink(String url, SlackSinkConfig config, ManualClock clock) throws Exception {
        Path secret = Files.writeString(directory.resolve("url-" + toClose.size()), url);
        SlackSink sink = SlackSink.create(config.withMaxIdleWait(Duration.ofMillis(5)), SlackWebhook.fromFile(secret),
                new TestThreads("slack"), clock);
        toClose.add(sink::close);
        return sink;
    }

    @Test
    void shouldNeverLogTheWebhookUrl() throws Exception {
        ManualClock clock = new ManualClock(TestEvents.TIME);
        SlackSinkConfig twoAttempts = SlackSinkConfig.defaults().withRetries(2, Duration.ofSeconds(1), Duration.ofSeconds(1));

        SlackStub rejecting = new SlackStub(clock);
        toClose.add(rejecting);
        rejecting.answer(SlackStub.Answer.of(404, "no_service " + rejecting.url()));
        SlackSink rejected = sink(rejecting.url(), twoAttempts, clock);

        SlackStub failing = new SlackStub(clock);
        toClose.add(failing);
        failing.answer(SlackStub.Answer.of(500, "boom at " + failing.secretPath()), SlackStub.Answer.of(503, "down"));
        SlackSink gaveUp = sink(failing.url(), twoAttempts, clock);

        SlackStub hanging = new SlackStub(clock);
        toClose.add(hanging);
        hanging.hang();
        SlackSink timedOut = sink(hanging.url(), twoAttempts.withRequestTimeout(Duration.ofMillis(300)), clock);

        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        String absentUrl = "http://127.0.0.1:" + closedPort + "/services/T0ABSENT/B0ABSENT/aBsEnTsEcReT";
        SlackSink refused = sink(absentUrl, twoAttempts, clock);

        for (SlackSink sink : List.of(rejected, gaveUp, timedOut, refused)) {
            sink.publish(List.of(TestEvents.firing()));
        }
        clock.advance(Duration.ofSeconds(30));
        Await.until(() -> rejected.failed() == 1, "the 404 is given up on");
        Await.until(() -> gaveUp.retries() == 1 && timedOut.retries() == 1 && refused.retries() == 1,
                "the 5xx, the timeout and the refused connection are retried");
        clock.advance(Duration.ofSeconds(1));
        Await.until(() -> gaveUp.failed() == 1 && timedOut.failed() == 1 && refused.failed() == 1,
                "and given up on after the second attempt");

        List<String> secrets = List.of(rejecting.secretPath(), failing.secretPath(), hanging.secretPath(),
                "/services/T0ABSENT/B0ABSENT/aBsEnTsEcReT", "aBsEnTsEcReT");
        int ours = 0;
        SimpleFormatter formatter = new SimpleFormatter();
        for (LogRecord record : records) {
            String logger = record.getLoggerName() == null ? "" : record.getLoggerName();
            if (STUB_SERVER_LOGGERS.stream().anyMatch(logger::startsWith)) {
                continue;
            }
            if (logger.startsWith("io.transitwatch.sinks.slack")) {
                ours++;
            }
            String everything = formatter.format(record) + " " + record.getMessage() + " " + params(record) + " "
                    + stackTraces(record.getThrown());
            for (String secret : secrets) {
                assertFalse(everything.contains(secret), "log record leaks the webhook: " + everything);
            }
        }
        assertTrue(ours >= 4, "the failures were logged (" + ours + " records), so the scan saw them");
    }

    private static String params(LogRecord record) {
        return record.getParameters() == null ? "" : java.util.Arrays.deepToString(record.getParameters());
    }

    private static String stackTraces(Throwable thrown) {
        if (thrown == null) {
            return "";
        }
        StringWriter text = new StringWriter();
        thrown.printStackTrace(new PrintWriter(text)); // includes causes and suppressed
        return text.toString();
    }
}
