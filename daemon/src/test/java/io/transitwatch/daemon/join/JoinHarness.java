package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.topology.DiscoverySnapshot;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.NodeAddresses;
import io.transitwatch.daemon.topology.PrefixTable;
import io.transitwatch.daemon.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drives a {@link JoinEngine} by hand: three nodes a, b, c with IPv4 and IPv6 pod CIDRs, events
 * built field by field, and every verdict recorded as a readable string.
 */
public final class JoinHarness {
    public static final long T0 = 1_700_000_000_000_000_000L;
    public static final long MS = 1_000_000L;
    public static final long S = 1_000 * MS;

    public final StringDictionary dictionary;
    public final Topology topology;
    final RecordingListener verdicts;
    public final JoinCounters counters;
    public final JoinEngine engine;
    private final NodeEvent event = new NodeEvent();

    JoinHarness() {
        this(JoinConfig.defaults().withCapacities(1024, 1024, 256));
    }

    JoinHarness(JoinConfig config) {
        this(config, null);
    }

    /** A harness whose verdicts go to {@code listener} (made from the harness's dictionary and topology). */
    public JoinHarness(JoinConfig config, java.util.function.BiFunction<StringDictionary, Topology, VerdictListener> listener) {
        this(new StringDictionary(1024), config, listener);
    }

    /** A harness over {@code dictionary} (node names are pinned in it, as the decoder does). */
    public JoinHarness(StringDictionary dictionary, JoinConfig config,
            java.util.function.BiFunction<StringDictionary, Topology, VerdictListener> listener) {
        this.dictionary = dictionary;
        this.verdicts = new RecordingListener(dictionary);
        topology = new Topology(Map.of(
                "a", List.of(IpPrefix.parse("10.0.1.0/24"), IpPrefix.parse("fd00:1::/64")),
                "b", List.of(IpPrefix.parse("10.0.2.0/24"), IpPrefix.parse("fd00:2::/64")),
                "c", List.of(IpPrefix.parse("10.0.3.0/24"), IpPrefix.parse("fd00:3::/64"))),
                dictionary::pin, 10_000, Duration.ofMinutes(10));
        counters = new JoinCounters(config.maxNodes(), config.maxPairs());
        engine = new JoinEngine(config, topology, listener == null ? verdicts : listener.apply(dictionary, topology),
                counters);
    }

    /** Streams of a, b and c connected at T0, each having delivered a first event. */
    public JoinHarness allUp() {
        for (String node : List.of("a", "b", "c")) {
            up(node, T0, false);
            unjoinableEvent(node, T0);
        }
        return this;
    }

    /** A new snapshot of the nodes' own addresses, handed over as the ingest does (a NODE_ADDRESSES event). */
    public void nodeAddresses(io.transitwatch.daemon.topology.NodeAddresses snapshot) {
        event.clear();
        event.kind = NodeEvent.NODE_ADDRESSES;
        event.nodeAddresses = snapshot;
        engine.onEvent(event, true);
    }

    /**
     * An event of {@code node} that tells the join only that the node's stream delivers (a flow
     * without an IP layer, which it ignores).
     */
    public void unjoinableEvent(String node, long nodeTime) {
        unjoinableEvent(node, nodeTime, nodeTime);
    }

    /** As above, received at {@code receivedNanos} (a backfilled event comes later than its own time). */
    public void unjoinableEvent(String node, long nodeTime, long receivedNanos) {
        event.clear();
        event.kind = NodeEvent.FLOW;
        event.node = dictionary.pin(node);
        event.timeNanos = nodeTime;
        event.receivedNanos = receivedNanos;
        deliver(receivedNanos);
    }

    public void up(String node, long now, boolean backfilled) {
        up(node, now, backfilled, 0);
    }

    /** A NODE_UP whose backfill re-reads from node-clock {@code resumedFromNanos} (0 unknown). */
    public void up(String node, long now, boolean backfilled, long resumedFromNanos) {
        health(node, NodeEvent.NODE_UP, now);
        event.backfilled = backfilled;
        event.resumedFromNanos = resumedFromNanos;
        deliver(now);
    }

    /** The node's stream down, as a replayed capture says it: only the node's later events show it back. */
    public void down(String node, long now) {
        health(node, NodeEvent.NODE_DOWN, now);
        deliver(now);
    }

    /** The node's stream down, as the live ingest says it: a NODE_UP ({@link #up}) will say it is back. */
    public void streamDown(String node, long now) {
        health(node, NodeEvent.NODE_DOWN, now);
        event.upAnnounced = true;
        deliver(now);
    }

    void lostEvents(String node, long nodeTime, long count, long now) {
        health(node, NodeEvent.LOST_EVENTS, nodeTime);
        event.lostCount = count;
        event.lostSource = 1;
        deliver(now);
    }

    /** The ingest's report that {@code node} may have dropped events unreported (its events rate limit), daemon clock. */
    void rateLimited(String node, long from, long to, long now) {
        health(node, NodeEvent.LOST_EVENTS, now);
        event.lostSource = NodeEvent.LOST_SOURCE_EVENTS_RATE_LIMIT;
        event.lostCpu = NodeEvent.CPU_UNKNOWN;
        event.lostFirstNanos = from;
        event.lostLastNanos = to;
        deliver(now);
    }

    /** The ingest has judged {@code node}'s events rate limit up to {@code through} (daemon clock). */
    void eventsCounted(String node, long through, long now) {
        health(node, NodeEvent.EVENTS_COUNTED, now);
        event.timeNanos = through;
        deliver(now);
    }

    void gap(String node, long from, long to, long now) {
        health(node, NodeEvent.GAP, now);
        event.gapStartNanos = from;
        event.gapEndNanos = to;
        deliver(now);
    }

    /** Delivers a discovery snapshot that places nothing and says which nodes emit no trace events. */
    public void blindNodes(String... nodes) {
        calibrateNodes(List.of(nodes), List.of());
    }

    /**
     * Delivers a discovery snapshot that places nothing and calibrates nodes: {@code blind} emit no trace
     * events, {@code egressTwice} report a packet leaving twice (monitor aggregation below medium).
     */
    public void calibrateNodes(List<String> blind, List<String> egressTwice) {
        discover(DiscoverySnapshot.empty(), NodeAddresses.EMPTY, DiscoverySnapshot.empty(), blind, egressTwice);
    }

    /** Delivers a discovery snapshot whose CiliumEndpoints place these pod addresses on {@code node}, and no others. */
    public void discoverPods(String node, String... ips) {
        List<IpPrefix> pods = java.util.Arrays.stream(ips).map(IpPrefix::parse).toList();
        PrefixTable endpoints = new PrefixTable(pods, java.util.Collections.nCopies(pods.size(), dictionary.pin(node)));
        discover(endpoints, NodeAddresses.EMPTY, DiscoverySnapshot.empty(), List.of(), List.of());
    }

    /** Delivers a discovery snapshot that places nothing and lists the API server's addresses. */
    public void discoverApiServer(String... addresses) {
        discover(DiscoverySnapshot.empty(), NodeAddresses.EMPTY,
                DiscoverySnapshot.addressSet(java.util.Arrays.stream(addresses).map(IpPrefix::parse).toList()),
                List.of(), List.of());
    }

    /** Delivers a discovery snapshot that places nothing and has these node addresses (from Kubernetes). */
    public void discoverNodeAddresses(Map<String, List<IpPrefix>> addresses) {
        discover(DiscoverySnapshot.empty(), NodeAddresses.of(addresses, dictionary::pin), DiscoverySnapshot.empty(),
                List.of(), List.of());
    }

    private void discover(PrefixTable endpointIps, NodeAddresses nodeAddresses, PrefixTable apiServers,
            List<String> blind, List<String> egressTwice) {
        event.clear();
        event.kind = NodeEvent.DISCOVERY;
        PrefixTable none = DiscoverySnapshot.empty();
        event.discovery = new DiscoverySnapshot(endpointIps, none, none, nodeAddresses, apiServers, java.util.Set.of(),
                DiscoverySnapshot.UNKNOWN, ids(blind), ids(egressTwice), java.util.Map.of(), 1);
        engine.onEvent(event, true);
    }

    private java.util.Set<Integer> ids(List<String> nodes) {
        java.util.Set<Integer> ids = new java.util.HashSet<>();
        nodes.forEach(node -> ids.add(dictionary.pin(node)));
        return ids;
    }

    /** A SYN (or other kind) leaving {@code node} at TO_NETWORK. */
    public Flow departure(String node, String src, int srcPort, String dst, int dstPort) {
        return new Flow(node, JoinConstants.POINT_TO_NETWORK, src, srcPort, dst, dstPort);
    }

    /** A SYN (or other kind) leaving {@code node} at egress point {@code point} (TO_STACK, TO_OVERLAY, ...). */
    public Flow departureAt(int point, String node, String src, int srcPort, String dst, int dstPort) {
        return new Flow(node, point, src, srcPort, dst, dstPort);
    }

    /** The same packet delivered at TO_ENDPOINT of {@code node}. */
    public Flow arrival(String node, String src, int srcPort, String dst, int dstPort) {
        return new Flow(node, JoinConstants.POINT_TO_ENDPOINT, src, srcPort, dst, dstPort);
    }

    /** The same packet handed to the proxy of an ingress L7 policy at {@code node} (TO_PROXY). */
    public Flow arrivalAtProxy(String node, String src, int srcPort, String dst, int dstPort) {
        return new Flow(node, JoinConstants.POINT_TO_PROXY, src, srcPort, dst, dstPort);
    }

    public int advance(long now) {
        return engine.advance(now, true, Integer.MAX_VALUE);
    }

    private void health(String node, byte kind, long time) {
        event.clear();
        event.kind = kind;
        event.node = dictionary.pin(node);
        event.timeNanos = time;
        event.receivedNanos = time;
    }

    private void deliver(long now) {
        engine.setTime(now);
        engine.onEvent(event, true);
    }

    static long[] ip(String text) {
        IpPrefix host = IpPrefix.parse(text);
        return new long[] {host.hi(), host.lo()};
    }

    /** Builder of one flow event; {@link #at} delivers it. */
    public final class Flow {
        private final String node;
        private final int point;
        private final String src;
        private final int srcPort;
        private final String dst;
        private final int dstPort;
        private short flags = NodeEvent.TCP_SYN;
        private byte protocol = NodeEvent.PROTO_TCP;
        private int traceReason = JoinConstants.TRACE_REASON_NEW;
        private int verdict = JoinConstants.VERDICT_FORWARDED;
        private int dstIdentity = 12345;
        private int srcIdentity = 4242;
        private boolean sourceIsEndpoint = true;
        private byte dstLabels;
        private int dropReason;
        private String xlated;
        private long receiveDelay;
        private boolean backfilled;
        private String[] sourceNames = {"", "", ""};
        private String[] destinationNames = {"", "", ""};

        Flow(String node, int point, String src, int srcPort, String dst, int dstPort) {
            this.node = node;
            this.point = point;
            this.src = src;
            this.srcPort = srcPort;
            this.dst = dst;
            this.dstPort = dstPort;
        }

        public Flow synAck() {
            flags = (short) (NodeEvent.TCP_SYN | NodeEvent.TCP_ACK);
            traceReason = JoinConstants.TRACE_REASON_REPLY;
            return this;
        }

        public Flow udp() {
            protocol = NodeEvent.PROTO_UDP;
            flags = 0;
            return this;
        }

        /** An ICMPv4 echo request, the first of its conntrack entry (Hubble shows no echo identifier). */
        public Flow echoRequest() {
            protocol = NodeEvent.PROTO_ICMPV4;
            flags = 0;
            return this;
        }

        public Flow fin() {
            flags = (short) (NodeEvent.TCP_FIN | NodeEvent.TCP_ACK);
            traceReason = JoinConstants.TRACE_REASON_ESTABLISHED;
            return this;
        }

        /** A TCP RST answering a connection attempt (a refusal), delivered as a reply. */
        public Flow rst() {
            flags = (short) (NodeEvent.TCP_RST | NodeEvent.TCP_ACK);
            traceReason = JoinConstants.TRACE_REASON_REPLY;
            return this;
        }

        /** A TCP segment with {@code tcpFlags} on an established connection (first data or an interval report). */
        public Flow segment(int tcpFlags) {
            flags = (short) tcpFlags;
            traceReason = JoinConstants.TRACE_REASON_ESTABLISHED;
            return this;
        }

        /** Reported with {@code trace_reason} REPLY (a UDP response, say). */
        public Flow reply() {
            traceReason = JoinConstants.TRACE_REASON_REPLY;
            return this;
        }

        /** Reported with {@code trace_reason} ESTABLISHED: a packet of a conntrack entry the node has already. */
        public Flow established() {
            traceReason = JoinConstants.TRACE_REASON_ESTABLISHED;
            return this;
        }

        public Flow retransmission() {
            traceReason = JoinConstants.TRACE_REASON_ESTABLISHED;
            return this;
        }

        /**
         * Reported without {@code trace_reason}, as the points that report every packet report it (bpf_host's
         * to-overlay of host and proxy connections, hubble-api.md §2.3 e), and every point before Cilium 1.16.
         */
        public Flow withoutTraceReason() {
            traceReason = JoinConstants.TRACE_REASON_UNKNOWN;
            return this;
        }

        public Flow dropped(int reason) {
            verdict = JoinConstants.VERDICT_DROPPED;
            dropReason = reason;
            return this;
        }

        public Flow fromIdentity(int identity) {
            srcIdentity = identity;
            return this;
        }

        /**
         * Sent by a process with no endpoint on the node: {@code Endpoint.ID} is 0 even at TO_NETWORK (the
         * host stack, or an L7 proxy's upstream connection, which keeps its client pod's identity).
         */
        public Flow fromOutsideAnyEndpoint() {
            sourceIsEndpoint = false;
            return this;
        }

        public Flow toIdentity(int identity) {
            dstIdentity = identity;
            return this;
        }

        /** The destination's {@code reserved:} labels as the decoder reports them ({@code NodeEvent.LABEL_*} bits). */
        public Flow toLabels(int reservedLabels) {
            dstLabels = (byte) reservedLabels;
            return this;
        }

        public Flow snatTo(String onWireSource) {
            xlated = onWireSource;
            return this;
        }

        /** Names Hubble gives the source endpoint: namespace, pod, workload. */
        public Flow from(String namespace, String pod, String workload) {
            sourceNames = new String[] {namespace, pod, workload};
            return this;
        }

        /** Names Hubble gives the destination endpoint: namespace, pod, workload. */
        public Flow to(String namespace, String pod, String workload) {
            destinationNames = new String[] {namespace, pod, workload};
            return this;
        }

        /** The daemon receives the event this long after its node-local time. */
        public Flow receivedAfter(long nanos) {
            receiveDelay = nanos;
            return this;
        }

        /**
         * Re-read from Hubble's ring after a reconnect: the join gets it later than it happened, but
         * its receive time is its own, so that clock estimation does not see the delay (for models
         * with ideal clocks).
         */
        public Flow backfilled() {
            backfilled = true;
            return this;
        }

        /** Delivers the event with node-local time {@code nodeTime}; the daemon's clock is nodeTime + delay. */
        public void at(long nodeTime) {
            atWithNow(nodeTime, nodeTime + receiveDelay);
        }

        public void atWithNow(long nodeTime, long now) {
            event.clear();
            event.kind = NodeEvent.FLOW;
            event.node = dictionary.pin(node);
            event.timeNanos = nodeTime;
            event.receivedNanos = backfilled ? nodeTime : now;
            event.verdict = (byte) verdict;
            event.observationPoint = (short) point;
            event.traceReason = (byte) traceReason;
            long[] s = ip(src);
            long[] d = ip(dst);
            event.ipVersion = (byte) (src.contains(":") ? 6 : 4);
            event.srcHi = s[0];
            event.srcLo = s[1];
            event.dstHi = d[0];
            event.dstLo = d[1];
            if (xlated != null) {
                long[] x = ip(xlated);
                event.hasXlated = true;
                event.xlatedHi = x[0];
                event.xlatedLo = x[1];
            }
            event.protocol = protocol;
            event.srcPort = srcPort;
            event.dstPort = dstPort;
            event.tcpFlags = protocol == NodeEvent.PROTO_TCP ? flags : 0;
            event.icmpType = protocol == NodeEvent.PROTO_ICMPV4 ? 8 : 0; // an echo request
            event.dstIdentity = dstIdentity;
            event.srcIdentity = srcIdentity;
            event.dstReservedLabels = dstLabels;
            event.dropReason = dropReason;
            event.eventType = verdict == JoinConstants.VERDICT_DROPPED ? 1 : 4;
            boolean egress = point == JoinConstants.POINT_TO_NETWORK || point == JoinConstants.POINT_TO_OVERLAY
                    || point == JoinConstants.POINT_TO_STACK;
            event.srcEndpointId = egress && sourceIsEndpoint ? 101 : 0;
            event.dstEndpointId = point == JoinConstants.POINT_TO_ENDPOINT ? 202 : 0;
            event.interfaceName = dictionary.intern("ens18");
            event.srcNamespace = dictionary.intern(sourceNames[0]);
            event.srcPod = dictionary.intern(sourceNames[1]);
            event.srcWorkload = dictionary.intern(sourceNames[2]);
            event.dstNamespace = dictionary.intern(destinationNames[0]);
            event.dstPod = dictionary.intern(destinationNames[1]);
            event.dstWorkload = dictionary.intern(destinationNames[2]);
            deliver(now);
        }
    }

    /** Records verdicts as "VERDICT src>dst family kind srcPort>dstPort attempts=n" strings. */
    static final class RecordingListener implements VerdictListener {
        final List<String> verdicts = new ArrayList<>();
        final List<Long> transits = new ArrayList<>();
        private final StringDictionary dictionary;
        private long tokens;

        RecordingListener(StringDictionary dictionary) {
            this.dictionary = dictionary;
        }

        private String describe(String verdict, DepartureView d) {
            return verdict + " " + dictionary.get(d.sourceNode()) + ">" + dictionary.get(d.destinationNode()) + " "
                    + JoinConstants.familyName(d.family()) + " " + PacketKind.name(d.kind()) + " "
                    + d.sourcePort() + ">" + d.destinationPort() + " attempts=" + d.attempts();
        }

        @Override
        public void onMatched(DepartureView departure, long transitNanos) {
            verdicts.add(describe("MATCHED", departure));
            transits.add(transitNanos);
        }

        @Override
        public long onLost(DepartureView departure) {
            verdicts.add(describe("LOST", departure));
            return ++tokens;
        }

        @Override
        public void onDroppedAtDestination(DepartureView departure) {
            verdicts.add(describe("DROPPED", departure) + " reason=" + departure.dropReason());
        }

        @Override
        public void onUnverified(DepartureView departure, UnverifiedReason reason) {
            verdicts.add(describe("UNVERIFIED(" + reason + ")", departure));
        }

        @Override
        public void onLate(DepartureView departure, long lostToken, long lateByNanos) {
            verdicts.add(describe("LATE", departure) + " token=" + lostToken);
        }

        @Override
        public void onAnswered(DepartureView attempt, long replyAfterNanos) {
            verdicts.add(describe("ANSWERED", attempt));
        }

        @Override
        public void onNoReply(DepartureView attempt) {
            verdicts.add(describe("NO_REPLY", attempt));
        }

        @Override
        public void onRefused(DepartureView attempt) {
            verdicts.add(describe("REFUSED", attempt));
        }

        long count(String prefix) {
            return verdicts.stream().filter(v -> v.startsWith(prefix)).count();
        }
    }
}
