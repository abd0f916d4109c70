package io.transitwatch.daemon.sim.hubble;

import com.google.protobuf.FieldMask;
import com.google.protobuf.util.FieldMaskUtil;
import io.grpc.Status;
import io.grpc.StatusException;
import io.transitwatch.daemon.sim.FieldMaskSupport;
import io.transitwatch.proto.flow.Flow;
import io.transitwatch.proto.observer.GetFlowsRequest;
import io.transitwatch.proto.observer.GetFlowsResponse;

/**
 * Immutable, thread-safe. A validated {@code GetFlowsRequest}: where to start, when to stop, which
 * flows pass and which fields of them are sent. Relay forwards the same query to every node.
 */
public final class FlowQuery {
    private final boolean follow;
    private final boolean first;
    private final long number;
    private final long sinceNanos;
    private final long untilNanos;
    private final FlowFilterMatcher filters;
    private final FieldMask fieldMask;

    private FlowQuery(GetFlowsRequest request, FlowFilterMatcher filters, FieldMask fieldMask) {
        this.follow = request.getFollow();
        this.first = request.getFirst();
        this.number = request.getNumber();
        this.sinceNanos = request.hasSince() ? Timestamps.nanos(request.getSince()) : Long.MIN_VALUE;
        this.untilNanos = request.hasUntil() ? Timestamps.nanos(request.getUntil()) : Long.MAX_VALUE;
        this.filters = filters;
        this.fieldMask = fieldMask;
    }

    /** Validates like Hubble does; the exception carries the gRPC status to fail the call with. */
    public static FlowQuery parse(GetFlowsRequest request, FieldMaskSupport support) throws StatusException {
        if (request.getFirst() && request.getFollow()) {
            throw Status.INVALID_ARGUMENT.withDescription("first cannot be specified with follow").asException();
        }
        FlowFilterMatcher filters = FlowFilterMatcher.of(request.getWhitelistList(), request.getBlacklistList());
        return new FlowQuery(request, filters, fieldMask(request, support));
    }

    private static FieldMask fieldMask(GetFlowsRequest request, FieldMaskSupport support) throws StatusException {
        boolean topLevel = request.getFieldMask().getPathsCount() > 0;
        boolean experimental = request.getExperimental().getFieldMask().getPathsCount() > 0;
        if ((topLevel && support != FieldMaskSupport.FULL) || (experimental && support == FieldMaskSupport.NONE)) {
            throw Status.INVALID_ARGUMENT.withDescription("field mask not supported by this server").asException();
        }
        FieldMask mask = topLevel ? request.getFieldMask() : experimental ? request.getExperimental().getFieldMask() : null;
        if (mask != null && !FieldMaskUtil.isValid(Flow.class, mask)) {
            throw Status.INVALID_ARGUMENT.withDescription("invalid fieldmask: " + mask.getPathsList()).asException();
        }
        return mask;
    }

    public boolean follow() {
        return follow;
    }

    boolean first() {
        return first;
    }

    public long number() {
        return number;
    }

    boolean hasSince() {
        return sinceNanos != Long.MIN_VALUE;
    }

    long sinceNanos() {
        return sinceNanos;
    }

    long untilNanos() {
        return untilNanos;
    }

    boolean includes(Flow flow) {
        return filters.includes(flow);
    }

    /**
     * The response as sent: the flow reduced to the mask, and the response's {@code time} and
     * {@code node_name} taken from the masked flow, as Hubble does (so a mask without them empties them).
     */
    GetFlowsResponse present(GetFlowsResponse response) {
        if (fieldMask == null || !response.hasFlow()) {
            return response;
        }
        Flow.Builder masked = Flow.newBuilder();
        FieldMaskUtil.merge(fieldMask, response.getFlow(), masked);
        GetFlowsResponse.Builder out = GetFlowsResponse.newBuilder().setFlow(masked).setNodeName(masked.getNodeName());
        if (masked.hasTime()) {
            out.setTime(masked.getTime());
        }
        return out.build();
    }
}
