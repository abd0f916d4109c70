package io.transitwatch.daemon.join;

import static io.transitwatch.daemon.join.JoinHarness.MS;
import static io.transitwatch.daemon.join.JoinHarness.S;
import static io.transitwatch.daemon.join.JoinHarness.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.function.Consumer;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.statistics.Statistics;

/**
 * Random interleavings of departures, arrivals (early, on time, late, never), retransmissions,
 * nodes going down and up (with or without a backfill that re-reads the outage), lost-event
 * reports and clock advances, fed to the real engine and to {@link ReferenceJoin}; after every
 * advance both must have reached the same verdicts. Connections send first data (the client's
 * third-handshake ACK and first PSH, DESIGN §3.8) with the aggregation flags reporting it or not.
 */
class JoinPropertyTest {
    private static final String[] NODES = {"a", "b", "c"};
    private static final String[] SUBNET = {"10.0.1.", "10.0.2.", "10.0.3."};

    private record Op(long time, int order, Consumer<JoinHarness> real, Consumer<ReferenceJoin> reference) {}

    /**
     * A node's stream down from {@code down} to {@code up}. With backfill, the reconnect re-reads the
     * outage from Hubble's ring: the node's events from {@code down} on reach the join only after
     * {@code up}, in their order, {@code speed} times faster than they happened, until the stream has
     * caught up with real time ({@code caughtUp}). Backfilled events carry their own time as their
     * receive time: the reference assumes ideal clocks, and what is tested is the verdict rule for a
     * rebuilt view, not clock estimation.
     */
    private record Outage(String node, long down, long up, boolean comesBack, boolean backfilled, long speed) {
        long caughtUp() {
            // the delivery time up + (t - down) / speed reaches t itself at t - down = (up - down) * speed / (speed - 1)
            return backfilled ? down + (up - down) * speed / (speed - 1) + 1 : up;
        }

        /** Until when the node's stream is down or catching up: forever for one that does not come back. */
        long end() {
            return comesBack ? caughtUp() : Long.MAX_VALUE;
        }

        boolean delays(String eventNode, long time) {
            return backfilled && node.equals(eventNode) && time >= down && time < caughtUp();
        }

        long deliveredAt(long time) {
            return up + 1 + (time - down) / speed;
        }
    }

    private static Outage delaying(List<Outage> outages, String node, long time) {
        for (Outage outage : outages) {
            if (outage.delays(node, time)) {
                return outage;
            }
        }
        return null;
    }

    /**
     * Samples that once failed: a node down twice in a row, where the second outage's open span was merged
     * into the first (closed) one and held the watermark back at the first outage's start. Seed -13
     * (departures = 114): a backfilled arrival, inserted behind newer ones in the arrivals' FIFO lane,
     * outlived its expiry and MATCHED a departure of the same tuple 11 s later. Seed 182 (departures = 24):
     * a lost-events report without times while a backfill re-reads an outage covers the whole outage in
     * the engine (Hubble's ring may have overwritten any of it), which the reference did not model.
     */
    @net.jqwik.api.Example
    void twoOutagesInARowDoNotHoldBackDecisionsTheFirstAllowed() {
        for (long seed : new long[] {-1479255L, -254354L, 3174628458638299261L, -13L, 182L}) {
            for (int departures = 5; departures <= 120; departures++) {
                engineAgreesWithReferenceModel(seed, departures);
            }
        }
    }

    /**
     * The seed is fixed so that {@code ./test} is deterministic: a new seed is new exploration, to be
     * done on purpose (change it, or call this method in a loop over seeds), not by chance in CI.
     */
    @Property(tries = 2000, seed = "20261205")
    void engineAgreesWithReferenceModel(@ForAll long seed, @ForAll @IntRange(min = 5, max = 120) int departures) {
        Random random = new Random(seed);
        // first data join-safe as under monitor-aggregation-flags "all", or not as under "syn,fin,rst"
        boolean firstData = random.nextBoolean();
        JoinConfig config = JoinConfig.defaults().withCapacities(4096, 4096, 1024).withFirstData(firstData);
        JoinHarness real = new JoinHarness(config);
        ReferenceJoin reference = new ReferenceJoin(config);
        List<Op> ops = new ArrayList<>();
        int[] order = {0};

        for (String node : NODES) {
            if (random.nextInt(10) > 0) {
                ops.add(new Op(T0, order[0]++, h -> h.up(node, T0, false), r -> r.up(node, T0)));
            }
        }
        List<Outage> outages = new ArrayList<>();
        for (int i = random.nextInt(4); i > 0; i--) {
            String node = NODES[random.nextInt(3)];
            long down = T0 + S + random.nextInt(20_000) * MS;
            boolean comesBack = random.nextBoolean();
            boolean backfilled = comesBack && random.nextBoolean();
            long up = down + (backfilled ? random.nextInt(8_000) : random.nextInt(15_000)) * MS;
            Outage outage = new Outage(node, down, up, comesBack, backfilled, 2 + random.nextInt(7));
            if (outages.stream().anyMatch(o -> o.node().equals(node) && o.down() < outage.end() && outage.down() < o.end())) {
                continue; // one outage of a node at a time
            }
            outages.add(outage);
            ops.add(new Op(down, order[0]++, h -> h.down(node, down), r -> r.down(node, down)));
            if (comesBack) {
                ops.add(new Op(up, order[0]++, h -> h.up(node, up, backfilled), r -> r.up(node, up, backfilled)));
            }
        }
        for (int i = 0; i < departures; i++) {
            int from = random.nextInt(3);
            int to = (from + 1 + random.nextInt(2)) % 3;
            int port = 20000 + random.nextInt(departures * 2);
            String src = SUBNET[from] + "5";
            String dst = SUBNET[to] + "7";
            long time = T0 + S + random.nextInt(20_000) * MS;
            ReferenceJoin.Key key = new ReferenceJoin.Key(src, port, dst, 9090, PacketKind.SYN);
            String srcNode = NODES[from];
            String dstNode = NODES[to];
            if (delaying(outages, srcNode, time) != null) {
                continue; // a departure delivered late would sit in its lane out of time order (see ReferenceJoin)
            }
            ops.add(new Op(time, order[0]++,
                    h -> h.departure(srcNode, src, port, dst, 9090).at(time),
                    r -> r.departure(srcNode, dstNode, key, time, false)));
            int fate = random.nextInt(10);
            if (fate < 6) { // arrives: mostly promptly, sometimes before the departure (skew) or late
                long transit = fate < 4 ? random.nextInt(5) * MS : (random.nextInt(9_000) - 1_000) * MS;
                long arrival = time + transit;
                Outage backfill = delaying(outages, dstNode, arrival);
                long delivered = backfill == null ? arrival : backfill.deliveredAt(arrival);
                ops.add(new Op(delivered, order[0]++,
                        h -> h.arrival(dstNode, src, port, dst, 9090).backfilled().atWithNow(arrival, delivered),
                        r -> r.arrival(dstNode, key, arrival, delivered)));
            }
            long again = time + (1 + random.nextInt(4)) * S;
            if (random.nextInt(6) == 0 && delaying(outages, srcNode, again) == null) {
                ops.add(new Op(again, order[0]++,
                        h -> h.departure(srcNode, src, port, dst, 9090).retransmission().at(again),
                        r -> r.departure(srcNode, dstNode, key, again, true)));
            }
            if (random.nextInt(3) == 0) {
                addSegments(random, ops, order, outages, srcNode, dstNode, key, time);
            }
        }
        for (int i = random.nextInt(departures / 2 + 1); i > 0; i--) {
            addRoundTrip(random, ops, order, outages, departures);
        }
        for (int i = random.nextInt(3); i > 0; i--) {
            String node = NODES[random.nextInt(3)];
            long at = T0 + S + random.nextInt(20_000) * MS;
            ops.add(new Op(at, order[0]++, h -> h.lostEvents(node, at, 10, at),
                    r -> r.lostEvents(node, at, config.lostEventsSpan().toNanos())));
        }
        for (long at = T0; at < T0 + 60 * S; at += (50 + random.nextInt(2_000)) * MS) {
            long now = at;
            ops.add(new Op(now, order[0]++, h -> h.advance(now), r -> r.advance(now)));
        }
        ops.sort(Comparator.comparingLong(Op::time).thenComparingInt(Op::order));

        for (Op op : ops) {
            op.real().accept(real);
            op.reference().accept(reference);
            assertEquals(sorted(reference.verdicts), sorted(simplified(real.verdicts.verdicts)),
                    "verdicts differ after the op at +" + (op.time() - T0) / MS + " ms (seed " + seed + ")");
        }
        List<String> firstDataVerdicts = real.verdicts.verdicts.stream().filter(v -> v.contains(" FIRST-")).toList();
        if (!firstData) {
            assertEquals(List.of(), firstDataVerdicts, "first data judged while the flags do not report it");
        }
        firstDataVerdicts.stream().map(v -> v.substring(0, v.indexOf(' ')).replaceAll("\\(.*", ""))
                .distinct().forEach(verdict -> Statistics.label("first-data verdicts").collect(verdict));
    }

    /**
     * TCP segments of the connection {@code key} (a SYN from {@code srcNode}) in the client's
     * direction: the third-handshake ACK and the first PSH, either missing, doubled (a 5 s interval
     * report of flags already seen) or in the other order, mostly right after the SYN, sometimes long
     * after its handshake is forgotten; each arriving (early, on time, late) or not.
     */
    private static void addSegments(Random random, List<Op> ops, int[] order, List<Outage> outages, String srcNode,
            String dstNode, ReferenceJoin.Key key, long synTime) {
        for (int i = 1 + random.nextInt(3); i > 0; i--) {
            int flags = random.nextBoolean() ? NodeEvent.TCP_ACK : NodeEvent.TCP_PSH | NodeEvent.TCP_ACK;
            long time = synTime + (random.nextInt(8) == 0 ? random.nextInt(15_000) : 1 + random.nextInt(200)) * MS;
            if (delaying(outages, srcNode, time) != null) {
                continue; // as for departures: delivered late it would sit in its lane out of time order
            }
            ops.add(new Op(time, order[0]++,
                    h -> h.departure(srcNode, key.src(), key.srcPort(), key.dst(), key.dstPort()).segment(flags).at(time),
                    r -> r.segment(srcNode, dstNode, key, flags, time)));
            int fate = random.nextInt(10);
            if (fate < 6) {
                long transit = fate < 4 ? random.nextInt(5) * MS : (random.nextInt(9_000) - 1_000) * MS;
                long arrival = time + transit;
                Outage backfill = delaying(outages, dstNode, arrival);
                long delivered = backfill == null ? arrival : backfill.deliveredAt(arrival);
                ops.add(new Op(delivered, order[0]++,
                        h -> h.arrival(dstNode, key.src(), key.srcPort(), key.dst(), key.dstPort()).segment(flags)
                                .backfilled().atWithNow(arrival, delivered),
                        r -> r.segmentArrival(dstNode, key, flags, arrival, delivered)));
            }
        }
    }

    /**
     * A connection attempt from a pod to the API server (or the world), judged on the client's node:
     * answered in time or late, refused by a RST, or never answered; sometimes retransmitted.
     */
    private static void addRoundTrip(Random random, List<Op> ops, int[] order, List<Outage> outages, int departures) {
        int from = random.nextInt(3);
        String node = NODES[from];
        String client = SUBNET[from] + "9";
        int port = 30000 + random.nextInt(departures + 1);
        String server = random.nextBoolean() ? "192.168.50.12" : "203.0.113.7";
        int identity = server.startsWith("192") ? JoinConstants.IDENTITY_KUBE_APISERVER : JoinConstants.IDENTITY_WORLD;
        long time = T0 + S + random.nextInt(20_000) * MS;
        if (delaying(outages, node, time) != null) {
            return; // as for departures: an attempt delivered late would sit in its lane out of time order
        }
        ReferenceJoin.Client key = new ReferenceJoin.Client(node, client, port);
        ops.add(new Op(time, order[0]++,
                h -> h.departure(node, client, port, server, 6443).toIdentity(identity).at(time),
                r -> r.attempt(key, time, false)));
        int fate = random.nextInt(10);
        if (fate < 7) { // a reply: mostly in time, sometimes after the window or read before the attempt; some refused
            long reply = time + (fate < 5 ? random.nextInt(50) - 10 : random.nextInt(9_000)) * MS;
            Outage backfill = delaying(outages, node, reply);
            long delivered = backfill == null ? reply : backfill.deliveredAt(reply);
            boolean refused = fate == 6;
            ops.add(new Op(delivered, order[0]++, h -> {
                JoinHarness.Flow answer = h.arrival(node, server, 6443, client, port);
                (refused ? answer.rst() : answer.synAck()).fromIdentity(identity).backfilled()
                        .atWithNow(reply, delivered);
            }, r -> r.reply(key, reply, refused)));
        }
        long again = time + (1 + random.nextInt(4)) * S;
        if (random.nextInt(4) == 0 && delaying(outages, node, again) == null) {
            ops.add(new Op(again, order[0]++,
                    h -> h.departure(node, client, port, server, 6443).toIdentity(identity).retransmission().at(again),
                    r -> r.attempt(key, again, true)));
        }
    }

    /** "MATCHED a>b IPv4 SYN 20001>9090 attempts=1" -> "MATCHED a>b SYN 20001", the reference's form. */
    private static List<String> simplified(List<String> verdicts) {
        List<String> out = new ArrayList<>();
        for (String verdict : verdicts) {
            String[] parts = verdict.split(" ");
            out.add(parts[0] + " " + parts[1] + " " + parts[3] + " " + parts[4].substring(0, parts[4].indexOf('>')));
        }
        return out;
    }

    private static List<String> sorted(List<String> list) {
        List<String> copy = new ArrayList<>(list);
        copy.sort(null);
        return copy;
    }
}
