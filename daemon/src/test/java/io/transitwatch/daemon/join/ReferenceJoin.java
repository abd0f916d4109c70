package io.transitwatch.daemon.join;

import io.transitwatch.daemon.handoff.NodeEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The join's rules written the plainest way — hash maps and lists, every entry checked on every
 * advance — for the property test to hold the real engine against. It assumes ideal clocks (events
 * received at their own time), which is what the property test feeds both.
 */
final class ReferenceJoin {
    record Key(String src, int srcPort, String dst, int dstPort, int kind) {}

    private record Pending(String srcNode, String dstNode, long time, int attempts) {}

    private record Span(long from, long to, String reason) {}

    /** A round trip's client: its node, address and port (DESIGN §3.7). */
    record Client(String node, String ip, int port) {}

    private final long window;
    private final long slack;
    private final long grace;
    private final long arrivalMemory;
    private final Map<Key, Pending> pending = new LinkedHashMap<>();
    private final Map<Key, Long> arrivals = new LinkedHashMap<>();
    private final Map<Key, Pending> lost = new LinkedHashMap<>();
    /** Round-trip attempts waiting for their reply: client to {time, attempts}. */
    private final Map<Client, long[]> attempts = new LinkedHashMap<>();
    /** Replies seen before their attempt: client to {time, 1 if a refusal}. */
    private final Map<Client, long[]> replies = new LinkedHashMap<>();
    private final Map<String, String> state = new HashMap<>();
    /** When each node's current outage was reported: its events from before then are stragglers. */
    private final Map<String, Long> downAt = new HashMap<>();
    private final Map<String, List<Span>> spans = new HashMap<>();
    private final Map<String, Long> newest = new HashMap<>();
    /** Per source node: start of the current span, min transit in it, min transit in the span before. */
    private final Map<String, long[]> transits = new HashMap<>();
    /** The same per pair "source>destination family". */
    private final Map<String, long[]> pairTransits = new HashMap<>();
    /**
     * Per destination node: the same spans, of the greatest pair skew seen at a match (the pair's
     * earliest transit, 0 to W, once it has enough matches).
     */
    private final Map<String, long[]> pairSkews = new HashMap<>();
    private final long clockSpan;
    private final long catchUpLimit;
    /**
     * Nodes whose stream came up but has not yet delivered an event from after that: node to {target,
     * deadline, 1 while the stream has delivered nothing ever}.
     */
    private final Map<String, long[]> catchingUp = new HashMap<>();
    final List<String> verdicts = new ArrayList<>();
    /** Whether the aggregation flags report first data (DESIGN §3.8): FIRST-ACK / FIRST-PSH are join-safe. */
    private final boolean firstData;
    private final long firstDataMemory;
    /**
     * First data: per direction of a connection whose handshake departure the join saw (key of kind
     * NONE), {time of that handshake, TCP flags seen in that direction since}.
     */
    private final Map<Key, long[]> directions = new LinkedHashMap<>();

    ReferenceJoin(JoinConfig config) {
        window = config.window().toNanos();
        slack = config.watermarkSlack().toNanos();
        grace = config.downGrace().toNanos();
        arrivalMemory = config.arrivalMemory().toNanos();
        clockSpan = config.clockSpan().toNanos();
        catchUpLimit = config.catchUpLimit().toNanos();
        firstData = config.joinSafeKinds().contains(PacketKind.FIRST_ACK);
        firstDataMemory = window + arrivalMemory;
    }

    /** " KIND srcPort": how a verdict names its key. */
    private static String named(Key key) {
        return " " + PacketKind.name(key.kind) + " " + key.srcPort;
    }

    private static Key direction(Key key) {
        return new Key(key.src, key.srcPort, key.dst, key.dstPort, PacketKind.NONE);
    }

    /**
     * A TCP segment with {@code tcpFlags} (ACK, PSH) leaving {@code srcNode} on the connection {@code
     * key} (of kind SYN) at {@code time}: joined as FIRST-ACK / FIRST-PSH when the flags report first
     * data, the direction's handshake was seen no longer than W + arrival memory ago, and it carries a
     * flag not seen in that direction since; otherwise only the stream's liveness is learnt.
     */
    void segment(String srcNode, String dstNode, Key key, int tcpFlags, long time) {
        delivered(srcNode, time);
        if (!firstData) {
            return;
        }
        long[] seen = directions.get(direction(key));
        if (seen == null) {
            return;
        }
        if (time - seen[0] > firstDataMemory) { // by the segment's own time, not by when entries are freed
            directions.remove(direction(key));
            return;
        }
        long fresh = tcpFlags & (NodeEvent.TCP_ACK | NodeEvent.TCP_PSH) & ~seen[1];
        seen[1] |= tcpFlags;
        // not after the source's own view was incomplete since the handshake: its first segment may be lost
        if (fresh != 0 && incomplete(srcNode, seen[0] + 1, time) == null) {
            departure(srcNode, dstNode, dataKey(key, tcpFlags), time, false);
        }
    }

    /** The same segment delivered at the destination: arrivals are not filtered, only keyed by kind. */
    void segmentArrival(String node, Key key, int tcpFlags, long time, long now) {
        if (!firstData) {
            delivered(node, time);
            return;
        }
        arrival(node, dataKey(key, tcpFlags), time, now);
    }

    private static Key dataKey(Key key, int tcpFlags) {
        int kind = (tcpFlags & NodeEvent.TCP_PSH) != 0 ? PacketKind.FIRST_PSH : PacketKind.FIRST_ACK;
        return new Key(key.src, key.srcPort, key.dst, key.dstPort, kind);
    }

    /**
     * A matched departure from {@code srcNode} to {@code dstNode}: its arrival came {@code transit}
     * after it. Each statistic keeps its extreme over two spans that follow each other.
     */
    private void matched(String srcNode, String dstNode, Key key, long transit, long now) {
        observe(transits, srcNode, transit, now, true);
        String pair = pairName(srcNode, dstNode, key);
        observe(pairTransits, pair, transit, now, true);
        long[] earliest = pairTransits.get(pair);
        long skew = earliest[3] + earliest[4] < TransitBounds.SKEW_SAMPLES ? 0
                : Math.max(0, Math.min(window, Math.min(earliest[1], earliest[2])));
        observe(pairSkews, dstNode, skew, now, false);
    }

    private void observe(Map<String, long[]> spans, String name, long value, long now, boolean least) {
        long none = least ? Long.MAX_VALUE : Long.MIN_VALUE;
        // {span start, extreme in it, extreme in the span before, values in it, values in the span before}
        long[] t = spans.computeIfAbsent(name, n -> new long[] {Long.MIN_VALUE, none, none, 0, 0});
        if (t[0] == Long.MIN_VALUE || now - t[0] >= clockSpan) {
            boolean follows = t[0] != Long.MIN_VALUE && now - t[0] < 2 * clockSpan;
            t[2] = follows ? t[1] : none;
            t[4] = follows ? t[3] : 0;
            t[1] = value;
            t[3] = 1;
            t[0] = now;
        } else {
            t[1] = least ? Math.min(t[1], value) : Math.max(t[1], value);
            t[3]++;
        }
    }

    /**
     * How far before a departure of {@code srcNode} to {@code dstNode} its arrival may lie: the negative
     * earliest transit of the source, or of the pair when that is earlier (clocks are ideal here, so a
     * pair's clock difference is its transit), else 0.
     */
    private long earliestArrival(String srcNode, String dstNode, Key key) {
        long[] t = transits.get(srcNode);
        long[] p = pairTransits.get(pairName(srcNode, dstNode, key));
        long bySource = t == null ? 0 : Math.min(0, Math.min(t[1], t[2]));
        return p == null ? bySource : Math.min(bySource, Math.min(p[1], p[2]));
    }

    private static String pairName(String srcNode, String dstNode, Key key) {
        return srcNode + ">" + dstNode + (key.src.contains(":") ? " IPv6" : " IPv4");
    }

    /** How much longer than W a departure to {@code dstNode} waits: the greatest recent pair skew, else 0. */
    private long extraWait(String dstNode) {
        long[] t = pairSkews.get(dstNode);
        return t == null ? 0 : Math.max(t[1], t[2]);
    }

    void up(String node, long now) {
        up(node, now, false);
    }

    /**
     * The node's stream delivers again; with {@code backfilled} its outage stays open until the
     * stream has delivered an event from after {@code now}, without it the outage ends now. Either
     * way the node catches up until then, or until the catch-up limit.
     */
    void up(String node, long now, boolean backfilled) {
        if ("UP".equals(state.get(node))) {
            return;
        }
        boolean awaitingFirst = !state.containsKey(node) || ("DOWN".equals(state.get(node)) && !backfilled);
        if (!state.containsKey(node)) {
            spans(node).add(new Span(Long.MIN_VALUE, Long.MAX_VALUE, "NO_OBSERVER"));
        }
        // Without backfill the outage (or the time before the stream) ends with the stream's first event;
        // an outage's not before the stream came up (the event may have been on its way before).
        state.put(node, "UP");
        catchingUp.put(node, new long[] {now, now + catchUpLimit, awaitingFirst ? 1 : 0});
    }

    void down(String node, long now) {
        if (!"DOWN".equals(state.get(node))) {
            long since = "UP".equals(state.get(node)) ? watermark(node, now, true) : Long.MIN_VALUE;
            spans(node).add(new Span(since, Long.MAX_VALUE, "OBSERVER_DOWN"));
            downAt.put(node, now);
        }
        state.put(node, "DOWN");
        catchingUp.remove(node);
    }

    /** An event of {@code node} at {@code time} was delivered: it may show the stream up, and caught up. */
    private void delivered(String node, long time) {
        newest.merge(node, time, Math::max);
        if (!"UP".equals(state.get(node)) && (!"DOWN".equals(state.get(node)) || time > downAt.get(node))) {
            up(node, time);
        }
        long[] catchUp = catchingUp.get(node);
        if (catchUp != null && catchUp[2] == 1) {
            catchUp[2] = 0;
            // The stream starts with its first event: the first ever covers the node from there on.
            boolean firstEver = spans(node).stream().anyMatch(span -> span.to == Long.MAX_VALUE
                    && span.reason.equals("NO_OBSERVER"));
            closeOpenSpans(node, firstEver ? time : Math.max(time, catchUp[0]));
        }
        if (catchUp != null && time >= catchUp[0]) {
            catchingUp.remove(node);
            spans(node).removeIf(span -> span.to == Long.MAX_VALUE); // the backfill re-read the outage
        }
    }

    private void closeOpenSpans(String node, long at) {
        List<Span> list = spans(node);
        for (int i = 0; i < list.size(); i++) {
            Span span = list.get(i);
            if (span.to == Long.MAX_VALUE) {
                list.set(i, new Span(span.from, Math.max(at, span.from), span.reason));
            }
        }
    }

    /**
     * A lost-events report of {@code node} at {@code time} (without the times of what was lost): the
     * span before it; while a backfill re-reads an outage, the whole outage too, since what Hubble's
     * ring overwrote may lie anywhere in what is being re-read.
     */
    void lostEvents(String node, long time, long span) {
        long from = time - span;
        if (catchingUp.containsKey(node)) {
            long outageSince = spans(node).stream().filter(open -> open.to == Long.MAX_VALUE)
                    .mapToLong(Span::from).min().orElse(Long.MAX_VALUE);
            if (outageSince != Long.MIN_VALUE) {
                from = Math.min(from, outageSince);
            }
        }
        spans(node).add(new Span(from - slack, time + slack, "LOST_EVENTS"));
    }

    void departure(String srcNode, String dstNode, Key key, long time, boolean retransmission) {
        delivered(srcNode, time);
        if (firstData && key.kind == PacketKind.SYN) {
            handshake(key, time);
        }
        if (pending.containsKey(key)) {
            if (retransmission) {
                Pending p = pending.get(key);
                pending.put(key, new Pending(p.srcNode, p.dstNode, p.time, p.attempts + 1));
            }
            return;
        }
        if (retransmission) {
            return;
        }
        Long arrived = arrivals.remove(key);
        if (arrived != null) {
            matched(srcNode, dstNode, key, arrived - time, time);
            verdicts.add("MATCHED " + srcNode + ">" + dstNode + named(key));
            return;
        }
        pending.put(key, new Pending(srcNode, dstNode, time, 1));
    }

    /**
     * Every report of a SYN, retransmitted or repeated too: within the memory of the direction's last
     * one, and before the direction carried ACK or PSH, the same handshake (its time refreshed, its
     * flags kept); otherwise a new connection, whose direction has seen SYN only.
     */
    private void handshake(Key key, long time) {
        long[] seen = directions.get(direction(key));
        if (seen != null && time <= seen[0]) {
            return; // a duplicate report, or one of an older packet: nothing new
        }
        boolean same = seen != null && time - seen[0] <= firstDataMemory
                && (seen[1] & (NodeEvent.TCP_ACK | NodeEvent.TCP_PSH)) == 0;
        directions.put(direction(key), new long[] {time, same ? seen[1] | NodeEvent.TCP_SYN : NodeEvent.TCP_SYN});
    }

    /** An arrival that happened at {@code time} and reaches the join at {@code now} (later, when backfilled). */
    void arrival(String node, Key key, long time, long now) {
        delivered(node, time);
        Pending p = pending.remove(key);
        if (p != null && time > p.time + window + extraWait(p.dstNode)) {
            String reason = incomplete(node, p.time + earliestArrival(p.srcNode, p.dstNode, key) - slack,
                    p.time + window + extraWait(p.dstNode));
            verdicts.add((reason == null ? "LOST" : "UNVERIFIED(" + reason + ")") + " " + p.srcNode + ">" + p.dstNode
                    + named(key));
            if (reason == null) {
                lost.put(key, p);
            }
            p = null;
        }
        if (p != null) {
            matched(p.srcNode, p.dstNode, key, time - p.time, now);
            verdicts.add("MATCHED " + p.srcNode + ">" + p.dstNode + named(key));
            return;
        }
        Pending l = lost.remove(key);
        if (l != null) {
            verdicts.add("LATE " + l.srcNode + ">" + l.dstNode + named(key));
            return;
        }
        arrivals.putIfAbsent(key, time);
    }

    /** A connection attempt of {@code client} to a destination without arrival events. */
    void attempt(Client client, long time, boolean retransmission) {
        delivered(client.node, time);
        long[] waiting = attempts.get(client);
        if (waiting != null) {
            waiting[1] += retransmission ? 1 : 0;
            return;
        }
        if (retransmission) {
            return;
        }
        long[] replied = replies.remove(client);
        if (replied != null) { // read (and stamped) before its attempt: the round trip is complete
            verdicts.add((replied[1] == 1 ? "REFUSED " : "ANSWERED ") + client.node + "> SYN " + client.port);
            return;
        }
        attempts.put(client, new long[] {time, 1});
    }

    /** A reply delivered to {@code client} at {@code time}: a SYN-ACK, or a RST ({@code refused}). */
    void reply(Client client, long time, boolean refused) {
        delivered(client.node, time);
        long[] waiting = attempts.remove(client);
        if (waiting == null) {
            replies.putIfAbsent(client, new long[] {time, refused ? 1 : 0});
            return;
        }
        if (time > waiting[0] + window) {
            decideRoundTrip(client, waiting);
            return;
        }
        verdicts.add((refused ? "REFUSED " : "ANSWERED ") + client.node + "> SYN " + client.port);
    }

    private void decideRoundTrip(Client client, long[] waiting) {
        String reason = incomplete(client.node, waiting[0] - slack, waiting[0] + window);
        verdicts.add((reason == null ? "NO_REPLY" : "UNVERIFIED(" + reason + ")") + " " + client.node + "> SYN "
                + client.port);
    }

    void advance(long now) {
        catchingUp.entrySet().removeIf(entry -> {
            boolean overdue = now >= entry.getValue()[1];
            if (overdue) {
                closeOpenSpans(entry.getKey(), now); // nothing showed the backfill covered the outage
            }
            return overdue;
        });
        for (Iterator<Map.Entry<Key, Pending>> it = pending.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Pending> entry = it.next();
            Pending p = entry.getValue();
            long deadline = p.time + window + extraWait(p.dstNode);
            String dstState = state.getOrDefault(p.dstNode, "NEVER");
            String verdict = null;
            boolean watermarkPassed = !"NEVER".equals(dstState)
                    && watermark(p.dstNode, now, "UP".equals(dstState)) >= deadline;
            if (watermarkPassed) {
                String reason = incomplete(p.dstNode, p.time + earliestArrival(p.srcNode, p.dstNode, entry.getKey()) - slack,
                        deadline);
                verdict = reason == null ? "LOST" : "UNVERIFIED(" + reason + ")";
            } else if ("DOWN".equals(dstState) && now >= deadline + grace) {
                verdict = "UNVERIFIED(OBSERVER_DOWN)";
            } else if ("NEVER".equals(dstState) && now >= deadline + grace) {
                verdict = "UNVERIFIED(NO_OBSERVER)";
            }
            if (verdict != null) {
                verdicts.add(verdict + " " + p.srcNode + ">" + p.dstNode + named(entry.getKey()));
                if (verdict.equals("LOST")) {
                    lost.put(entry.getKey(), p);
                }
                it.remove();
            }
        }
        arrivals.values().removeIf(time -> time < now - window - arrivalMemory);
        directions.values().removeIf(seen -> seen[0] < now - firstDataMemory - window); // freed W later
        replies.values().removeIf(reply -> reply[0] < now - window - arrivalMemory);
        for (Iterator<Map.Entry<Client, long[]>> it = attempts.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Client, long[]> entry = it.next();
            String client = entry.getKey().node;
            long deadline = entry.getValue()[0] + window;
            boolean up = "UP".equals(state.get(client));
            if (watermark(client, now, up) >= deadline) {
                decideRoundTrip(entry.getKey(), entry.getValue());
                it.remove();
            } else if ("DOWN".equals(state.get(client)) && now >= deadline + grace) {
                verdicts.add("UNVERIFIED(OBSERVER_DOWN) " + client + "> SYN " + entry.getKey().port);
                it.remove();
            }
        }
    }

    /** Newest event time, or now - slack for an idle stream that is caught up; never past an open outage. */
    private long watermark(String node, long now, boolean idleAdvance) {
        long newestTime = newest.getOrDefault(node, Long.MIN_VALUE);
        long mark = idleAdvance && !catchingUp.containsKey(node) ? Math.max(newestTime, now - slack) : newestTime;
        for (Span span : spans(node)) {
            if (span.to == Long.MAX_VALUE) {
                mark = Math.min(mark, span.from);
            }
        }
        return mark;
    }

    private String incomplete(String node, long from, long to) {
        for (Span span : spans(node)) {
            if (span.from <= to && span.to >= from) {
                return span.reason;
            }
        }
        return null;
    }

    private List<Span> spans(String node) {
        return spans.computeIfAbsent(node, n -> new ArrayList<>());
    }
}
