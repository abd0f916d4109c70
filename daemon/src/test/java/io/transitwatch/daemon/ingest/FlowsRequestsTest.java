package io.transitwatch.daemon.ingest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.proto.flow.EventTypeFilter;
import io.transitwatch.proto.flow.FlowFilter;
import io.transitwatch.proto.observer.GetFlowsRequest;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** What the ingest asks Hubble for: the trace points of the join, including where an ingress proxy takes a packet. */
class FlowsRequestsTest {
    private static final int TRACE = 4;

    @Test
    void shouldAskForEveryTracePointWhereANodeReportsAPacketSentOrArrived() {
        GetFlowsRequest request = FlowsRequests.build(RequestProfile.FULL, 0);
        for (FlowFilter filter : request.getWhitelistList().subList(0, 2)) {
            Set<Integer> traceSubTypes = filter.getEventTypeList().stream()
                    .filter(type -> type.getType() == TRACE && type.getMatchSubType())
                    .map(EventTypeFilter::getSubType).collect(Collectors.toSet());
            // datapath points: 0 to-endpoint, 1 to-proxy (an ingress L7 policy), 3 to-stack, 4 to-overlay, 11 to-network
            assertEquals(Set.of(0, 1, 3, 4, 11), traceSubTypes, filter.toString());
        }
    }

    @Test
    void shouldAskForEverythingWhenTheServerCannotFilter() {
        assertEquals(0, FlowsRequests.build(RequestProfile.NO_FILTERS, 0).getWhitelistCount());
    }
}
