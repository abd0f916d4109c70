package io.transitwatch.daemon.ingest;

import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.transitwatch.proto.observer.ServerStatusResponse;
import java.lang.System.Logger.Level;
import java.util.concurrent.TimeUnit;

/**
 * Thread-safe: the stream asks on the ingest scheduler ({@code ReconnectingStream.askServerStatus}),
 * the answer arrives here on the channel executor.
 *
 * <p>Takes one Hubble server's (a node's, or Relay's) {@code ServerStatus} answer and records the
 * {@code version} it reports under the stream's name, for {@code doctor}. A unary call beside the
 * {@code GetFlows} stream on the same channel: the stream never waits for it, and a server that does
 * not answer only leaves the version unknown.
 */
final class ServerVersionQuery implements StreamObserver<ServerStatusResponse> {
    private static final System.Logger LOG = System.getLogger(ServerVersionQuery.class.getName());
    /** How long an answer may take: the stream never waits for it. */
    static final long DEADLINE_NANOS = TimeUnit.SECONDS.toNanos(10);

    private final IngestState state;
    private final String name;

    ServerVersionQuery(IngestState state, String name) {
        this.state = state;
        this.name = name;
    }

    @Override
    public void onNext(ServerStatusResponse response) {
        state.hubbleVersion(name, response.getVersion());
    }

    @Override
    public void onError(Throwable error) {
        // The flows stream reports the server's health; an unknown version is all this costs.
        LOG.log(Level.DEBUG, "{0}: ServerStatus failed ({1}); its Hubble version stays unknown", name,
                Status.fromThrowable(error).getCode());
    }

    @Override
    public void onCompleted() {
        // a unary call: onNext carried the answer
    }
}
