package io.transitwatch.daemon.sim;

/** The join-safe packets the ground truth records (DESIGN §3.1, §3.8): both nodes report each of them. */
public enum PacketKind {
    /** The first SYN (no ACK) of a TCP connection, and its retransmissions. */
    SYN,
    /** The server's SYN-ACK: the reverse-direction key of the handshake. */
    SYN_ACK,
    /** The first UDP packet of a new conntrack entry (trace_reason NEW). */
    UDP_NEW,
    /**
     * The client's third-handshake ACK: the first segment of its direction with ACK. Both nodes report
     * it only under monitor-aggregation-flags that include ACK (DESIGN §3.8).
     */
    FIRST_ACK,
    /** The first PSH segment of a direction (the client's request, the server's response), as FIRST_ACK. */
    FIRST_PSH
}
