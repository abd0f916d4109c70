package io.transitwatch.daemon.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Immutable. What the simulated cluster does: a name, the seed that makes its traffic repeatable,
 * the rate of new connections, the agents' monitor aggregation flags and the faults injected. Named
 * presets come from {@link ScenarioPresets}; {@link #builder()} builds any other combination.
 *
 * @param connectionsPerSecond new connections per second, cluster-wide, on top of the steady
 *                             kustomize-controller → source-controller polling (5/s per family)
 * @param monitorFlags         what every simulated agent reports as new TCP flags (default: the agent's
 *                             {@code syn,fin,rst}); the demo tells the daemon the same
 */
public record Scenario(String name, long seed, double connectionsPerSecond, MonitorFlags monitorFlags,
        List<Fault> faults) {
    public static final long DEFAULT_SEED = 20260211L;
    public static final double DEFAULT_RATE = 100.0;

    public Scenario {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(monitorFlags, "monitorFlags");
        if (!(connectionsPerSecond >= 0.0)) {
            throw new IllegalArgumentException("connectionsPerSecond must be >= 0: " + connectionsPerSecond);
        }
        faults = List.copyOf(faults);
    }

    /** The named preset, e.g. {@code "seed"}; see {@link ScenarioPresets#names()}. */
    public static Scenario preset(String name) {
        return ScenarioPresets.get(name);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from this scenario, to override the seed, rate or faults. */
    public Builder toBuilder() {
        return new Builder().name(name).seed(seed).connectionsPerSecond(connectionsPerSecond)
                .monitorFlags(monitorFlags).faults(faults);
    }

    /** The faults of one kind, in declaration order. */
    public <F extends Fault> List<F> faults(Class<F> kind) {
        return faults.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** The clock offset of {@code node} (sum of its {@link Fault.ClockSkew}s), in nanoseconds. */
    public long clockSkewNanos(String node) {
        return faults(Fault.ClockSkew.class).stream().filter(s -> s.node().equals(node))
                .mapToLong(s -> s.offset().toNanos()).sum();
    }

    /** Not thread-safe. */
    public static final class Builder {
        private String name = "custom";
        private long seed = DEFAULT_SEED;
        private double connectionsPerSecond = DEFAULT_RATE;
        private MonitorFlags monitorFlags = MonitorFlags.SYN_FIN_RST;
        private final List<Fault> faults = new ArrayList<>();

        private Builder() {}

        public Builder name(String name) {
            this.name = name;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder connectionsPerSecond(double rate) {
            this.connectionsPerSecond = rate;
            return this;
        }

        public Builder monitorFlags(MonitorFlags flags) {
            this.monitorFlags = flags;
            return this;
        }

        public Builder fault(Fault fault) {
            faults.add(Objects.requireNonNull(fault, "fault"));
            return this;
        }

        /** Replaces the fault list. */
        public Builder faults(List<Fault> newFaults) {
            faults.clear();
            newFaults.forEach(this::fault);
            return this;
        }

        public Scenario build() {
            return new Scenario(name, seed, connectionsPerSecond, monitorFlags, faults);
        }
    }
}
