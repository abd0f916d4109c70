package io.transitwatch.daemon.decode;

import static io.transitwatch.daemon.decode.ProtoReader.F1_VARINT;
import static io.transitwatch.daemon.decode.ProtoReader.F2_LEN;
import static io.transitwatch.daemon.decode.ProtoReader.F2_VARINT;
import static io.transitwatch.daemon.decode.ProtoReader.F3_LEN;
import static io.transitwatch.daemon.decode.ProtoReader.F4_LEN;
import static io.transitwatch.daemon.decode.ProtoReader.F5_LEN;
import static io.transitwatch.daemon.decode.ProtoReader.LEN;
import static io.transitwatch.daemon.decode.ProtoReader.tag;

import io.transitwatch.daemon.handoff.NameCache;
import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import java.util.Arrays;

/**
 * Single thread: one decoder per stream, used only by the thread that delivers that stream's
 * messages (its node-status results are valid until the next {@link #decode} call).
 *
 * <p>Decodes a serialized {@code observer.GetFlowsResponse} straight from its protobuf bytes into
 * the primitive fields of a {@link NodeEvent}, without building protobuf objects and without
 * allocating (a string is copied once, the first time the {@link StringDictionary} sees it).
 * Fields it does not need, and fields it does not know (Cilium 1.19's {@code emitter},
 * {@code ip_trace_id}, {@code aggregate}, {@code extensions}, anything newer), are skipped whatever
 * their wire type. The field numbers are those of the proto module's {@code flow/flow.proto},
 * {@code observer/observer.proto} and {@code relay/relay.proto} (Cilium v1.18.6).
 *
 * <p>A {@code node_status} message names several nodes: it cannot fill one slot, so the decoder
 * keeps its state, node ids and message ({@link #nodeStatusState()}, {@link #nodeStatusNodeCount()},
 * {@link #nodeStatusNode(int)}, {@link #nodeStatusMessage()}) and the relay stream publishes one
 * NODE_UP or NODE_DOWN slot per node.
 */
public final class FlowDecoder {
    /** {@link #decode} result: a flow was decoded into the event. */
    public static final int FLOW = 1;
    /** {@link #decode} result: a {@code lost_events} notice was decoded into the event. */
    public static final int LOST_EVENTS = 2;
    /** {@link #decode} result: a Relay {@code node_status}; see {@link #nodeStatusState()}. */
    public static final int NODE_STATUS = 3;
    /** {@link #decode} result: a valid message without any response type this daemon knows. */
    public static final int OTHER = 4;
    /** {@link #decode} result: not a valid message; the caller counts it and skips it. */
    public static final int MALFORMED = -1;

    // GetFlowsResponse
    private static final int RESPONSE_FLOW = tag(1, LEN);
    private static final int RESPONSE_NODE_STATUS = tag(2, LEN);
    private static final int RESPONSE_LOST_EVENTS = tag(3, LEN);
    private static final int RESPONSE_NODE_NAME = tag(1000, LEN);
    private static final int RESPONSE_TIME = tag(1001, LEN);

    /** Slots of the names cache: a node's pods, workloads and namespaces and those it talks to (64 KiB). */
    private static final int NAME_SLOTS = 1024;
    /** Slots of the node names cache: a relay stream names every node of the cluster. */
    private static final int NODE_NAME_SLOTS = 64;

    private final ProtoReader in = new ProtoReader();
    private final FlowReader flows;
    private final NameCache names;
    private final NameCache nodeNames;

    private int statusState;
    private int statusMessage;
    private int statusNodeCount;
    private int[] statusNodes = new int[16];

    public FlowDecoder(StringDictionary dictionary) {
        this.names = new NameCache(dictionary, NAME_SLOTS, false);
        this.nodeNames = new NameCache(dictionary, NODE_NAME_SLOTS, true);
        this.flows = new FlowReader(in, names, nodeNames);
    }

    /**
     * Decodes one {@code GetFlowsResponse} of {@code length} bytes at {@code offset}.
     *
     * @param event cleared, then filled for {@link #FLOW} and {@link #LOST_EVENTS}; for
     *     {@link #NODE_STATUS} only {@code node} (the response's node, usually absent) and
     *     {@code timeNanos} are set
     * @return {@link #FLOW}, {@link #LOST_EVENTS}, {@link #NODE_STATUS}, {@link #OTHER} or
     *     {@link #MALFORMED}; never throws on bad input
     */
    public int decode(byte[] buffer, int offset, int length, NodeEvent event) {
        event.clear();
        statusNodeCount = 0;
        in.reset(buffer, offset);
        try {
            return readResponse(offset + length, event);
        } catch (MalformedMessageException | ArrayIndexOutOfBoundsException e) {
            event.clear();
            return MALFORMED;
        }
    }

    /** {@code relay.NodeState} number of the last {@link #NODE_STATUS} decoded. */
    public int nodeStatusState() {
        return statusState;
    }

    /** Number of node names in the last {@link #NODE_STATUS} decoded. */
    public int nodeStatusNodeCount() {
        return statusNodeCount;
    }

    /** Dictionary id of the {@code index}-th node name of the last {@link #NODE_STATUS}. */
    public int nodeStatusNode(int index) {
        if (index >= statusNodeCount) {
            throw new IndexOutOfBoundsException(index);
        }
        return statusNodes[index];
    }

    /** Dictionary id of the message of the last {@link #NODE_STATUS}, 0 when empty. */
    public int nodeStatusMessage() {
        return statusMessage;
    }

    private int readResponse(int end, NodeEvent event) {
        int result = OTHER;
        int responseNode = 0;
        long responseTime = 0;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == RESPONSE_FLOW) {
                flows.readFlow(in.readLengthDelimitedEnd(end), event);
                result = FLOW;
            } else if (tag == RESPONSE_LOST_EVENTS) {
                readLostEvent(in.readLengthDelimitedEnd(end), event);
                result = LOST_EVENTS;
            } else if (tag == RESPONSE_NODE_STATUS) {
                readNodeStatus(in.readLengthDelimitedEnd(end));
                result = NODE_STATUS;
            } else if (tag == RESPONSE_NODE_NAME && event.node == 0) {
                // Only when the flow (field 1, written first) did not name its node: saves a lookup per flow.
                responseNode = in.readInterned(end, nodeNames);
            } else if (tag == RESPONSE_TIME) {
                responseTime = in.readTimestamp(in.readLengthDelimitedEnd(end));
            } else {
                in.skipField(tag, end);
            }
        }
        // The flow's own node name and time win; the response-level copies cover lost events.
        if (event.node == 0) {
            event.node = responseNode;
        }
        if (event.timeNanos == 0) {
            event.timeNanos = responseTime;
        }
        event.kind = result == FLOW ? NodeEvent.FLOW : result == LOST_EVENTS ? NodeEvent.LOST_EVENTS : 0;
        return result;
    }

    private void readLostEvent(int end, NodeEvent e) {
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                long source = in.readVarint(end);
                // numbers past Cilium's few are read as unknown: the ingest's own reports use 64 and up
                e.lostSource = source < NodeEvent.LOST_SOURCE_EVENTS_RATE_LIMIT ? (byte) source : 0;
            } else if (tag == F2_VARINT) {
                e.lostCount = in.readVarint(end);
            } else if (tag == F3_LEN) {
                e.lostCpu = in.readInt32Value(in.readLengthDelimitedEnd(end));
            } else if (tag == F4_LEN) {
                e.lostFirstNanos = in.readTimestamp(in.readLengthDelimitedEnd(end));
            } else if (tag == F5_LEN) {
                e.lostLastNanos = in.readTimestamp(in.readLengthDelimitedEnd(end));
            } else {
                in.skipField(tag, end);
            }
        }
    }

    private void readNodeStatus(int end) {
        statusState = 0;
        statusMessage = 0;
        statusNodeCount = 0;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                statusState = (int) in.readVarint(end);
            } else if (tag == F2_LEN) {
                addStatusNode(in.readInterned(end, nodeNames));
            } else if (tag == F3_LEN) {
                statusMessage = in.readInterned(end, names);
            } else {
                in.skipField(tag, end);
            }
        }
    }

    private void addStatusNode(int node) {
        if (statusNodeCount == statusNodes.length) {
            statusNodes = Arrays.copyOf(statusNodes, statusNodes.length * 2); // rare: grows to the cluster size once
        }
        statusNodes[statusNodeCount++] = node;
    }
}
