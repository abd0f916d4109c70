package io.transitwatch.daemon.lifecycle;

import io.transitwatch.daemon.clock.Clock;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Consumer;

/**
 * Single-threaded: called only on the thread whose failures it reports (the join thread, as the
 * {@link io.transitwatch.daemon.join.JoinLoop}'s error handler); built on any thread before that
 * thread starts.
 *
 * <p>Logs failures with their stack traces, without flooding the log when one repeats: the first
 * failure is logged at once, later ones at most one line per {@code interval}, and each such line
 * says how many failures were left out since the line before. An {@link Error} is always logged
 * (it ends the join thread). Time comes from the injected {@link Clock}. The owner counts every
 * failure anyway ({@code transitwatch_join_errors_total}), so what the throttle leaves out of the
 * log is not lost.
 */
final class ThrottledErrorLog implements Consumer<Throwable> {
    private final System.Logger logger;
    private final String what;
    private final Clock clock;
    private final long intervalNanos;
    private boolean loggedAny;
    private long lastLoggedNanos;
    private long leftOut;

    /**
     * @param what what failed, first word of every line (e.g. {@code join})
     * @param interval the least time between two logged failures
     */
    ThrottledErrorLog(System.Logger logger, String what, Clock clock, Duration interval) {
        this.logger = logger;
        this.what = what;
        this.clock = clock;
        this.intervalNanos = interval.toNanos();
    }

    @Override
    public void accept(Throwable failure) {
        long now = clock.epochNanos();
        if (failure instanceof Error) {
            log(now, what + ": thread stopped by " + failure, failure);
            return;
        }
        if (loggedAny && now - lastLoggedNanos < intervalNanos) {
            leftOut++;
            return;
        }
        log(now, what + ": failed, skipped the event or the rest of the cycle: " + failure, failure);
    }

    private void log(long now, String message, Throwable failure) {
        String more = leftOut == 0 ? "" : " (" + leftOut + " more failure" + (leftOut == 1 ? "" : "s")
                + " since the previous line, not logged)";
        logger.log(Level.ERROR, message + more, failure);
        loggedAny = true;
        lastLoggedNanos = now;
        leftOut = 0;
    }
}
