package io.transitwatch.daemon.decode;

import static io.transitwatch.daemon.decode.ProtoReader.F1_LEN;
import static io.transitwatch.daemon.decode.ProtoReader.F1_VARINT;
import static io.transitwatch.daemon.decode.ProtoReader.F2_VARINT;
import static io.transitwatch.daemon.decode.ProtoReader.F3_LEN;
import static io.transitwatch.daemon.decode.ProtoReader.F4_LEN;
import static io.transitwatch.daemon.decode.ProtoReader.F5_LEN;
import static io.transitwatch.daemon.decode.ProtoReader.F6_LEN;

import io.transitwatch.daemon.handoff.NameCache;

/**
 * Single thread: belongs to one {@link FlowReader}, one for each side of a flow, and shares its
 * {@link ProtoReader}.
 *
 * <p>Reads a {@code flow.Endpoint} (id, identity, namespace, labels, pod name, workloads) into its
 * fields, which the flow reader copies into the event's source or destination. Names go through the
 * decoder's {@link NameCache}, shared by both sides: a pod is a source in one flow and a destination
 * in the next.
 */
final class EndpointReader {
    private final ProtoReader in;
    private final NameCache names;

    int id;
    int identity;
    int namespace;
    int pod;
    int workload;
    byte reservedLabels;

    EndpointReader(ProtoReader in, NameCache names) {
        this.in = in;
        this.names = names;
    }

    /** Reads the Endpoint spanning to {@code end}; absent fields read as 0. */
    void read(int end) {
        id = 0;
        identity = 0;
        namespace = 0;
        pod = 0;
        workload = 0;
        reservedLabels = 0;
        boolean workloadSeen = false;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_VARINT) {
                id = (int) in.readVarint(end);
            } else if (tag == F2_VARINT) {
                identity = (int) in.readVarint(end);
            } else if (tag == F3_LEN) {
                namespace = in.readInterned(end, names);
            } else if (tag == F5_LEN) {
                pod = in.readInterned(end, names);
            } else if (tag == F6_LEN && !workloadSeen) { // the first workload is the endpoint's own
                workload = readWorkloadName(in.readLengthDelimitedEnd(end));
                workloadSeen = true;
            } else if (tag == F4_LEN) {
                int labelEnd = in.readLengthDelimitedEnd(end);
                reservedLabels |= ReservedLabels.of(in.buf, in.pos, labelEnd - in.pos);
                in.pos = labelEnd;
            } else {
                in.skipField(tag, end);
            }
        }
    }

    private int readWorkloadName(int end) {
        int name = 0;
        while (in.pos < end) {
            int tag = in.readTag(end);
            if (tag == F1_LEN) {
                name = in.readInterned(end, names);
            } else {
                in.skipField(tag, end);
            }
        }
        return name;
    }
}
