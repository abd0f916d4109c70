package io.transitwatch.daemon.cli;

import io.transitwatch.daemon.sim.ClusterTopology;
import io.transitwatch.daemon.sim.Scenario;
import picocli.CommandLine.Option;

/**
 * Not thread-safe (picocli fills it once). The size of the simulated cluster and its traffic per
 * node, shared by {@code simulate} and {@code demo}: thousands of nodes at a low per-node rate.
 */
public final class ClusterSize {
    /** New connections per second and node when {@code --nodes} is given without a rate. */
    static final double DEFAULT_RATE_PER_NODE = 0.5;

    @Option(names = "--nodes", paramLabel = "N", defaultValue = "6",
            description = "Nodes of the simulated cluster: 6 (the seed cluster) to 16384; beyond 6 the same "
                    + "workloads plus spegel on every node. Default: ${DEFAULT-VALUE}")
    int nodes;

    @Option(names = "--rate-per-node", paramLabel = "R",
            description = "New connections per second per node (cluster-wide rate = R x nodes); with --nodes above 6 "
                    + "the default is " + DEFAULT_RATE_PER_NODE)
    Double ratePerNode;

    /** What is wrong with the options, or null. */
    String problem() {
        if (nodes < ClusterTopology.DEFAULT_NODES || nodes > ClusterTopology.MAX_NODES) {
            return "--nodes must be within " + ClusterTopology.DEFAULT_NODES + " .. " + ClusterTopology.MAX_NODES
                    + ", not " + nodes;
        }
        if (ratePerNode != null && !(ratePerNode >= 0)) {
            return "--rate-per-node must be >= 0, not " + ratePerNode;
        }
        return null;
    }

    /** The scenario with the cluster-wide rate this size asks for ({@code scenario}'s own for the seed cluster). */
    Scenario apply(Scenario scenario) {
        Double perNode = ratePerNode != null ? ratePerNode
                : nodes > ClusterTopology.DEFAULT_NODES ? DEFAULT_RATE_PER_NODE : null;
        return perNode == null ? scenario : scenario.toBuilder().connectionsPerSecond(perNode * nodes).build();
    }
}
