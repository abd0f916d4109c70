package io.transitwatch.daemon.ingest;

import io.transitwatch.daemon.clock.Clock;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.util.Locale;

/**
 * Thread-confined like {@link ReconnectingStream}: called from the stream's message and reconnect
 * callbacks, which never run at the same time.
 *
 * <p>What an operator reads about one stream's state: one line when it goes down (the reason and
 * when the next attempt is), further failed attempts at a falling rate (attempts 2, 4, 8, … and at
 * least every {@link #REMIND_NANOS}), and one line when it delivers again, with how long it was down
 * and whether it backfilled the outage. A stream that fails the same way for an hour thus writes
 * about a dozen lines, not one per retry, and is never silent about coming back.
 */
final class StreamStateLog {
    private static final long REMIND_NANOS = 5L * 60 * 1_000_000_000L;

    private final Logger log;
    private final String stream;
    private final Clock clock;
    private long downSinceNanos;
    private int failedAttempts;
    private long lastLoggedNanos;
    private String lastReason = "";

    StreamStateLog(Logger log, String stream, Clock clock) {
        this.log = log;
        this.stream = stream;
        this.clock = clock;
    }

    /** The stream's call ended with {@code reason}; the next attempt is in {@code nextAttemptNanos}. */
    void failed(String reason, long nextAttemptNanos) {
        long now = clock.epochNanos();
        failedAttempts++;
        String next = seconds(nextAttemptNanos);
        if (downSinceNanos == 0) {
            downSinceNanos = now;
            lastLoggedNanos = now;
            lastReason = reason;
            log.log(Level.WARNING, "{0}: stream down: {1}; next attempt in {2}", stream, reason, next);
            return;
        }
        boolean newReason = !reason.equals(lastReason);
        boolean due = Integer.bitCount(failedAttempts) == 1 || now - lastLoggedNanos >= REMIND_NANOS;
        if (newReason || due) {
            lastLoggedNanos = now;
            lastReason = reason;
            log.log(Level.WARNING, "{0}: still down after {1} attempts ({2}): {3}; next attempt in {4}", stream,
                    failedAttempts, seconds(now - downSinceNanos), reason, next);
        }
    }

    /**
     * The stream delivers again (or for the first time).
     *
     * @param backfilled whether the new call re-reads the outage ({@code since}); otherwise the
     *     outage's events are gone
     */
    void delivering(boolean backfilled) {
        upAgain(backfilled ? "backfilling the outage from Hubble's ring"
                : "without backfill: the outage's events are not re-read");
    }

    /** The stream works again (or for the first time); {@code consequence} says what that means for the data. */
    void upAgain(String consequence) {
        if (downSinceNanos == 0) {
            return;
        }
        long downtime = clock.epochNanos() - downSinceNanos;
        log.log(Level.INFO, "{0}: stream up again after {1} down ({2} failed attempts); {3}", stream,
                seconds(downtime), failedAttempts, consequence);
        downSinceNanos = 0;
        failedAttempts = 0;
        lastReason = "";
    }

    private static String seconds(long nanos) {
        return String.format(Locale.ROOT, "%.1f s", nanos / 1e9);
    }
}
