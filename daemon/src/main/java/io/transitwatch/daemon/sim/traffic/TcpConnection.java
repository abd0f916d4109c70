package io.transitwatch.daemon.sim.traffic;

import static io.transitwatch.daemon.sim.traffic.ConntrackReporter.ACK;
import static io.transitwatch.daemon.sim.traffic.ConntrackReporter.FIN;
import static io.transitwatch.daemon.sim.traffic.ConntrackReporter.PSH;
import static io.transitwatch.daemon.sim.traffic.ConntrackReporter.SYN;

import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.L4Protocol;
import io.transitwatch.daemon.sim.PacketKind;
import io.transitwatch.daemon.sim.Pod;

/**
 * Single-threaded: owned by the traffic thread. One TCP connection: handshake with Linux SYN
 * retransmission (RTO 1, 2, 4, 8, 16 s: copies at +1, +3, +7, +15, +31 s, then give up), data for
 * its lifetime (a segment each way every second), then FIN/ACK from both sides. Only SYNs are
 * retransmitted; the server answers every SYN copy it receives with a SYN-ACK.
 */
final class TcpConnection extends Conversation {
    private static final long SECOND = 1_000_000_000L;
    private static final long[] SYN_RETRANSMIT_AT = {1 * SECOND, 3 * SECOND, 7 * SECOND, 15 * SECOND, 31 * SECOND};
    private static final long GIVE_UP_AFTER_LAST_RETRANSMIT = 32 * SECOND;
    /** After the last SYN copy no handshake packet can still be in flight. */
    private static final long SETTLE_AFTER = 33 * SECOND;

    private final long lifetimeNanos;
    private final boolean loseFirstSyn;
    private final boolean loseSynAcks;
    private long openedNanos;
    private int synCopiesSent;
    private boolean established;
    private boolean finished;
    private Tracked syn;
    private Tracked synAck;

    TcpConnection(Datapath datapath, long id, IpFamily family, Pod client, Peer server, int clientPort, int serverPort,
            Peer wireClient, int wireClientPort, long lifetimeNanos, boolean loseFirstSyn, boolean loseSynAcks) {
        super(datapath, id, family, L4Protocol.TCP, client, server, clientPort, serverPort, wireClient,
                wireClientPort);
        this.lifetimeNanos = lifetimeNanos;
        this.loseFirstSyn = loseFirstSyn;
        this.loseSynAcks = loseSynAcks;
    }

    @Override
    void open(long nowNanos) {
        openedNanos = nowNanos;
        syn = track(PacketKind.SYN, true, nowNanos, nowNanos + SETTLE_AFTER);
        sendSyn(nowNanos);
    }

    private void sendSyn(long nowNanos) {
        boolean lostAnyway = loseFirstSyn && synCopiesSent == 0;
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
        later(nowNanos + datapath.thinkTimeNanos(server), this::sendSynAck);
    }

    private void sendSynAck(long nowNanos) {
        if (synAck == null) {
            synAck = track(PacketKind.SYN_ACK, false, nowNanos, openedNanos + SETTLE_AFTER);
        }
        transmit(false, SYN | ACK, nowNanos, synAck, loseSynAcks, this::clientReceivedSynAck);
    }

    private void clientReceivedSynAck(long nowNanos) {
        if (established || finished) {
            return;
        }
        established = true;
        transmit(true, ACK, nowNanos, null, false, now -> {});
        long closeAt = nowNanos + lifetimeNanos;
        for (long at = nowNanos + SECOND; at < closeAt; at += SECOND) {
            later(at, this::exchangeData);
        }
        later(closeAt, this::clientCloses);
    }

    private void exchangeData(long nowNanos) {
        transmit(true, PSH | ACK, nowNanos, null, false,
                arrived -> later(arrived + datapath.thinkTimeNanos(server),
                        now -> transmit(false, PSH | ACK, now, null, false, then -> {})));
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
