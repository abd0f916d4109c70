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
 * both; the reason names what stopped it, if anything did.
 */
final class Health {
    /** A probe's answer: whether it passes, and one line for humans. */
    record Status(boolean ok, String reason) {
        int httpStatus() {
            return ok ? 200 : 503;
        }
    }

    private Health() {}

    static Status liveness(DaemonView daemon) {
        return daemon.joinLoop().isRunning()
                ? new Status(true, "ok: join thread running")
                : new Status(false, "join thread is not running" + stoppedBy(daemon.joinLoop()));
    }

    static Status readiness(DaemonView daemon) {
        if (!daemon.joinLoop().isRunning()) {
            return new Status(false, "not ready: join thread is not running" + stoppedBy(daemon.joinLoop()));
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

    private static String stoppedBy(JoinLoop join) {
        Throwable cause = join.stoppedBy();
        return cause == null ? "" : " (stopped by " + cause + "; the log has its stack trace)";
    }
}
