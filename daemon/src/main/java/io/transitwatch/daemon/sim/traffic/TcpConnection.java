package io.transitwatch.daemon.sim.traffic;

import static io.transitwatch.daemon.sim.traffic.ConntrackReporter.ACK;
import static io.transitwatch.daemon.sim.traffic.ConntrackReporter.FIN;
import static io.transitwatch.daemon.sim.traffic.ConntrackReporter.PSH;
import static io.transitwatch.daemon.sim.traffic.ConntrackReporter.RST;
import static io.transitwatch.daemon.sim.traffic.ConntrackReporter.SYN;

import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.L4Protocol;
import io.transitwatch.daemon.sim.PacketKind;
import io.transitwatch.daemon.sim.Pod;

/**
 * Single-threaded: owned by the traffic thread. One TCP connection: handshake with Linux SYN
 * retransmission (RTO 1, 2, 4, 8, 16 s: copies at +1, +3, +7, +15, +31 s, then give up), the
 * client's request right after its handshake ACK and the server's full-size response, more of that
 * every second for its lifetime, then FIN/ACK from both sides. Only SYNs are retransmitted; the
 * server answers every SYN copy it receives with a SYN-ACK, or with a RST when it refuses.
 */
final class TcpConnection extends Conversation {
    private static final long SECOND = 1_000_000_000L;
    private static final long[] SYN_RETRANSMIT_AT = {1 * SECOND, 3 * SECOND, 7 * SECOND, 15 * SECOND, 31 * SECOND};
    private static final long GIVE_UP_AFTER_LAST_RETRANSMIT = 32 * SECOND;
    /** After the last SYN copy no handshake packet can still be in flight. */
    private static final long SETTLE_AFTER = 33 * SECOND;
    /** Data segments are not retransmitted here: a first-data segment is settled once its one copy could have arrived. */
    private static final long DATA_SETTLE_AFTER = 2 * SECOND;

    /** What the scenario's faults do to this one connection, decided when it starts. */
    record Fate(boolean loseFirstSyn, boolean loseSynAcks, boolean refused, boolean loseFullSizeResponses) {
        static final Fate NONE = new Fate(false, false, false, false);
    }

    private final long lifetimeNanos;
    private final Fate fate;
    private long openedNanos;
    private int synCopiesSent;
    private boolean established;
    private boolean finished;
    private boolean requested;
    private boolean responded;
    private Tracked syn;
    private Tracked synAck;

    TcpConnection(Datapath datapath, long id, IpFamily family, Pod client, Peer server, int clientPort, int serverPort,
            Peer wireClient, int wireClientPort, TrafficMix.Frontend frontend, long lifetimeNanos, Fate fate) {
        super(datapath, id, family, L4Protocol.TCP, client, server, clientPort, serverPort, wireClient,
                wireClientPort, frontend);
        this.lifetimeNanos = lifetimeNanos;
        this.fate = fate;
    }

    @Override
    void open(long nowNanos) {
        openedNanos = nowNanos;
        syn = track(PacketKind.SYN, true, nowNanos, nowNanos + SETTLE_AFTER);
        trackRoundTrip(nowNanos);
        sendSyn(nowNanos);
    }

    private void sendSyn(long nowNanos) {
        boolean lostAnyway = fate.loseFirstSyn() && synCopiesSent == 0;
        synCopiesSent++;
        transmit(true, SYN, nowNanos, syn, lostAnyway, this::serverReceivedSyn);
        if (synCopiesSent <= SYN_RETRANSMIT_AT.length) {
            later(openedNanos + SYN_RETRANSMIT_AT[synCopiesSent - 1], this::retransmitSynIfUnanswered);
        } else {
            later(nowNanos + GIVE_UP_AFTER_LAST_RETRANSMIT, now -> finish());
        }
    }

    private void retransmitSynIfUnanswered(long nowNanos) {
        if (!established && !finished) {
            sendSyn(nowNanos);
        }
    }

    private void serverReceivedSyn(long nowNanos) {
        later(nowNanos + datapath.thinkTimeNanos(server), fate.refused() ? this::sendRst : this::sendSynAck);
    }

    private void sendSynAck(long nowNanos) {
        if (synAck == null) {
            synAck = track(PacketKind.SYN_ACK, false, nowNanos, openedNanos + SETTLE_AFTER);
        }
        transmit(false, SYN | ACK, nowNanos, synAck, fate.loseSynAcks(), this::clientReceivedSynAck);
    }

    /** Nothing listens on the port: the SYN is answered with RST/ACK, and the client gives up. */
    private void sendRst(long nowNanos) {
        transmit(false, RST | ACK, nowNanos, null, false, now -> finish());
    }

    private void clientReceivedSynAck(long nowNanos) {
        if (established || finished) {
            return;
        }
        established = true;
        transmit(true, ACK, nowNanos, trackFirstData(PacketKind.FIRST_ACK, true, nowNanos,
                nowNanos + DATA_SETTLE_AFTER), false, now -> {});
        long closeAt = nowNanos + lifetimeNanos;
        // The request follows the handshake at once (a TLS ClientHello, an HTTP request), then one a second.
        later(nowNanos + datapath.thinkTimeNanos(clientPeer), this::exchangeData);
        for (long at = nowNanos + SECOND; at < closeAt; at += SECOND) {
            later(at, this::exchangeData);
        }
        later(closeAt, this::clientCloses);
    }

    /** A small request from the client, answered by a full-size response (the one an MTU blackhole takes). */
    private void exchangeData(long nowNanos) {
        Tracked request = requested ? null
                : trackFirstData(PacketKind.FIRST_PSH, true, nowNanos, nowNanos + DATA_SETTLE_AFTER);
        requested = true;
        transmit(true, PSH | ACK, nowNanos, request, false,
                arrived -> later(arrived + datapath.thinkTimeNanos(server), this::respond));
    }

    private void respond(long nowNanos) {
        Tracked response = responded ? null
                : trackFirstData(PacketKind.FIRST_PSH, false, nowNanos, nowNanos + DATA_SETTLE_AFTER);
        responded = true;
        transmit(false, PSH | ACK, nowNanos, response, fate.loseFullSizeResponses(), then -> {});
    }

    private void clientCloses(long nowNanos) {
        transmit(true, FIN | ACK, nowNanos, null, false, this::serverCloses);
        later(nowNanos + 2 * SECOND, now -> finish());
    }

    private void serverCloses(long nowNanos) {
        later(nowNanos + datapath.thinkTimeNanos(server),
                now -> transmit(false, FIN | ACK, now, null, false,
                        arrived -> transmit(true, ACK, arrived, null, false, then -> {})));
    }

    private void finish() {
        if (!finished) {
            finished = true;
            forgetConntrack();
        }
    }
}
