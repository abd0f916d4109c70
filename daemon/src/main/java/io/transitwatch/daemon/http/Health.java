package io.transitwatch.daemon.http;

import io.transitwatch.daemon.ingest.NodeIngestState;
import io.transitwatch.daemon.join.JoinLoop;
import java.util.List;

/**
 * Thread-safe (stateless): evaluated on an HTTP thread for each probe.
 *
 * <p>Liveness and readiness, as Kubernetes probes them. <b>Live</b> while the join thread runs:
 * the process is up by definition if it answers, and a dead join thread is the one failure a
 * restart cures. <b>Ready</b> when, in addition, at least one Hubble stream is up, so that the
 * daemon is actually watching something; otherwise the reason says what is missing. A join thread
 * that ended for any reason (an {@link Error}, a failing error handler, or being stopped) fails
 * both; the reason names what stopped it, if anything did. So does a join thread that is alive but
 * stuck in one duty cycle ({@link JoinLoop#isStalled()}): it decides nothing, and a restart is what
 * cures it; the reason says for how long and where the thread is.
 */
final class Health {
    /** A probe's answer: whether it passes, and one line for humans. */
    record Status(boolean ok, String reason) {
        int httpStatus() {
            return ok ? 200 : 503;
        }
    }

    private static final String OUR_PACKAGES = "io.transitwatch.";

    private Health() {}

    static Status liveness(DaemonView daemon) {
        JoinLoop join = daemon.joinLoop();
        if (!join.isRunning()) {
            return new Status(false, "join thread is not running" + stoppedBy(join));
        }
        return join.isStalled() ? new Status(false, stalled(join)) : new Status(true, "ok: join thread running");
    }

    static Status readiness(DaemonView daemon) {
        Status live = liveness(daemon);
        if (!live.ok()) {
            return new Status(false, "not ready: " + live.reason());
        }
        List<NodeIngestState> sources = daemon.ingest().nodes();
        long up = sources.stream().filter(NodeIngestState::connected).count();
        if (up > 0) {
            return new Status(true, "ready: " + up + " of " + sources.size() + " Hubble sources up, join running");
        }
        String lastError = sources.stream().map(NodeIngestState::lastError).filter(error -> !error.isEmpty())
                .findFirst().orElse("");
        return new Status(false, "not ready: no Hubble stream is up"
                + (sources.isEmpty() ? " (none connected yet)" : " (" + sources.size() + " known, all down)")
                + (lastError.isEmpty() ? "" : "; last error: " + lastError));
    }

    private static String stalled(JoinLoop join) {
        StringBuilder reason = new StringBuilder("join thread stalled: one duty cycle has run for ")
                .append(join.cycleAgeNanos() / 1_000_000_000L).append(" s (a cycle takes milliseconds; stalled from ")
                .append(JoinLoop.STALL_AFTER_NANOS / 1_000_000_000L).append(" s), so nothing is being decided");
        StackTraceElement[] stack = join.stack();
        if (stack.length > 0) {
            reason.append("; the thread is at ").append(frame(stack[0]));
            for (StackTraceElement frame : stack) { // where in our code it waits, below the JDK's frames
                if (frame.getClassName().startsWith(OUR_PACKAGES)) {
                    if (frame != stack[0]) {
                        reason.append(", called from ").append(frame(frame));
                    }
                    break;
                }
            }
        }
        return reason.toString();
    }

    /** {@code Class.method(File.java:line)}, without the class loader and module that the JDK's form adds. */
    private static String frame(StackTraceElement frame) {
        String where = frame.isNativeMethod() ? "native"
                : frame.getFileName() == null ? "unknown source" : frame.getFileName() + ":" + frame.getLineNumber();
        return frame.getClassName() + "." + frame.getMethodName() + "(" + where + ")";
    }

    private static String stoppedBy(JoinLoop join) {
        Throwable cause = join.stoppedBy();
        return cause == null ? "" : " (stopped by " + cause + "; the log has its stack trace)";
    }
}
