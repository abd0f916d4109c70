package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.L4Protocol;
import io.transitwatch.daemon.sim.PacketKind;
import io.transitwatch.daemon.sim.Pod;

/**
 * Single-threaded: owned by the traffic thread. One DNS-style UDP request/response from a fresh
 * source port (so a new CT entry on both nodes), retried on the same tuple like a stub resolver
 * (after about 5 s, twice) when no answer comes.
 */
final class UdpExchange extends Conversation {
    private static final long RETRY_AFTER_NANOS = 5_000_000_000L;
    private static final int MAX_TRIES = 3;
    private static final long SETTLE_AFTER_NANOS = MAX_TRIES * (RETRY_AFTER_NANOS + 400_000_000L);

    private int tries;
    private boolean answered;
    private boolean finished;
    private Tracked query;

    UdpExchange(Datapath datapath, long id, IpFamily family, Pod client, Peer server, int clientPort, int serverPort,
            Peer wireClient, int wireClientPort) {
        super(datapath, id, family, L4Protocol.UDP, client, server, clientPort, serverPort, wireClient,
                wireClientPort, null);
    }

    @Override
    void open(long nowNanos) {
        query = track(PacketKind.UDP_NEW, true, nowNanos, nowNanos + SETTLE_AFTER_NANOS);
        trackRoundTrip(nowNanos);
        ask(nowNanos);
    }

    private void ask(long nowNanos) {
        tries++;
        transmit(true, 0, nowNanos, query, false, this::serverReceivedQuery);
        later(nowNanos + RETRY_AFTER_NANOS + datapath.random.nextLong(1_000_000, 300_000_000), this::retryIfUnanswered);
    }

    private void serverReceivedQuery(long nowNanos) {
        later(nowNanos + datapath.thinkTimeNanos(server),
                now -> transmit(false, 0, now, null, false, arrived -> answered = true));
    }

    private void retryIfUnanswered(long nowNanos) {
        if (answered || tries >= MAX_TRIES) {
            finish();
        } else {
            ask(nowNanos);
        }
    }

    private void finish() {
        if (!finished) {
            finished = true;
            forgetConntrack();
        }
    }
}
