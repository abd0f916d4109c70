package io.transitwatch.daemon.sim;

/** The join-safe packets the ground truth records (DESIGN §3.1): both nodes report each of them. */
public enum PacketKind {
    /** The first SYN (no ACK) of a TCP connection, and its retransmissions. */
    SYN,
    /** The server's SYN-ACK: the reverse-direction key of the handshake. */
    SYN_ACK,
    /** The first UDP packet of a new conntrack entry (trace_reason NEW). */
    UDP_NEW
}
