package io.transitwatch.daemon.join;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.handoff.NodeEvent;
import org.junit.jupiter.api.Test;

class FlowClassifierTest {
    private final JoinConfig config = JoinConfig.defaults();
    private final JoinCounters counters = new JoinCounters(config.maxNodes(), config.maxPairs());
    private final FlowClassifier classifier = new FlowClassifier(config, counters);

    private static NodeEvent syn(int point, byte verdict) {
        NodeEvent flow = new NodeEvent();
        flow.kind = NodeEvent.FLOW;
        flow.ipVersion = 6;
        flow.protocol = NodeEvent.PROTO_TCP;
        flow.tcpFlags = NodeEvent.TCP_SYN;
        flow.traceReason = (byte) JoinConstants.TRACE_REASON_NEW;
        flow.observationPoint = (short) point;
        flow.verdict = verdict;
        return flow;
    }

    @Test
    void shouldTellDeparturesFromArrivalsByObservationPointAndVerdict() {
        byte forwarded = (byte) JoinConstants.VERDICT_FORWARDED;
        assertEquals(FlowClassifier.DEPARTURE, classifier.classify(syn(JoinConstants.POINT_TO_NETWORK, forwarded)));
        assertEquals(PacketKind.SYN, classifier.kind());
        assertEquals(FlowClassifier.DEPARTURE, classifier.classify(syn(JoinConstants.POINT_TO_OVERLAY, forwarded)));
        assertEquals(FlowClassifier.ARRIVAL, classifier.classify(syn(JoinConstants.POINT_TO_ENDPOINT, forwarded)));
        assertEquals(FlowClassifier.ARRIVAL, classifier.classify(syn(JoinConstants.POINT_TO_PROXY, forwarded)),
                "an ingress L7 policy hands the packet to the proxy: the destination reports it there, not to-endpoint");
        assertEquals(FlowClassifier.ARRIVAL, classifier.classify(syn(0, (byte) JoinConstants.VERDICT_DROPPED)),
                "a drop at the node is an arrival that was then dropped");
    }

    @Test
    void shouldCountWhatItIgnoresByReason() {
        NodeEvent noIp = syn(JoinConstants.POINT_TO_NETWORK, (byte) JoinConstants.VERDICT_FORWARDED);
        noIp.ipVersion = 0;
        NodeEvent fromEndpoint = syn(JoinConstants.POINT_FROM_ENDPOINT, (byte) JoinConstants.VERDICT_FORWARDED);
        NodeEvent fin = syn(JoinConstants.POINT_TO_NETWORK, (byte) JoinConstants.VERDICT_FORWARDED);
        fin.tcpFlags = (short) (NodeEvent.TCP_FIN | NodeEvent.TCP_ACK);

        assertEquals(FlowClassifier.IGNORED, classifier.classify(noIp));
        assertEquals(FlowClassifier.IGNORED, classifier.classify(fromEndpoint));
        assertEquals(FlowClassifier.IGNORED, classifier.classify(fin));
        counters.publish(); // as the engine does at the end of each batch and duty cycle
        assertEquals(1, counters.get(JoinCounters.Global.IGNORED_NO_IP));
        assertEquals(1, counters.get(JoinCounters.Global.IGNORED_OBSERVATION_POINT));
        assertEquals(1, counters.get(JoinCounters.Global.IGNORED_NOT_JOIN_SAFE), "FIN is not join-safe by default");
    }

    @Test
    void shouldExcludeDestinationsThatNeverReportAnArrival() {
        NodeEvent toWorld = syn(JoinConstants.POINT_TO_NETWORK, (byte) JoinConstants.VERDICT_FORWARDED);
        toWorld.dstIdentity = JoinConstants.IDENTITY_WORLD;
        NodeEvent toPod = syn(JoinConstants.POINT_TO_NETWORK, (byte) JoinConstants.VERDICT_FORWARDED);
        toPod.dstIdentity = 12345;

        assertEquals(true, classifier.isExcludedIdentity(toWorld));
        assertEquals(false, classifier.isExcludedIdentity(toPod));
        NodeEvent toApiServerCidr = syn(JoinConstants.POINT_TO_NETWORK, (byte) JoinConstants.VERDICT_FORWARDED);
        toApiServerCidr.dstIdentity = 16777217; // a node-local CIDR identity (hubble-api.md §10)
        assertEquals(true, classifier.isExcludedIdentity(toApiServerCidr));
    }
}
