package io.transitwatch.daemon.sim;

/**
 * Immutable. One Kubernetes node of the simulated cluster: its addresses, its share of the pod
 * CIDRs and the name its Hubble server presents over TLS.
 *
 * @param index        position in node order (0-based); also the node's pod-CIDR subnet number
 * @param podCidrV4    this node's IPv4 pod CIDR, e.g. {@code 10.101.226.0/24}
 * @param podCidrV6    this node's IPv6 pod CIDR, e.g. {@code fd00:101:224:2::/64}
 * @param uplink       the interface BPF host routing sends cross-node traffic out of
 */
public record SimNode(
        String name,
        int index,
        boolean controlPlane,
        String ipv4,
        String ipv6,
        String podCidrV4,
        String podCidrV6,
        String tlsServerName,
        NetworkInterfaceName uplink) {

    /** The node's address of the given family (used as the SNAT source and by host-network peers). */
    public String ip(IpFamily family) {
        return family == IpFamily.IPV4 ? ipv4 : ipv6;
    }

    /** Name and ifindex of a network device, as Hubble reports it in {@code Flow.interface}. */
    public record NetworkInterfaceName(String name, int index) {}
}
