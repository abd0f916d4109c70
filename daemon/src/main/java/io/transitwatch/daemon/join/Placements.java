package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.topology.Topology;

/**
 * Single-threaded: used by the join thread only.
 *
 * <p>Where pods live, learned from every flow (DESIGN §3.4): an endpoint local to the observing node
 * ({@code Endpoint.ID != 0}: the source of a departure, the destination delivered {@code
 * to-endpoint}) is placed on that node; a named remote endpoint only lends its names. This is what
 * resolves a departure's destination to a node when no pod CIDR covers it.
 */
final class Placements {
    private final Topology topology;

    Placements(Topology topology) {
        this.topology = topology;
    }

    void learn(NodeEvent flow) {
        if (flow.ipVersion == 0) {
            return;
        }
        boolean forwarded = flow.verdict == JoinConstants.VERDICT_FORWARDED;
        if (forwarded && flow.observationPoint == JoinConstants.POINT_TO_ENDPOINT && flow.dstEndpointId != 0) {
            topology.learn(flow.dstHi, flow.dstLo, flow.node, flow.dstNamespace, flow.dstPod, flow.dstWorkload,
                    flow.dstIdentity);
        } else if (flow.dstPod != 0) {
            topology.learn(flow.dstHi, flow.dstLo, 0, flow.dstNamespace, flow.dstPod, flow.dstWorkload,
                    flow.dstIdentity);
        }
        if (flow.srcEndpointId != 0) {
            topology.learn(flow.srcHi, flow.srcLo, flow.node, flow.srcNamespace, flow.srcPod, flow.srcWorkload,
                    flow.srcIdentity);
        } else if (flow.srcPod != 0) {
            topology.learn(flow.srcHi, flow.srcLo, 0, flow.srcNamespace, flow.srcPod, flow.srcWorkload,
                    flow.srcIdentity);
        }
    }
}
