package io.transitwatch.daemon.sim;

import io.transitwatch.proto.flow.IPVersion;

/** An address family; IPv4 and IPv6 connections between the same pods are independent. */
public enum IpFamily {
    IPV4(IPVersion.IPv4),
    IPV6(IPVersion.IPv6);

    private final IPVersion wire;

    IpFamily(IPVersion wire) {
        this.wire = wire;
    }

    /** The value Hubble puts into {@code IP.ipVersion}. */
    public IPVersion ipVersion() {
        return wire;
    }
}
