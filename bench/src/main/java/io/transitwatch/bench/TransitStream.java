package io.transitwatch.bench;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.join.JoinConstants;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Immutable after {@link #generate}, except through {@link StreamReplay}, which moves each event one
 * lap forward after delivering it. Built once per benchmark trial; not thread-safe.
 *
 * <p>One lap of what the join sees from a busy six-node, dual-stack Cilium cluster (the demo's
 * solcp01-03 / solwk01-03, pod CIDRs {@code 10.101.224.0/20} and {@code fd00:101:224::/60}),
 * pre-generated into {@link NodeEvent} hand-off slots in the order the daemon receives them:
 *
 * <ul>
 *   <li>Connections start at {@value #CONNECTIONS_PER_SECOND}/s across the cluster, between pods on
 *       different nodes, 60% IPv4 / 40% IPv6. 75% are TCP to a pod's service port: SYN departure
 *       ({@code to-network}), SYN arrival ({@code to-endpoint}) 50 µs-2 ms later, SYN-ACK departure
 *       and arrival back. 25% are DNS over UDP to CoreDNS: a NEW departure and its arrival, plus the
 *       reply's two events, which are not join-safe (UDP replies are not NEW) and are ignored.</li>
 *   <li>1% of connections lose their first packet on the wire: a lost SYN is retransmitted at +1 s
 *       and +3 s ({@code trace_reason} ESTABLISHED, the join's "attempts"), a lost DNS query is not.</li>
 *   <li>Node clocks are skewed by up to ±2 s (DESIGN §3.3); the daemon receives each node's events
 *       in that node's order, in perf-ring read batches of 1 ms plus 0.2 ms transport, so the streams
 *       interleave and an arrival is now and then received before its departure.</li>
 * </ul>
 *
 * <p>A lap is self-contained (every connection starts and ends inside it; no lost connection starts
 * in the lap's last 3 s), so {@link #matchedPerLap()} and {@link #lostPerLap()} are exact for every
 * lap. Laps repeat with a period of {@link #lapNanos()}.
 *
 * <p>Before the first lap, the daemon has connected: {@link #connectEvents()} is what each node's
 * stream delivered first, {@value #CONNECT_LEAD_MILLIS} ms before the lap begins: the ingest's
 * NODE_UP and the node's first flow, a pod's packet at {@code from-endpoint}, which the join ignores.
 * A join cannot verify a departure whose destination's stream had not yet delivered anything (its
 * arrival may predate the stream), so without them the first lap's early losses would rightly be
 * UNVERIFIED. They are delivered once, as setup; the lap itself, and so every benchmark's steady
 * state, does not contain them.
 */
public final class TransitStream {
    /** 2026-01-01T00:00:00Z, the daemon's clock at the start of the first lap. */
    public static final long T0 = 1_767_225_600_000_000_000L;
    public static final long MS = 1_000_000L;
    public static final long S = 1_000 * MS;

    static final int CONNECTIONS_PER_SECOND = 12_500;
    static final double LOSS_RATE = 0.01;
    /** With round trips: the share of connections that go to the API server instead of a pod. */
    static final int ROUND_TRIP_PERCENT = 10;
    /** Ephemeral ports of the clients (Linux default {@code ip_local_port_range}). */
    static final int EPHEMERAL_FIRST = 32768;
    static final int EPHEMERAL_LAST = 60999;

    static final String[] NODES = {"solcp01", "solcp02", "solcp03", "solwk01", "solwk02", "solwk03"};
    private static final int[] PODS_PER_NODE = {10, 10, 10, 40, 40, 40};
    /** Node clock minus true time, per node: the join must absorb ±2 s without a false alert. */
    private static final long[] CLOCK_SKEW = {0, 350 * MS, -2 * S, 2 * S, -900 * MS, 12 * MS};
    /** Phase of each node's perf-ring read batches, so the nodes' batches do not line up. */
    private static final long[] READ_PHASE = {0, 170_000, 530_000, 260_000, 810_000, 440_000};
    private static final long READ_PERIOD = MS;
    private static final long TRANSPORT_DELAY = 200_000;
    private static final long[] SYN_RETRANSMIT_AFTER = {S, 3 * S};
    private static final long LAP_GUARD = 10 * MS;
    /** How long before the lap's first event every node's stream has delivered its first event. */
    public static final long CONNECT_LEAD_MILLIS = 1_000;
    private static final long CONNECT_LEAD = CONNECT_LEAD_MILLIS * MS;
    private static final String[] NAMESPACES = {"flux-system", "kube-system", "spegel", "shop", "payments", "monitoring"};
    private static final int[] SERVICE_PORTS = {9090, 8080, 443, 5000, 9443, 3000};
    private static final short POINT_TO_NETWORK = (short) JoinConstants.POINT_TO_NETWORK;
    private static final short POINT_TO_ENDPOINT = (short) JoinConstants.POINT_TO_ENDPOINT;
    private static final short POINT_FROM_ENDPOINT = (short) JoinConstants.POINT_FROM_ENDPOINT;

    private final StringDictionary dictionary;
    private final Map<String, List<String>> podCidrs;
    private final NodeEvent[] events;
    private final NodeEvent[] connectEvents;
    private final long lapNanos;
    private final long matchedPerLap;
    private final long lostPerLap;
    private final long lostAttemptsPerLap;
    private final long retransmissionsPerLap;
    private final long answeredPerLap;
    private final long noReplyPerLap;

    private TransitStream(StringDictionary dictionary, Map<String, List<String>> podCidrs, NodeEvent[] events,
            NodeEvent[] connectEvents, long lapNanos, long matchedPerLap, long lostPerLap, long lostAttemptsPerLap,
            long retransmissionsPerLap, long answeredPerLap, long noReplyPerLap) {
        this.dictionary = dictionary;
        this.podCidrs = podCidrs;
        this.events = events;
        this.connectEvents = connectEvents;
        this.lapNanos = lapNanos;
        this.matchedPerLap = matchedPerLap;
        this.lostPerLap = lostPerLap;
        this.lostAttemptsPerLap = lostAttemptsPerLap;
        this.retransmissionsPerLap = retransmissionsPerLap;
        this.answeredPerLap = answeredPerLap;
        this.noReplyPerLap = noReplyPerLap;
    }

    /** The events of one lap, in the order the daemon receives them. */
    public NodeEvent[] events() {
        return events;
    }

    /** Period of the stream: lap {@code n} is lap 0 moved {@code n * lapNanos()} later. */
    public long lapNanos() {
        return lapNanos;
    }

    /** Interns node, namespace, pod, workload and interface names, as the ingest would. */
    public StringDictionary dictionary() {
        return dictionary;
    }

    public Map<String, List<String>> podCidrs() {
        return podCidrs;
    }

    /** The pod CIDRs keyed by the node's dictionary id, the id the events carry. */
    public Map<Integer, List<String>> podCidrsByNodeId() {
        Map<Integer, List<String>> byId = new LinkedHashMap<>();
        podCidrs.forEach((node, cidrs) -> byId.put(dictionary.intern(node), cidrs));
        return byId;
    }

    /** Departures per lap whose arrival is in the stream (SYN, SYN-ACK and DNS queries). */
    public long matchedPerLap() {
        return matchedPerLap;
    }

    /** Departures per lap that never arrive (ground truth for LOST_IN_TRANSIT). */
    public long lostPerLap() {
        return lostPerLap;
    }

    /** Sum of attempts (first report + retransmissions) over the lost departures of a lap. */
    public long lostAttemptsPerLap() {
        return lostAttemptsPerLap;
    }

    public long retransmissionsPerLap() {
        return retransmissionsPerLap;
    }

    /** Round trips per lap (only with round trips generated) whose SYN-ACK reached the client. */
    public long answeredPerLap() {
        return answeredPerLap;
    }

    /** Round trips per lap (only with round trips generated) that were never answered: ground truth for NO_REPLY. */
    public long noReplyPerLap() {
        return noReplyPerLap;
    }

    public String[] nodeNames() {
        return NODES.clone();
    }

    /**
     * A topology that knows the cluster's pod CIDRs, as the daemon's configuration would give them,
     * with the daemon's defaults for learned placements (100,000, forgotten after 10 min).
     */
    public Topology newTopology() {
        Map<String, List<IpPrefix>> prefixes = new LinkedHashMap<>();
        podCidrs.forEach((node, cidrs) -> prefixes.put(node, cidrs.stream().map(IpPrefix::parse).toList()));
        return new Topology(prefixes, dictionary::intern, 100_000, Duration.ofMinutes(10));
    }

    /**
     * Strips what lets the topology learn (local endpoint ids, pod, namespace and workload names),
     * as from a field mask without them: every address still resolves through the configured pod
     * CIDRs. A diagnostic, to tell the cost of per-event placement learning from the join's own.
     */
    public TransitStream withoutEndpointDetails() {
        for (NodeEvent e : events) {
            e.srcEndpointId = e.dstEndpointId = 0;
            e.srcNamespace = e.srcPod = e.srcWorkload = 0;
            e.dstNamespace = e.dstPod = e.dstWorkload = 0;
        }
        return this;
    }

    /**
     * What the daemon received when it connected, before the first lap, in receive order: per node,
     * the ingest's NODE_UP (stamped with the daemon's clock, as the ingest does on a stream's first
     * message) and that first message, a flow at {@code from-endpoint} that the join ignores. The
     * last of them is received {@link #CONNECT_LEAD_MILLIS} ms (and a read batch) before the lap's
     * first event. Deliver them once, before the first lap; the caller must not keep the array.
     */
    public NodeEvent[] connectEvents() {
        NodeEvent[] copy = new NodeEvent[connectEvents.length];
        for (int i = 0; i < copy.length; i++) {
            copy[i] = new NodeEvent();
            copy[i].copyFrom(connectEvents[i]);
        }
        return copy;
    }

    /** The flows among {@link #connectEvents()}, one per node, in receive order. */
    public NodeEvent[] connectFlows() {
        return java.util.Arrays.stream(connectEvents()).filter(e -> e.kind == NodeEvent.FLOW).toArray(NodeEvent[]::new);
    }

    /** The daemon's clock when the last node's stream delivered its first event (the last connect event's receive time). */
    public long connectedAtNanos() {
        return connectEvents[connectEvents.length - 1].receivedNanos;
    }

    /**
     * Generates a lap of about {@code targetEvents} events (whole connections only, so a few more or
     * fewer), deterministically from {@code seed}.
     */
    public static TransitStream generate(int targetEvents, long seed) {
        return generate(targetEvents, seed, false);
    }

    /**
     * As {@link #generate(int, long)}; with {@code roundTripsAndFirstData}, also what issue #11 adds to
     * the join (DESIGN §3.7-§3.8): {@value #ROUND_TRIP_PERCENT}% of the connections are a pod's TCP
     * connection to the API server on a control-plane node's host address (identity kube-apiserver,
     * outside every pod CIDR), judged on the client's node (the SYN-ACK delivered to the client
     * answers it; 1% are never answered and retransmitted like a lost SYN: NO_REPLY); and every
     * answered pod-to-pod TCP handshake is followed by its first data, as the nodes report it with
     * ACK and PSH in the aggregation flags: the client's third-handshake ACK, its first PSH segment and
     * the server's first PSH segment, each a departure and its arrival. Join it with
     * {@code JoinConfig.withFirstData(true)}.
     */
    public static TransitStream generate(int targetEvents, long seed, boolean roundTripsAndFirstData) {
        Random random = new Random(seed);
        StringDictionary dictionary = new StringDictionary(4096);
        Map<String, List<String>> cidrs = new LinkedHashMap<>();
        List<Pod> pods = new ArrayList<>();
        List<Pod> dnsServers = new ArrayList<>();
        int[] nodeIds = new int[NODES.length];
        for (int n = 0; n < NODES.length; n++) {
            nodeIds[n] = dictionary.intern(NODES[n]);
            cidrs.put(NODES[n], List.of("10.101." + (224 + n) + ".0/24", "fd00:101:224:" + n + "::/64"));
            for (int p = 0; p < PODS_PER_NODE[n]; p++) {
                Pod pod = new Pod(n, p, dictionary, random);
                pods.add(pod);
                if (n < 2 && p == 0) {
                    pod.makeCoreDns(dictionary);
                    dnsServers.add(pod);
                }
            }
        }

        Pod apiServer = Pod.apiServer();
        // Plan whole connections until the lap holds the target number of events.
        List<Connection> connections = new ArrayList<>();
        double startNanos = 0;
        long planned = 0;
        while (planned < targetEvents) {
            startNanos += -Math.log(1 - random.nextDouble()) * 1e9 / CONNECTIONS_PER_SECOND;
            Connection c = new Connection();
            c.start = (long) startNanos;
            c.client = pods.get(random.nextInt(pods.size()));
            c.udp = random.nextInt(4) == 0;
            c.roundTrip = roundTripsAndFirstData && !c.udp && random.nextInt(100) < ROUND_TRIP_PERCENT;
            c.firstData = roundTripsAndFirstData && !c.roundTrip && !c.udp;
            List<Pod> candidates = c.udp ? dnsServers : pods;
            if (c.roundTrip) {
                c.server = apiServer;
            } else {
                do {
                    c.server = candidates.get(random.nextInt(candidates.size()));
                } while (c.server.node == c.client.node);
            }
            c.ipv6 = random.nextInt(10) >= 6;
            c.lost = random.nextDouble() < LOSS_RATE;
            c.clientPort = c.client.nextClientPort();
            c.serverPort = c.udp ? 53 : c.server.servicePort;
            c.transitOut = 50_000 + random.nextInt(1_950_000);
            c.serverTime = 20_000 + random.nextInt(980_000);
            c.transitBack = 50_000 + random.nextInt(1_950_000);
            connections.add(c);
            planned += c.lost ? (c.udp ? 1 : 1 + SYN_RETRANSMIT_AFTER.length)
                    : c.roundTrip ? 2 : c.firstData ? 10 : 4;
        }
        long lastStart = connections.get(connections.size() - 1).start;
        long lapNanos = (lastStart + LAP_GUARD) / MS * MS + MS;

        List<Timed> timed = new ArrayList<>((int) planned);
        long matched = 0;
        long lost = 0;
        long lostAttempts = 0;
        long retransmissions = 0;
        long answered = 0;
        long noReply = 0;
        int ens18 = dictionary.intern("ens18");
        for (Connection c : connections) {
            if (c.lost && c.start > lapNanos - LAP_GUARD - 3 * S) {
                c.lost = false; // keep laps self-contained: no retransmission may cross the lap's end
            }
            EventFactory f = new EventFactory(c, nodeIds, ens18, random);
            if (c.udp) {
                timed.add(f.flow(c.start, c.client, c.server, true, POINT_TO_NETWORK, JoinConstants.TRACE_REASON_NEW, (short) 0));
                if (c.lost) {
                    lost++;
                    lostAttempts++;
                    continue;
                }
                long arrival = c.start + c.transitOut;
                long reply = arrival + c.serverTime;
                timed.add(f.flow(arrival, c.client, c.server, true, POINT_TO_ENDPOINT, JoinConstants.TRACE_REASON_NEW, (short) 0));
                timed.add(f.flow(reply, c.server, c.client, false, POINT_TO_NETWORK, JoinConstants.TRACE_REASON_REPLY, (short) 0));
                timed.add(f.flow(reply + c.transitBack, c.server, c.client, false, POINT_TO_ENDPOINT,
                        JoinConstants.TRACE_REASON_REPLY, (short) 0));
                matched++;
                continue;
            }
            short syn = NodeEvent.TCP_SYN;
            short synAck = (short) (NodeEvent.TCP_SYN | NodeEvent.TCP_ACK);
            timed.add(f.flow(c.start, c.client, c.server, true, POINT_TO_NETWORK, JoinConstants.TRACE_REASON_NEW, syn));
            if (c.lost) {
                for (long after : SYN_RETRANSMIT_AFTER) {
                    timed.add(f.flow(c.start + after, c.client, c.server, true, POINT_TO_NETWORK,
                            JoinConstants.TRACE_REASON_ESTABLISHED, syn));
                    retransmissions++;
                }
                if (c.roundTrip) {
                    noReply++;
                } else {
                    lost++;
                    lostAttempts += 1 + SYN_RETRANSMIT_AFTER.length;
                }
                continue;
            }
            if (c.roundTrip) {
                // The API server's SYN-ACK, reverse-NATed, delivered to the client pod on the client's node.
                timed.add(f.flow(c.start + c.transitOut + c.serverTime + c.transitBack, c.server, c.client, false,
                        POINT_TO_ENDPOINT, JoinConstants.TRACE_REASON_REPLY, synAck));
                answered++;
                continue;
            }
            long arrival = c.start + c.transitOut;
            long synAckOut = arrival + c.serverTime;
            timed.add(f.flow(arrival, c.client, c.server, true, POINT_TO_ENDPOINT, JoinConstants.TRACE_REASON_NEW, syn));
            timed.add(f.flow(synAckOut, c.server, c.client, false, POINT_TO_NETWORK, JoinConstants.TRACE_REASON_REPLY, synAck));
            timed.add(f.flow(synAckOut + c.transitBack, c.server, c.client, false, POINT_TO_ENDPOINT,
                    JoinConstants.TRACE_REASON_REPLY, synAck));
            matched += 2;
            if (c.firstData) {
                // First data: the client's ACK and first PSH, then the server's first PSH, each reported on both nodes.
                long ackOut = synAckOut + c.transitBack + 10_000;
                long pshOut = ackOut + 5_000;
                long answerOut = pshOut + c.transitOut + c.serverTime;
                short ack = NodeEvent.TCP_ACK;
                short psh = (short) (NodeEvent.TCP_ACK | NodeEvent.TCP_PSH);
                addFirstData(timed, f, c, ackOut, c.client, c.server, true, ack, c.transitOut);
                addFirstData(timed, f, c, pshOut, c.client, c.server, true, psh, c.transitOut);
                addFirstData(timed, f, c, answerOut, c.server, c.client, false, psh, c.transitBack);
                matched += 3;
            }
        }
        // The daemon's view: by receive time; one node's events keep that node's order.
        timed.sort(Comparator.comparingLong((Timed t) -> t.event.receivedNanos).thenComparingLong(t -> t.trueNanos));
        // Fresh slots allocated in delivery order, so they sit in memory like a ring's pre-allocated slots.
        NodeEvent[] events = new NodeEvent[timed.size()];
        for (int i = 0; i < events.length; i++) {
            events[i] = new NodeEvent();
            events[i].copyFrom(timed.get(i).event);
            if (events[i].receivedNanos - T0 >= lapNanos) {
                throw new IllegalStateException("event received after the end of its lap");
            }
        }
        return new TransitStream(dictionary, cidrs, events, connect(pods, nodeIds, ens18, seed), lapNanos, matched,
                lost, lostAttempts, retransmissions, answered, noReply);
    }

    /** A first-data segment leaving {@code from} at {@code at} and delivered {@code transit} later. */
    private static void addFirstData(List<Timed> timed, EventFactory f, Connection c, long at, Pod from, Pod to,
            boolean request, short flags, long transit) {
        int reason = request ? JoinConstants.TRACE_REASON_ESTABLISHED : JoinConstants.TRACE_REASON_REPLY;
        timed.add(f.flow(at, from, to, request, POINT_TO_NETWORK, reason, flags));
        timed.add(f.flow(at + transit, from, to, request, POINT_TO_ENDPOINT, reason, flags));
    }

    /**
     * Per node, a pod of it sending a SYN to a pod on the next node, seen at {@code from-endpoint}
     * {@link #CONNECT_LEAD_MILLIS} ms before the lap, preceded by the NODE_UP the ingest publishes on a
     * stream's first message. Drawn from its own random sequence, so the lap is the same with or without.
     */
    private static NodeEvent[] connect(List<Pod> pods, int[] nodeIds, int ens18, long seed) {
        Random random = new Random(~seed);
        List<Timed> first = new ArrayList<>();
        for (int n = 0; n < NODES.length; n++) {
            int node = n;
            Connection c = new Connection();
            c.client = pods.stream().filter(p -> p.node == node).findFirst().orElseThrow();
            c.server = pods.stream().filter(p -> p.node == (node + 1) % NODES.length).findFirst().orElseThrow();
            c.start = -CONNECT_LEAD - random.nextInt(100_000);
            c.clientPort = c.client.nextClientPort();
            c.serverPort = c.server.servicePort;
            first.add(new EventFactory(c, nodeIds, ens18, random).flow(c.start, c.client, c.server, true,
                    POINT_FROM_ENDPOINT, JoinConstants.TRACE_REASON_NEW, NodeEvent.TCP_SYN));
        }
        first.sort(Comparator.comparingLong((Timed t) -> t.event.receivedNanos));
        NodeEvent[] events = new NodeEvent[2 * first.size()];
        for (int i = 0; i < first.size(); i++) {
            NodeEvent flow = first.get(i).event;
            NodeEvent up = new NodeEvent();
            up.clear();
            up.kind = NodeEvent.NODE_UP;
            up.node = flow.node;
            up.timeNanos = flow.receivedNanos;
            up.receivedNanos = flow.receivedNanos;
            up.backfilled = false;
            events[2 * i] = up;
            events[2 * i + 1] = flow;
        }
        return events;
    }

    @Override
    public String toString() {
        return String.format("TransitStream[%,d events in %.3f s lap, %,d matched + %,d lost departures per lap]",
                events.length, lapNanos / 1e9, matchedPerLap, lostPerLap);
    }

    // ---- generation helpers (setup time only; allocation is fine here) ----

    private static final class Pod {
        final int node;
        final long v4Hi;
        final long v4Lo;
        final long v6Hi;
        final long v6Lo;
        final int endpointId;
        int identity;
        int namespace;
        int workload;
        int name;
        final int servicePort;
        private int nextPort;

        Pod(int node, int index, StringDictionary dictionary, Random random) {
            this.node = node;
            IpPrefix v4 = IpPrefix.parse("10.101." + (224 + node) + "." + (10 + index));
            IpPrefix v6 = IpPrefix.parse("fd00:101:224:" + node + "::" + Integer.toHexString(0x1000 + random.nextInt(0xe000)));
            v4Hi = v4.hi();
            v4Lo = v4.lo();
            v6Hi = v6.hi();
            v6Lo = v6.lo();
            endpointId = 100 + random.nextInt(3900);
            identity = 20_000 + random.nextInt(40_000);
            String ns = NAMESPACES[random.nextInt(NAMESPACES.length)];
            String app = "app-" + node + "-" + index;
            namespace = dictionary.intern(ns);
            workload = dictionary.intern(app);
            name = dictionary.intern(app + "-" + Long.toHexString(random.nextLong() & 0xfffffffffL));
            servicePort = SERVICE_PORTS[random.nextInt(SERVICE_PORTS.length)];
            nextPort = EPHEMERAL_FIRST + random.nextInt(EPHEMERAL_LAST - EPHEMERAL_FIRST + 1);
        }

        /** The API server on solcp01's host address: outside every pod CIDR, identity kube-apiserver, no names. */
        private Pod(String v4, String v6) {
            node = 0;
            v4Hi = IpPrefix.parse(v4).hi();
            v4Lo = IpPrefix.parse(v4).lo();
            v6Hi = IpPrefix.parse(v6).hi();
            v6Lo = IpPrefix.parse(v6).lo();
            endpointId = 0;
            identity = JoinConstants.IDENTITY_KUBE_APISERVER;
            servicePort = 6443;
        }

        static Pod apiServer() {
            return new Pod("10.101.0.11", "fd00:101::11");
        }

        void makeCoreDns(StringDictionary dictionary) {
            namespace = dictionary.intern("kube-system");
            workload = dictionary.intern("coredns");
            name = dictionary.intern("coredns-6f6b679f8f-" + node);
            identity = 102_938;
        }

        int nextClientPort() {
            int port = nextPort;
            nextPort = port == EPHEMERAL_LAST ? EPHEMERAL_FIRST : port + 1;
            return port;
        }
    }

    private static final class Connection {
        long start;
        Pod client;
        Pod server;
        boolean udp;
        boolean roundTrip;
        boolean firstData;
        boolean ipv6;
        boolean lost;
        int clientPort;
        int serverPort;
        long transitOut;
        long serverTime;
        long transitBack;
    }

    private record Timed(long trueNanos, NodeEvent event) {}

    /** Fills hand-off slots the way the decoder would from a field-masked Hubble flow. */
    private static final class EventFactory {
        private final Connection c;
        private final int[] nodeIds;
        private final int interfaceName;
        private final Random random;

        EventFactory(Connection c, int[] nodeIds, int interfaceName, Random random) {
            this.c = c;
            this.nodeIds = nodeIds;
            this.interfaceName = interfaceName;
            this.random = random;
        }

        /**
         * A flow of the packet from {@code from} to {@code to} at true time {@code at}, observed at
         * {@code point} on the node of the sender (departure) or of the receiver (arrival).
         */
        Timed flow(long at, Pod from, Pod to, boolean request, short point, int traceReason, short tcpFlags) {
            boolean departure = point == POINT_TO_NETWORK;
            boolean atSender = point != POINT_TO_ENDPOINT; // to-network, or from-endpoint before it
            int node = atSender ? from.node : to.node;
            NodeEvent e = new NodeEvent();
            e.clear();
            e.kind = NodeEvent.FLOW;
            e.flowType = 1; // L3_L4
            e.node = nodeIds[node];
            e.timeNanos = T0 + at + CLOCK_SKEW[node];
            long phase = READ_PHASE[node];
            long readAt = ((at - phase) / READ_PERIOD + 1) * READ_PERIOD + phase;
            e.receivedNanos = T0 + readAt + TRANSPORT_DELAY;
            e.verdict = (byte) JoinConstants.VERDICT_FORWARDED;
            e.observationPoint = point;
            e.traceReason = (byte) traceReason;
            e.isReply = (byte) (request ? 0 : 1);
            e.ipVersion = (byte) (c.ipv6 ? 6 : 4);
            e.srcHi = c.ipv6 ? from.v6Hi : from.v4Hi;
            e.srcLo = c.ipv6 ? from.v6Lo : from.v4Lo;
            e.dstHi = c.ipv6 ? to.v6Hi : to.v4Hi;
            e.dstLo = c.ipv6 ? to.v6Lo : to.v4Lo;
            e.protocol = c.udp ? NodeEvent.PROTO_UDP : NodeEvent.PROTO_TCP;
            e.srcPort = request ? c.clientPort : c.serverPort;
            e.dstPort = request ? c.serverPort : c.clientPort;
            e.tcpFlags = tcpFlags;
            e.srcEndpointId = atSender ? from.endpointId : 0;
            e.dstEndpointId = atSender ? 0 : to.endpointId;
            e.srcIdentity = from.identity;
            e.dstIdentity = to.identity;
            e.srcNamespace = from.namespace;
            e.srcPod = from.name;
            e.srcWorkload = from.workload;
            e.dstNamespace = to.namespace;
            e.dstPod = to.name;
            e.dstWorkload = to.workload;
            e.eventType = 4;
            e.eventSubType = point == POINT_TO_ENDPOINT ? 0 : point; // TraceToLxc 0, TraceFromLxc 5, TraceToNetwork 11
            e.interfaceIndex = departure ? 2 : 0;
            e.interfaceName = departure ? interfaceName : 0;
            e.uuidHi = random.nextLong();
            e.uuidLo = random.nextLong();
            return new Timed(at, e);
        }
    }
}
