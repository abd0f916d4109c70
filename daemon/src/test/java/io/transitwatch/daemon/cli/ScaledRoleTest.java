package io.transitwatch.daemon.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.transitwatch.daemon.http.RoleView;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The exit codes and messages {@code collect}, {@code correlate} and {@code incidents} share. */
class ScaledRoleTest {
    private static final System.Logger LOG = System.getLogger(ScaledRoleTest.class.getName());
    private static final RoleView IDLE = RoleView.of(() -> null, () -> null, List::of);
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream previousErr;

    @BeforeEach
    void captureStderr() {
        previousErr = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(previousErr);
    }

    @Test
    void aBadSettingExitsOneNamingTheKeyWithoutStartingTheRole() throws Exception {
        AtomicBoolean started = new AtomicBoolean();
        int code = ScaledRole.run("transitwatch collect", null, List.of("scale.heartbeat-interval=often"), settings -> {
            started.set(true);
            return ScaledRole.Running.of(() -> { }, () -> null, IDLE);
        }, "closing", LOG);
        assertEquals(1, code);
        assertTrue(!started.get(), "started with an invalid configuration");
        assertTrue(stderr().contains("scale.heartbeat-interval") && stderr().contains("often"), stderr());
    }

    @Test
    void aRoleThatCannotStartExitsOneWithTheReason() throws Exception {
        int code = ScaledRole.run("transitwatch correlate", null, List.of(), settings -> {
            throw new IllegalStateException("kafka.bootstrap-servers is not set");
        }, "closing", LOG);
        assertEquals(1, code);
        assertTrue(stderr().contains("transitwatch correlate: cannot start: kafka.bootstrap-servers is not set"), stderr());
    }

    @Test
    void aRoleThatFailsWhileRunningIsClosedAndExitsOneWithTheReason() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        int code = ScaledRole.run("transitwatch correlate", null, List.of("http.port=0"), settings -> ScaledRole.Running.of(
                () -> closed.set(true), () -> new IllegalStateException("fenced by a newer instance"), IDLE), "closing", LOG);
        assertEquals(1, code);
        assertTrue(closed.get(), "the failed role was not closed");
        assertTrue(stderr().contains("transitwatch correlate: stopped: fenced by a newer instance"), stderr());
    }

    @Test
    void aHttpPortInUseClosesTheRoleAndExitsOneNamingTheKey() throws Exception {
        AtomicBoolean closed = new AtomicBoolean();
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            int code = ScaledRole.run("transitwatch collect", null,
                    List.of("http.address=127.0.0.1", "http.port=" + taken.getLocalPort()),
                    settings -> ScaledRole.Running.of(() -> closed.set(true), () -> null, IDLE), "closing", LOG);
            assertEquals(1, code);
        }
        assertTrue(closed.get(), "the started role was not closed");
        assertTrue(stderr().contains("transitwatch collect: cannot start: cannot listen on")
                && stderr().contains("set http.port to a free port"), stderr());
    }

    private String stderr() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
