package io.transitwatch.daemon.sim.traffic;

import io.transitwatch.daemon.sim.IpFamily;
import io.transitwatch.daemon.sim.L4Protocol;

/**
 * Immutable. One packet as a trace point sees it: addresses and ports from its headers there, and
 * what Cilium knows about the endpoints. The sending node sees the pre-SNAT source with the
 * post-SNAT address in {@code xlatedSourceIp} (hubble-api.md §4.1); the receiving node sees the
 * on-wire source, and a reply after reverse SNAT. A service's reply delivered to its client after
 * bpf_lxc's reverse NAT carries the backend as source and the service address in
 * {@code xlatedSourceIp} (hubble-api.md §4.1, §4.2), with the frontend port.
 *
 * @param xlatedSourceIp the on-wire source after SNAT, or the service address of a reverse-NATed reply, or {@code null}
 * @param sourcePort     the source port in the header at the trace point (post-SNAT on the sending node)
 */
record PacketView(IpFamily family, L4Protocol protocol, int tcpFlags, String sourceIp, String xlatedSourceIp,
        int sourcePort, String destinationIp, int destinationPort, Peer source, Peer destination) {}
