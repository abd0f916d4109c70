package io.transitwatch.sinks.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ThrottledLoggerTest {

    /** Keeps what reaches the logger. */
    static final class Capture implements System.Logger {
        final List<String> messages = new ArrayList<>();

        @Override
        public String getName() {
            return "capture";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            messages.add(msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            messages.add(format);
        }
    }

    @Test
    void shouldLetThroughTheBudgetPerWindowAndReportWhatItSuppressed() {
        Capture capture = new Capture();
        AtomicLong now = new AtomicLong();
        ThrottledLogger logger = new ThrottledLogger(capture, now::get, 3, Duration.ofMinutes(1));

        for (int i = 0; i < 10; i++) {
            logger.log(System.Logger.Level.WARNING, "send failed " + i);
        }
        assertEquals(List.of("send failed 0", "send failed 1", "send failed 2"), capture.messages);
        assertEquals(7, logger.suppressed());

        now.addAndGet(Duration.ofSeconds(59).toNanos());
        logger.log(System.Logger.Level.WARNING, "still in the window");
        assertEquals(3, capture.messages.size());

        now.addAndGet(Duration.ofSeconds(1).toNanos());
        logger.log(System.Logger.Level.WARNING, "send failed again", new RuntimeException("boom"));
        assertEquals("send failed again (8 similar messages suppressed before this one)", capture.messages.get(3));
        logger.log(System.Logger.Level.WARNING, "next");
        assertEquals("next", capture.messages.get(4));
        assertEquals(8, logger.suppressed());
    }
}
