package io.transitwatch.daemon.sim;

/** The transport protocols the simulated workloads use, with their IANA numbers. */
public enum L4Protocol {
    TCP(6),
    UDP(17);

    private final int number;

    L4Protocol(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }
}
