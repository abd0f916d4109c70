package io.transitwatch.daemon.sim;

import java.util.Objects;

/**
 * Immutable. The join key of DESIGN §3.2 for one packet: family, on-wire source (the
 * {@code source_xlated} address and post-SNAT port when masqueraded), destination, L4 protocol
 * and packet kind.
 */
public record TruthKey(IpFamily family, String sourceIp, String destinationIp, int sourcePort, int destinationPort,
        L4Protocol protocol, PacketKind kind) {

    public TruthKey {
        Objects.requireNonNull(family, "family");
        Objects.requireNonNull(sourceIp, "sourceIp");
        Objects.requireNonNull(destinationIp, "destinationIp");
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(kind, "kind");
    }

    @Override
    public String toString() {
        return family + " " + protocol + " " + kind + " " + sourceIp + "." + sourcePort + " > " + destinationIp + "."
                + destinationPort;
    }
}
