package io.transitwatch.daemon.ingest;

import com.google.protobuf.FieldMask;
import io.transitwatch.proto.flow.EventTypeFilter;
import io.transitwatch.proto.flow.FlowFilter;
import io.transitwatch.proto.flow.TCPFlags;
import io.transitwatch.proto.observer.GetFlowsRequest;
import java.util.List;

/**
 * Thread-safe (stateless). The {@code GetFlowsRequest}s TransitWatch sends: follow mode, an
 * optional {@code since} for backfill, and (per {@link RequestProfile}) the server-side filters
 * and field mask of {@code shared/hubble-api.md} §6.3 and §1.8.
 */
final class FlowsRequests {
    /** Monitor message type of trace events, and the datapath sub-types of the points we join. */
    private static final int TRACE = 4;
    private static final int DROP = 1;
    private static final int TO_ENDPOINT = 0;
    private static final int TO_PROXY = 1;
    private static final int TO_STACK = 3;
    private static final int TO_OVERLAY = 4;
    private static final int TO_NETWORK = 11;

    /** Only the Flow fields the join reads; {@code time} and {@code node_name} are required by Relay's sorting. */
    static final List<String> FIELD_MASK = List.of("time", "uuid", "node_name", "verdict", "Type", "IP", "l4",
            "source.ID", "source.identity", "source.namespace", "source.pod_name", "source.workloads",
            "destination.ID", "destination.identity", "destination.namespace", "destination.pod_name",
            "destination.workloads", "event_type", "trace_observation_point", "trace_reason", "is_reply",
            "interface", "drop_reason_desc");

    private FlowsRequests() {}

    /**
     * @param sinceNanos node-clock epoch nanoseconds to resume from, or 0 to start at "now"
     */
    static GetFlowsRequest build(RequestProfile profile, long sinceNanos) {
        GetFlowsRequest.Builder request = GetFlowsRequest.newBuilder().setFollow(true);
        if (sinceNanos > 0) {
            request.setSince(com.google.protobuf.Timestamp.newBuilder()
                    .setSeconds(Math.floorDiv(sinceNanos, 1_000_000_000L))
                    .setNanos((int) Math.floorMod(sinceNanos, 1_000_000_000L)));
        }
        if (profile == RequestProfile.NO_FILTERS) {
            return request.build();
        }
        // ACK and PSH: each direction's first data segment (DESIGN §3.8), reported under the Helm default
        // monitor-aggregation-flags all; later segments only on Cilium's aggregation interval.
        request.addWhitelist(joinPoints().addTcpFlags(TCPFlags.newBuilder().setSYN(true))
                .addTcpFlags(TCPFlags.newBuilder().setFIN(true)).addTcpFlags(TCPFlags.newBuilder().setRST(true))
                .addTcpFlags(TCPFlags.newBuilder().setACK(true)).addTcpFlags(TCPFlags.newBuilder().setPSH(true)));
        // The first packet of a UDP/ICMP conntrack entry is not distinguishable server-side:
        // take UDP/ICMP at these points and keep trace_reason NEW client-side.
        request.addWhitelist(joinPoints().addProtocol("udp").addProtocol("icmp"));
        request.addWhitelist(FlowFilter.newBuilder().addEventType(EventTypeFilter.newBuilder().setType(DROP)));
        // No blacklist of host / world / API-server destinations: their round trips are judged on the
        // client's node (DESIGN §3.7).
        if (profile == RequestProfile.FULL) {
            request.setFieldMask(FieldMask.newBuilder().addAllPaths(FIELD_MASK));
        }
        return request.build();
    }

    private static FlowFilter.Builder joinPoints() {
        FlowFilter.Builder filter = FlowFilter.newBuilder();
        // TO_PROXY: where the destination reports a packet an ingress L7 policy hands to its proxy instead of
        // TO_ENDPOINT (hubble-api.md §2.2, bpf_lxc ipv4_policy); at the source it is ignored (same node).
        for (int point : new int[] {TO_NETWORK, TO_OVERLAY, TO_STACK, TO_ENDPOINT, TO_PROXY}) {
            filter.addEventType(EventTypeFilter.newBuilder().setType(TRACE).setMatchSubType(true).setSubType(point));
        }
        return filter;
    }
}
