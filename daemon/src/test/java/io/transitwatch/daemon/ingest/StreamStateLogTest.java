package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.clock.ManualClock;
import java.text.MessageFormat;
import java.util.ArrayList;
import java.util.List;
import java.util.ResourceBundle;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class StreamStateLogTest {
    private static final long T0 = 1_795_274_640_000_000_000L;
    private static final long S = 1_000_000_000L;
    private static final String REFUSED = "solwk02 (10.0.0.2:4244): UNAVAILABLE: Connection refused";

    private final ManualClock clock = new ManualClock(T0);
    private final Lines lines = new Lines();
    private final StreamStateLog log = new StreamStateLog(lines, "solwk02", clock);

    @Test
    void shouldSayWhenAStreamGoesDownEveryFewRefusalsAndWhenItIsBack() {
        log.failed(REFUSED, S);
        clock.advanceNanos(S);
        log.failed(REFUSED, 1_600_000_000L);
        clock.advanceNanos(1_600_000_000L);
        log.failed(REFUSED, 2_560_000_000L);
        clock.advanceNanos(2_560_000_000L);
        log.delivering(true);

        assertEquals(List.of(
                "WARNING solwk02: stream down: " + REFUSED + "; next attempt in 1.0 s",
                "WARNING solwk02: still down after 2 attempts (1.0 s): " + REFUSED + "; next attempt in 1.6 s",
                "INFO solwk02: stream up again after 5.2 s down (3 failed attempts); backfilling the outage from Hubble's ring"),
                lines.lines, "the third refusal is not logged: attempts 1, 2, 4, 8, ... are");
    }

    @Test
    void shouldThrottleALongOutageToAFewLinesAnHour() {
        for (int attempt = 0; attempt < 120; attempt++) { // 120 attempts, 30 s apart: an hour
            log.failed(REFUSED, 30 * S);
            clock.advanceNanos(30 * S);
        }
        log.delivering(false);

        assertTrue(lines.lines.size() <= 20, lines.lines.size() + " lines: " + lines.lines);
        assertTrue(lines.lines.get(lines.lines.size() - 1).contains("without backfill"));
    }

    @Test
    void shouldLogANewReasonAtOnce() {
        log.failed(REFUSED, S);
        log.failed(REFUSED, S);
        log.failed(REFUSED, S);
        log.failed("solwk02 (10.0.0.2:4244): UNAVAILABLE: TLS handshake failed", S);

        assertEquals(3, lines.lines.size());
        assertTrue(lines.lines.get(2).contains("TLS handshake failed"));
    }

    /** A System.Logger that keeps "LEVEL message" lines. */
    private static final class Lines implements System.Logger {
        final List<String> lines = new ArrayList<>();

        @Override
        public String getName() {
            return "test";
        }

        @Override
        public boolean isLoggable(Level level) {
            return true;
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String msg, Throwable thrown) {
            lines.add(level + " " + msg);
        }

        @Override
        public void log(Level level, ResourceBundle bundle, String format, Object... params) {
            lines.add(level + " " + MessageFormat.format(format, params));
        }

        @Override
        public void log(Level level, Supplier<String> msgSupplier) {
            lines.add(level + " " + msgSupplier.get());
        }
    }
}
