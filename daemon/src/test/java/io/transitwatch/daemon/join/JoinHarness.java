package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import io.transitwatch.daemon.handoff.StringDictionary;
import io.transitwatch.daemon.topology.IpPrefix;
import io.transitwatch.daemon.topology.Topology;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Drives a {@link JoinEngine} by hand: three nodes a, b, c with IPv4 and IPv6 pod CIDRs, events
 * built field by field, and every verdict recorded as a readable string.
 */
final class JoinHarness {
    static final long T0 = 1_700_000_000_000_000_000L;
    static final long MS = 1_000_000L;
    static final long S = 1_000 * MS;

    final StringDictionary dictionary = new StringDictionary(1024);
    final RecordingListener verdicts = new RecordingListener(dictionary);
    final JoinCounters counters;
    final JoinEngine engine;
    private final NodeEvent event = new NodeEvent();

    JoinHarness() {
        this(JoinConfig.defaults().withCapacities(1024, 1024, 256));
    }

    JoinHarness(JoinConfig config) {
        Topology topology = new Topology(Map.of(
                "a", List.of("10.0.1.0/24", "fd00:1::/64"),
                "b", List.of("10.0.2.0/24", "fd00:2::/64"),
                "c", List.of("10.0.3.0/24", "fd00:3::/64")),
                dictionary::intern, 10_000, Duration.ofMinutes(10));
        counters = new JoinCounters(config.maxNodes(), config.maxPairs());
        engine = new JoinEngine(config, topology, verdicts, counters);
    }

    /** Streams of a, b and c connected at T0. */
    JoinHarness allUp() {
        for (String node : List.of("a", "b", "c")) {
            up(node, T0, false);
        }
        return this;
    }

    void up(String node, long now, boolean backfilled) {
        health(node, NodeEvent.NODE_UP, now);
        event.backfilled = backfilled;
        deliver(now);
    }

    void down(String node, long now) {
        health(node, NodeEvent.NODE_DOWN, now);
        deliver(now);
    }

    void lostEvents(String node, long nodeTime, long count, long now) {
        health(node, NodeEvent.LOST_EVENTS, nodeTime);
        event.lostCount = count;
        event.lostSource = 1;
        deliver(now);
    }

    void gap(String node, long from, long to, long now) {
        health(node, NodeEvent.GAP, now);
        event.gapStartNanos = from;
        event.gapEndNanos = to;
        deliver(now);
    }

    /** A SYN (or other kind) leaving {@code node} at TO_NETWORK. */
    Flow departure(String node, String src, int srcPort, String dst, int dstPort) {
        return new Flow(node, JoinConstants.POINT_TO_NETWORK, src, srcPort, dst, dstPort);
    }

    /** The same packet delivered at TO_ENDPOINT of {@code node}. */
    Flow arrival(String node, String src, int srcPort, String dst, int dstPort) {
        return new Flow(node, JoinConstants.POINT_TO_ENDPOINT, src, srcPort, dst, dstPort);
    }

    int advance(long now) {
        return engine.advance(now, true, Integer.MAX_VALUE);
    }

    private void health(String node, byte kind, long time) {
        event.clear();
        event.kind = kind;
        event.node = dictionary.intern(node);
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
    final class Flow {
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
        private int dropReason;
        private String xlated;
        private long receiveDelay;

        Flow(String node, int point, String src, int srcPort, String dst, int dstPort) {
            this.node = node;
            this.point = point;
            this.src = src;
            this.srcPort = srcPort;
            this.dst = dst;
            this.dstPort = dstPort;
        }

        Flow synAck() {
            flags = (short) (NodeEvent.TCP_SYN | NodeEvent.TCP_ACK);
            traceReason = JoinConstants.TRACE_REASON_REPLY;
            return this;
        }

        Flow udp() {
            protocol = NodeEvent.PROTO_UDP;
            flags = 0;
            return this;
        }

        Flow fin() {
            flags = (short) (NodeEvent.TCP_FIN | NodeEvent.TCP_ACK);
            traceReason = JoinConstants.TRACE_REASON_ESTABLISHED;
            return this;
        }

        Flow retransmission() {
            traceReason = JoinConstants.TRACE_REASON_ESTABLISHED;
            return this;
        }

        Flow dropped(int reason) {
            verdict = JoinConstants.VERDICT_DROPPED;
            dropReason = reason;
            return this;
        }

        Flow toIdentity(int identity) {
            dstIdentity = identity;
            return this;
        }

        Flow snatTo(String onWireSource) {
            xlated = onWireSource;
            return this;
        }

        /** The daemon receives the event this long after its node-local time. */
        Flow receivedAfter(long nanos) {
            receiveDelay = nanos;
            return this;
        }

        /** Delivers the event with node-local time {@code nodeTime}; the daemon's clock is nodeTime + delay. */
        void at(long nodeTime) {
            atWithNow(nodeTime, nodeTime + receiveDelay);
        }

        void atWithNow(long nodeTime, long now) {
            event.clear();
            event.kind = NodeEvent.FLOW;
            event.node = dictionary.intern(node);
            event.timeNanos = nodeTime;
            event.receivedNanos = now;
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
            event.dstIdentity = dstIdentity;
            event.srcIdentity = 4242;
            event.dropReason = dropReason;
            event.eventType = verdict == JoinConstants.VERDICT_DROPPED ? 1 : 4;
            event.srcEndpointId = point == JoinConstants.POINT_TO_NETWORK ? 101 : 0;
            event.dstEndpointId = point == JoinConstants.POINT_TO_ENDPOINT ? 202 : 0;
            event.interfaceName = dictionary.intern("ens18");
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

        long count(String prefix) {
            return verdicts.stream().filter(v -> v.startsWith(prefix)).count();
        }
    }
}
