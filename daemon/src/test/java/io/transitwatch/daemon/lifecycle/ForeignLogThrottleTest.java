package io.transitwatch.daemon.lifecycle;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.transitwatch.daemon.clock.ManualClock;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

/** The libraries' records: one line each, no stack trace, at most one per logger and interval. */
class ForeignLogThrottleTest {
    private static final long T0 = 1_795_274_640_000_000_000L;
    private static final String CHANNEL = "io.grpc.internal.ManagedChannelImpl";

    private final ManualClock clock = new ManualClock(T0);
    private final ForeignLogThrottle throttle = new ForeignLogThrottle(clock, Duration.ofMinutes(1));

    /** What grpc-java logs for a name that does not resolve: the status, its cause's stack trace inside the message. */
    private static LogRecord failedToResolve() {
        LogRecord record = new LogRecord(Level.WARNING, "[Channel<3>: (relay.invalid:80)] Failed to resolve name. "
                + "status=Status{code=UNAVAILABLE, description=Unable to resolve host relay.invalid, "
                + "cause=java.net.UnknownHostException: relay.invalid\n"
                + "\tat java.base/java.net.InetAddress$CachedAddresses.get(InetAddress.java:801)\n"
                + "\tat io.grpc.internal.DnsNameResolver.doResolve(DnsNameResolver.java:267)\n}");
        record.setLoggerName(CHANNEL);
        return record;
    }

    @Test
    void shouldCutALibraryRecordToItsFirstLine() {
        LogRecord shown = throttle.admit(failedToResolve());
        assertEquals("[Channel<3>: (relay.invalid:80)] Failed to resolve name. status=Status{code=UNAVAILABLE, "
                + "description=Unable to resolve host relay.invalid, cause=java.net.UnknownHostException: relay.invalid",
                shown.getMessage());
        assertEquals(CHANNEL, shown.getLoggerName());
        assertEquals(Level.WARNING, shown.getLevel());
    }

    @Test
    void shouldSummariseAnAttachedThrowableInsteadOfItsStackTrace() {
        LogRecord record = new LogRecord(Level.SEVERE, "Failed refreshing certificate");
        record.setLoggerName("io.grpc.util.AdvancedTlsX509KeyManager");
        record.setThrown(new IllegalStateException("bad pem", new UnknownHostException("x.invalid")));
        LogRecord shown = throttle.admit(record);
        assertEquals("Failed refreshing certificate (java.lang.IllegalStateException: bad pem; caused by "
                + "java.net.UnknownHostException: x.invalid)", shown.getMessage());
        assertNull(shown.getThrown());
    }

    @Test
    void shouldLetOneLinePerMinuteThroughAndCountTheRest() {
        int shown = 0;
        for (int attempt = 0; attempt < 23; attempt++) { // grpc-java's re-resolution rate over one minute
            if (throttle.admit(failedToResolve()) != null) {
                shown++;
            }
            clock.advanceMillis(2_500);
        }
        assertEquals(1, shown);
        clock.advanceMillis(3_000);
        assertEquals("[Channel<3>: (relay.invalid:80)] Failed to resolve name. status=Status{code=UNAVAILABLE, "
                + "description=Unable to resolve host relay.invalid, cause=java.net.UnknownHostException: relay.invalid"
                + " [22 more from this logger left out since its previous line]",
                throttle.admit(failedToResolve()).getMessage());
    }

    @Test
    void shouldPassOurOwnRecordsUnchanged() {
        LogRecord ours = new LogRecord(Level.WARNING, "relay: stream down: {0}");
        ours.setLoggerName("io.transitwatch.daemon.ingest.ReconnectingStream");
        ours.setThrown(new IllegalStateException("kept"));
        assertSame(ours, throttle.admit(ours));
        assertSame(ours, throttle.admit(ours));
    }
}
