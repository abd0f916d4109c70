package io.transitwatch.daemon.sim;

/**
 * Immutable. The simulated agents' {@code monitor-aggregation-flags} (hubble-api.md §3.1-§3.3): which
 * TCP flags count as new information for a conntrack entry's direction, so that the first packet
 * carrying one is reported on both nodes.
 */
public enum MonitorFlags {
    /** The agent's own default: SYN, FIN and RST only; an ACK or PSH segment is reported only on the 5 s interval. */
    SYN_FIN_RST("syn,fin,rst"),
    /** Cilium's Helm default ({@code bpf.monitorFlags: all}): also each direction's first ACK and first PSH segment (DESIGN §3.8). */
    ALL("all");

    private final String configValue;

    MonitorFlags(String configValue) {
        this.configValue = configValue;
    }

    /** The value as Cilium and {@code join.monitor-aggregation-flags} spell it. */
    public String configValue() {
        return configValue;
    }

    /** Whether the first ACK-only and first PSH segment of each direction are reported. */
    public boolean reportsFirstData() {
        return this == ALL;
    }
}
